package io.clymene.gateway.decode;

/** Strict UTF-8 validation on byte ranges (no overlongs, no surrogates, nothing above U+10FFFF). */
final class Utf8 {
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {
  }

  /** The offset of the first byte of the first invalid sequence in {@code [off, off+len)}, or -1. */
  static int firstInvalid(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      // eight ASCII bytes at a time: label names and values are nearly always ASCII
      if (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
        i += 8;
        continue;
      }
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xFF;
      int start = i;
      int need;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        min = 0x80;
        c &= 0x1F;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        min = 0x800;
        c &= 0x0F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        min = 0x10000;
        c &= 0x07;
      } else {
        return start;
      }
      if (end - i - 1 < need) {
        return start;
      }
      i++;
      for (int k = 0; k < need; k++, i++) {
        int cc = b[i] & 0xFF;
        if ((cc & 0xC0) != 0x80) {
          return start;
        }
        c = (c << 6) | (cc & 0x3F);
      }
      if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return start;
      }
    }
    return -1;
  }
}
