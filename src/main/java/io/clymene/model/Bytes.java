package io.clymene.model;

/** Allocation-free helpers over byte ranges: comparison and UTF-8 encoding of strings. */
public final class Bytes {

  private Bytes() {
  }

  /** Unsigned lexicographic comparison (Go string order). */
  public static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
    int n = Math.min(aLen, bLen);
    int mismatch = java.util.Arrays.mismatch(a, aOff, aOff + n, b, bOff, bOff + n);
    if (mismatch >= 0) {
      return (a[aOff + mismatch] & 0xFF) - (b[bOff + mismatch] & 0xFF);
    }
    return aLen - bLen;
  }

  /** Whether {@code len} bytes at the two offsets are equal. */
  public static boolean equals(byte[] a, int aOff, byte[] b, int bOff, int len) {
    return java.util.Arrays.equals(a, aOff, aOff + len, b, bOff, bOff + len);
  }

  /** Whether the byte range equals an ASCII string. */
  public static boolean equalsAscii(byte[] a, int off, int len, String ascii) {
    if (len != ascii.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (a[off + i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** UTF-8 length of a string. */
  public static int utf8Length(String s) {
    int n = s.length();
    int len = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          len += 1;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          len += 2; // 4 bytes for 2 chars
          i++;
        } else {
          len += 2;
        }
      }
    }
    return len;
  }

  /**
   * Writes a string as UTF-8 (a lone surrogate becomes '?'); returns the position after it. The room
   * needed is at most {@link #utf8Length}.
   */
  public static int writeUtf8(String s, byte[] out, int pos) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[pos++] = (byte) c;
      } else if (c < 0x800) {
        out[pos++] = (byte) (0xC0 | (c >> 6));
        out[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out[pos++] = (byte) (0xF0 | (cp >> 18));
        out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[pos++] = (byte) (0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        out[pos++] = '?';
      } else {
        out[pos++] = (byte) (0xE0 | (c >> 12));
        out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return pos;
  }
}
