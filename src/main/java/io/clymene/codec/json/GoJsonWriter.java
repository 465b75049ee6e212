package io.clymene.codec.json;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer that writes JSON tokens exactly as Go's {@code encoding/json} does, so our JSON is
 * byte-for-byte what the Go Clymene writes: strings with Go's escapes (the HTML-safe {@code <}, {@code >},
 * {@code &} and U+2028, U+2029 as backslash-u escapes, {@code \n \r \t}, other control characters as
 * backslash-u00XX in lower-case hex, and backslash-ufffd for each invalid UTF-8 byte) and floats in Go's
 * shortest form ({@code 1}, {@code 0.5}, {@code 1e+21}, {@code 1e-7}). Reusable after {@link #reset()}, not
 * thread-safe.
 */
public final class GoJsonWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /** Java 19 made {@link Double#toString(double)} shortest (JDK-4511638); before it may add digits. */
  private static final boolean SHORTEST_TO_STRING = Runtime.version().feature() >= 19;

  private byte[] buf = new byte[4096];
  private int len;

  public void reset() {
    len = 0;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  public int length() {
    return len;
  }

  /** Appends a copy of the bytes already written in {@code [from, to)}. */
  public GoJsonWriter repeat(int from, int to) {
    int n = to - from;
    ensure(n);
    System.arraycopy(buf, from, buf, len, n);
    len += n;
    return this;
  }

  public GoJsonWriter raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /** Writes ASCII text as it is (field names and punctuation). */
  public GoJsonWriter raw(String ascii) {
    int n = ascii.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) ascii.charAt(i);
    }
    return this;
  }

  public GoJsonWriter number(long v) {
    return raw(Long.toString(v));
  }

  /** Writes a string from Java text. */
  public GoJsonWriter string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return string(b, 0, b.length);
  }

  /** Writes a quoted string from UTF-8 bytes with Go's escapes. */
  public GoJsonWriter string(byte[] s, int off, int n) {
    ensure(n + 2);
    buf[len++] = '"';
    int end = off + n;
    int i = off;
    while (i < end) {
      int b = s[i] & 0xFF;
      if (b < 0x80) {
        if (b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&') {
          ensure(1);
          buf[len++] = (byte) b;
        } else if (b == '"' || b == '\\') {
          ensure(2);
          buf[len++] = '\\';
          buf[len++] = (byte) b;
        } else if (b == '\n') {
          raw("\\n");
        } else if (b == '\r') {
          raw("\\r");
        } else if (b == '\t') {
          raw("\\t");
        } else {
          ensure(6);
          raw("\\u00");
          buf[len++] = HEX[b >> 4];
          buf[len++] = HEX[b & 0xF];
        }
        i++;
        continue;
      }
      int size = Utf8Runes.validSequenceLength(s, i, end);
      if (size == 0) {
        raw("\\ufffd");
        i++;
      } else if (size == 3 && b == 0xE2 && s[i + 1] == (byte) 0x80
          && (s[i + 2] == (byte) 0xA8 || s[i + 2] == (byte) 0xA9)) {
        raw(s[i + 2] == (byte) 0xA8 ? "\\u2028" : "\\u2029");
        i += 3;
      } else {
        ensure(size);
        System.arraycopy(s, i, buf, len, size);
        len += size;
        i += size;
      }
    }
    ensure(1);
    buf[len++] = '"';
    return this;
  }

  /**
   * Writes a finite double as Go's {@code encoding/json} does: shortest round-tripping digits, plain
   * notation for 1e-6 <= |v| < 1e21, else exponent notation ({@code 1e+21}, {@code 1.5e-7}).
   */
  public GoJsonWriter goFloat(double v) {
    return raw(formatGoFloat(v));
  }

  /** Go's {@code encoding/json} text of a finite double (see {@link #goFloat}). */
  public static String formatGoFloat(double v) {
    if (v == 0) {
      return (Double.doubleToRawLongBits(v) < 0) ? "-0" : "0";
    }
    double abs = Math.abs(v);
    Decimal d = shortest(abs);
    String digits = d.digits();
    int n = digits.length();
    int point = d.point();
    StringBuilder sb = new StringBuilder(n + 8);
    if (v < 0) {
      sb.append('-');
    }
    if (abs < 1e-6 || abs >= 1e21) {
      sb.append(digits.charAt(0));
      if (n > 1) {
        sb.append('.').append(digits, 1, n);
      }
      int exp = point - 1;
      // strconv writes at least two exponent digits; encoding/json then trims "e-07" to "e-7"
      sb.append('e').append(exp < 0 ? '-' : '+');
      if (exp > 0 && exp < 10) {
        sb.append('0');
      }
      sb.append(Math.abs(exp));
    } else if (point <= 0) {
      sb.append("0.").append("0".repeat(-point)).append(digits);
    } else if (point >= n) {
      sb.append(digits).append("0".repeat(point - n));
    } else {
      sb.append(digits, 0, point).append('.').append(digits, point, n);
    }
    return sb.toString();
  }

  /** A positive decimal {@code 0.digits * 10^point}; digits without leading or trailing zeros. */
  record Decimal(String digits, int point) {
    double toDouble() {
      return Double.parseDouble("0." + digits + "E" + point);
    }
  }

  /** The shortest decimal that parses back to {@code abs} (positive, finite), the closest if several. */
  static Decimal shortest(double abs) {
    Decimal d = parse(Double.toString(abs));
    if (SHORTEST_TO_STRING) {
      return d;
    }
    // Java 17's Double.toString may print more digits than needed (4.9E-324 for Go's 5e-324): if a decimal
    // one digit shorter parses back, one of the two bracketing ours does; repeat while that holds
    while (d.digits().length() > 1) {
      String cut = d.digits().substring(0, d.digits().length() - 1);
      Decimal lo = trimmed(cut, d.point());
      Decimal hi = incremented(cut, d.point());
      boolean loOk = lo.toDouble() == abs;
      boolean hiOk = hi.toDouble() == abs;
      if (loOk && hiOk) {
        BigDecimal exact = new BigDecimal(abs);
        d = exact.subtract(big(lo)).compareTo(big(hi).subtract(exact)) <= 0 ? lo : hi;
      } else if (loOk) {
        d = lo;
      } else if (hiOk) {
        d = hi;
      } else {
        break;
      }
    }
    return d;
  }

  private static BigDecimal big(Decimal d) {
    return new BigDecimal(new java.math.BigInteger(d.digits()), d.digits().length() - d.point());
  }

  /** Parses {@link Double#toString} output of a positive finite double ("123.45", "1.0E-5"). */
  private static Decimal parse(String s) {
    int e = s.indexOf('E');
    int exp = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
    String mant = e < 0 ? s : s.substring(0, e);
    int dot = mant.indexOf('.');
    String all = mant.substring(0, dot) + mant.substring(dot + 1);
    int point = dot + exp;
    int lead = 0;
    while (lead < all.length() - 1 && all.charAt(lead) == '0') {
      lead++;
    }
    return trimmed(all.substring(lead), point - lead);
  }

  private static Decimal trimmed(String digits, int point) {
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    return new Decimal(digits.substring(0, end), point);
  }

  /** {@code 0.digits + 10^(point - digits.length)}, carrying ("99" becomes "1" one place up). */
  private static Decimal incremented(String digits, int point) {
    char[] c = digits.toCharArray();
    int i = c.length - 1;
    while (i >= 0 && c[i] == '9') {
      c[i] = '0';
      i--;
    }
    if (i < 0) {
      return new Decimal("1", point + 1);
    }
    c[i]++;
    return trimmed(new String(c), point);
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(len + extra, buf.length * 2));
    }
  }
}
