package io.clymene.agent.parse;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;

/**
 * Parses floats as Prometheus does for exposition values (Go's {@code strconv.ParseFloat}, without
 * hexadecimal floats or underscores): decimals with optional sign and exponent, {@code NaN},
 * {@code Inf}/{@code Infinity} with optional sign, in any case. NaN gets Go's bit pattern
 * ({@code 0x7ff8000000000001}, Prometheus' "normal NaN"). Common decimals are parsed exactly without
 * allocating; rare forms fall back to the JDK, which rounds the same way.
 */
public final class FloatParser {
  /** Go's and Prometheus' NaN. */
  public static final double NORMAL_NAN = Double.longBitsToDouble(0x7ff8000000000001L);

  private static final double[] POW10 = {
      1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
      1e18, 1e19, 1e20, 1e21, 1e22};

  private FloatParser() {
  }

  /**
   * Parses {@code len} ASCII bytes at {@code off}.
   *
   * @throws NumberFormatException when the text is not a float
   */
  public static double parse(byte[] b, int off, int len) {
    if (len <= 0) {
      throw new NumberFormatException("empty");
    }
    int pos = off;
    int end = off + len;
    boolean negative = false;
    if (b[pos] == '-' || b[pos] == '+') {
      negative = b[pos] == '-';
      pos++;
    }
    long mantissa = 0;
    int digits = 0;
    int exp10 = 0;
    boolean sawDigit = false;
    boolean exact = true;
    while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
      sawDigit = true;
      if (digits < 18) {
        if (mantissa != 0 || b[pos] != '0') {
          digits++;
        }
        mantissa = mantissa * 10 + (b[pos] - '0');
      } else {
        exact = false;
        exp10++;
      }
      pos++;
    }
    if (pos < end && b[pos] == '.') {
      pos++;
      while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
        sawDigit = true;
        if (digits < 18) {
          if (mantissa != 0 || b[pos] != '0') {
            digits++;
          }
          mantissa = mantissa * 10 + (b[pos] - '0');
          exp10--;
        } else {
          exact = false;
        }
        pos++;
      }
    }
    if (sawDigit && pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
      pos++;
      boolean expNeg = false;
      if (pos < end && (b[pos] == '-' || b[pos] == '+')) {
        expNeg = b[pos] == '-';
        pos++;
      }
      int expStart = pos;
      int e = 0;
      while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
        if (e < 100_000) {
          e = e * 10 + (b[pos] - '0');
        }
        pos++;
      }
      if (pos == expStart) {
        throw new NumberFormatException(text(b, off, len));
      }
      exp10 += expNeg ? -e : e;
    }
    if (sawDigit && pos == end) {
      if (exact && mantissa < (1L << 53)) {
        double m = mantissa;
        if (exp10 == 0) {
          return negative ? -m : m;
        }
        if (exp10 > 0 && exp10 <= 22) {
          double v = m * POW10[exp10];
          return negative ? -v : v;
        }
        if (exp10 < 0 && exp10 >= -22) {
          double v = m / POW10[-exp10];
          return negative ? -v : v;
        }
      }
      // a plain decimal (checked above) with more digits or a larger exponent: correctly rounded
      // without allocating
      return JavaDoubleParser.parseDouble(b, off, len);
    }
    return slow(b, off, len);
  }

  private static double slow(byte[] b, int off, int len) {
    String s = text(b, off, len);
    String body = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    boolean negative = s.startsWith("-");
    String lower = body.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf") || lower.equals("infinity")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return NORMAL_NAN;
    }
    throw new NumberFormatException(s);
  }

  private static String text(byte[] b, int off, int len) {
    return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
