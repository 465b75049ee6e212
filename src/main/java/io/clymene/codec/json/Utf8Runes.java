package io.clymene.codec.json;

/** UTF-8 sequence validation with Go's {@code utf8.DecodeRune} rules (no surrogates, no overlongs). */
public final class Utf8Runes {
  private Utf8Runes() {
  }

  /**
   * The length (2 to 4) of the valid multi-byte UTF-8 sequence starting at {@code i}, or 0 when the bytes
   * there do not start one (Go then decodes {@code RuneError} of width 1).
   */
  public static int validSequenceLength(byte[] s, int i, int end) {
    int b = s[i] & 0xFF;
    int size;
    int lo = 0x80;
    int hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      size = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      size = 3;
      if (b == 0xE0) {
        lo = 0xA0;
      } else if (b == 0xED) {
        hi = 0x9F;
      }
    } else if (b >= 0xF0 && b <= 0xF4) {
      size = 4;
      if (b == 0xF0) {
        lo = 0x90;
      } else if (b == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return 0;
    }
    if (i + size > end) {
      return 0;
    }
    int b1 = s[i + 1] & 0xFF;
    if (b1 < lo || b1 > hi) {
      return 0;
    }
    for (int k = 2; k < size; k++) {
      int c = s[i + k] & 0xFF;
      if (c < 0x80 || c > 0xBF) {
        return 0;
      }
    }
    return size;
  }
}
