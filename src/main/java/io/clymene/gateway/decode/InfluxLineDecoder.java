package io.clymene.gateway.decode;

import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes an InfluxDB line protocol body into a {@link SeriesBatch}, the way VictoriaMetrics and
 * Prometheus' Influx conversions map points to series.
 *
 * <h2>Syntax</h2>
 * Each line is {@code measurement[,tag=value...] field=value[,field=value...] [timestamp]}. Lines end at
 * {@code \n} (a trailing {@code \r} is dropped); empty lines, blank lines and lines whose first non-blank
 * character is {@code #} are skipped. Leading blanks and extra spaces between the three sections are
 * tolerated.
 * <ul>
 *   <li>Escapes: in the measurement, tag keys, tag values and field keys, a backslash before a space,
 *       comma, {@code =} or backslash stands for that character; a backslash before anything else (or at
 *       the end) is a literal backslash.</li>
 *   <li>Field values: floats ({@code 1}, {@code -1.5}, {@code .5}, {@code 1.}, {@code 1e-3}, {@code 2E+4};
 *       no NaN or infinity), integers with an {@code i} suffix ({@code -42i}), unsigned integers with a
 *       {@code u} suffix ({@code 42u}), booleans ({@code t T true True TRUE f F false False FALSE}, as 1
 *       and 0) and double-quoted strings (escapes {@code \"} and {@code \\}; they may not span lines).
 *       String fields are not samples: they are skipped and counted in
 *       {@link Result#skippedStringFields()}.</li>
 *   <li>Timestamp: an optional signed integer in the request's {@link InfluxPrecision} (nanoseconds by
 *       default), converted to milliseconds rounding down; without one, the caller's receive time.</li>
 * </ul>
 *
 * <h2>Mapping</h2>
 * Each numeric field of a line becomes one series with one sample. Its metric name is
 * {@code <measurement>_<field>}, or just {@code <measurement>} when the field key is {@code value}; each
 * tag becomes a label. Names are made valid Prometheus names by replacing every other character (per
 * code point) with {@code _}, and prefixing {@code _} to a name starting with a digit; metric names keep
 * {@code :}, label names do not. Tag values are kept as they are. Two tags of a line whose keys are the
 * same after sanitizing (or a tag key that becomes {@code __name__}) are an error. Fields are not merged
 * across lines: repeating a series gives the batch several entries for it.
 *
 * <h2>Errors</h2>
 * Decoding is all or nothing: the first bad line throws an {@link InfluxParseException} naming it, and
 * nothing of the body is returned, so a gateway answers 400 and the client can fix and resend the whole
 * body without duplicating the good lines.
 *
 * <p>Instances are stateless and thread-safe; regular expressions are not used.
 */
public final class InfluxLineDecoder {
  /** The most tags a line may have (each becomes a label of every series of the line). */
  public static final int MAX_TAGS = 256;

  /**
   * A decoded body.
   *
   * @param batch one series per numeric field
   * @param lines data lines decoded (empty and comment lines not counted)
   * @param skippedStringFields string fields dropped
   */
  public record Result(SeriesBatch batch, int lines, int skippedStringFields) {
  }

  /** Creates a decoder. */
  public InfluxLineDecoder() {
  }

  /**
   * Decodes a UTF-8 body (malformed UTF-8 becomes U+FFFD, hence {@code _} in names).
   *
   * @param precision the unit of the body's timestamps
   * @param receiveTimeMillis the timestamp of lines without one
   * @throws InfluxParseException at the first bad line; then nothing is decoded
   */
  public Result decode(byte[] body, InfluxPrecision precision, long receiveTimeMillis)
      throws InfluxParseException {
    return decode(new String(body, StandardCharsets.UTF_8), precision, receiveTimeMillis);
  }

  /**
   * Decodes a body.
   *
   * @param precision the unit of the body's timestamps
   * @param receiveTimeMillis the timestamp of lines without one
   * @throws InfluxParseException at the first bad line; then nothing is decoded
   */
  public Result decode(String body, InfluxPrecision precision, long receiveTimeMillis)
      throws InfluxParseException {
    Parser p = new Parser(body, precision, receiveTimeMillis);
    p.run();
    return new Result(p.builder.build(), p.lines, p.skippedStrings);
  }

  /** Sanitizes a metric name: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, other code points become {@code _}. */
  static String sanitizeMetricName(String name) {
    return sanitize(name, true);
  }

  /** Sanitizes a label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}, other code points become {@code _}. */
  static String sanitizeLabelName(String name) {
    return sanitize(name, false);
  }

  private static String sanitize(String name, boolean colon) {
    int n = name.length();
    boolean clean = n > 0 && !isDigit(name.charAt(0));
    for (int i = 0; clean && i < n; i++) {
      clean = isNameChar(name.charAt(i), colon);
    }
    if (clean) {
      return name;
    }
    StringBuilder sb = new StringBuilder(n + 1);
    if (n == 0 || isDigit(name.charAt(0))) {
      sb.append('_');
    }
    for (int i = 0; i < n; ) {
      int cp = name.codePointAt(i);
      sb.append(cp < 0x80 && isNameChar((char) cp, colon) ? (char) cp : '_');
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static boolean isNameChar(char c, boolean colon) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || (colon && c == ':');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The state of one decode call. */
  private static final class Parser {
    private static final int MEASUREMENT = 0;
    private static final int KEY = 1;
    private static final int TAG_VALUE = 2;

    final String body;
    final InfluxPrecision precision;
    final long receiveTime;
    final SeriesBatch.Builder builder = new SeriesBatch.Builder();
    final StringBuilder sb = new StringBuilder();
    final List<String> tagNames = new ArrayList<>();
    final List<String> tagValues = new ArrayList<>();
    final List<String> fieldKeys = new ArrayList<>();
    double[] fieldValues = new double[8];
    int lines;
    int skippedStrings;

    // current line
    String line;
    int lineNo;
    int end;
    int pos;

    Parser(String body, InfluxPrecision precision, long receiveTime) {
      this.body = body;
      this.precision = precision;
      this.receiveTime = receiveTime;
    }

    void run() throws InfluxParseException {
      int start = 0;
      int n = body.length();
      while (start <= n) {
        int nl = body.indexOf('\n', start);
        int stop = nl < 0 ? n : nl;
        int e = stop > start && body.charAt(stop - 1) == '\r' ? stop - 1 : stop;
        lineNo++;
        line = body.substring(start, e);
        parseLine();
        if (nl < 0) {
          break;
        }
        start = nl + 1;
      }
    }

    private InfluxParseException error(int at, String reason) {
      return new InfluxParseException(lineNo, at + 1, reason, line);
    }

    private void skipBlanks() {
      while (pos < end && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
        pos++;
      }
    }

    private void skipSpaces() {
      while (pos < end && line.charAt(pos) == ' ') {
        pos++;
      }
    }

    void parseLine() throws InfluxParseException {
      end = line.length();
      pos = 0;
      skipBlanks();
      if (pos == end || line.charAt(pos) == '#') {
        return;
      }
      tagNames.clear();
      tagValues.clear();
      fieldKeys.clear();

      int mStart = pos;
      String measurement = readToken(MEASUREMENT);
      if (measurement.isEmpty()) {
        throw error(mStart, "empty measurement");
      }
      while (pos < end && line.charAt(pos) == ',') {
        pos++;
        int kStart = pos;
        String key = readToken(KEY);
        if (key.isEmpty()) {
          throw error(kStart, "empty tag key");
        }
        if (pos >= end || line.charAt(pos) != '=') {
          throw error(pos, "expected '=' after tag key");
        }
        pos++;
        int vStart = pos;
        String value = readToken(TAG_VALUE);
        if (value.isEmpty()) {
          throw error(vStart, "empty tag value");
        }
        String name = sanitizeLabelName(key);
        if (name.equals(Labels.METRIC_NAME)) {
          throw error(kStart, "tag key \"" + key + "\" is reserved");
        }
        if (tagNames.size() == MAX_TAGS) {
          throw error(kStart, "more than " + MAX_TAGS + " tags");
        }
        if (tagNames.contains(name)) {
          throw error(kStart, "duplicate tag key \"" + name + "\"");
        }
        tagNames.add(name);
        tagValues.add(value);
      }
      skipSpaces();
      if (pos >= end) {
        throw error(pos, "missing fields");
      }

      int fields = 0;
      while (true) {
        int kStart = pos;
        String key = readToken(KEY);
        if (key.isEmpty()) {
          throw error(kStart, "empty field key");
        }
        if (pos >= end || line.charAt(pos) != '=') {
          throw error(pos, "expected '=' after field key");
        }
        pos++;
        if (pos >= end || line.charAt(pos) == ' ' || line.charAt(pos) == ',') {
          throw error(pos, "missing field value");
        }
        if (line.charAt(pos) == '"') {
          skipString();
          skippedStrings++;
        } else {
          int vStart = pos;
          while (pos < end && line.charAt(pos) != ',' && line.charAt(pos) != ' ') {
            pos++;
          }
          double v = fieldValue(vStart, pos);
          if (fields == fieldValues.length) {
            fieldValues = java.util.Arrays.copyOf(fieldValues, fields * 2);
          }
          fieldKeys.add(key);
          fieldValues[fields++] = v;
        }
        if (pos < end && line.charAt(pos) == ',') {
          pos++;
          continue;
        }
        break;
      }

      long ts = receiveTime;
      skipSpaces();
      if (pos < end) {
        int tStart = pos;
        while (pos < end && line.charAt(pos) != ' ') {
          pos++;
        }
        ts = timestamp(tStart, pos);
        skipBlanks();
        if (pos < end) {
          throw error(pos, "unexpected text after timestamp");
        }
      }

      lines++;
      for (int f = 0; f < fields; f++) {
        String field = fieldKeys.get(f);
        String metric = field.equals("value") ? measurement : measurement + "_" + field;
        builder.beginSeries().label(Labels.METRIC_NAME, sanitizeMetricName(metric));
        for (int t = 0; t < tagNames.size(); t++) {
          builder.label(tagNames.get(t), tagValues.get(t));
        }
        builder.sample(ts, fieldValues[f]);
        String dup = builder.endSeries();
        if (dup != null) {
          throw new IllegalStateException("duplicate label " + dup); // excluded above
        }
      }
    }

    /** Reads an escaped name or tag value up to its unescaped terminator; leaves pos on it. */
    private String readToken(int kind) {
      int start = pos;
      boolean escaped = false;
      sb.setLength(0);
      while (pos < end) {
        char c = line.charAt(pos);
        if (c == '\\' && pos + 1 < end) {
          char next = line.charAt(pos + 1);
          if (next == ' ' || next == ',' || next == '=' || next == '\\') {
            if (!escaped) {
              sb.append(line, start, pos);
              escaped = true;
            }
            sb.append(next);
            pos += 2;
            continue;
          }
        }
        if (c == ' ' || c == ',' || (c == '=' && kind == KEY)) {
          break;
        }
        if (escaped) {
          sb.append(c);
        }
        pos++;
      }
      return escaped ? sb.toString() : line.substring(start, pos);
    }

    /** Skips a quoted string value starting at pos; leaves pos after the closing quote. */
    private void skipString() throws InfluxParseException {
      int open = pos;
      pos++;
      while (pos < end) {
        char c = line.charAt(pos);
        if (c == '\\' && pos + 1 < end) {
          pos += 2;
          continue;
        }
        if (c == '"') {
          pos++;
          if (pos < end && line.charAt(pos) != ',' && line.charAt(pos) != ' ') {
            throw error(pos, "expected ',' or ' ' after string field value");
          }
          return;
        }
        pos++;
      }
      throw error(open, "unterminated string field value");
    }

    private double fieldValue(int from, int to) throws InfluxParseException {
      String text = line.substring(from, to);
      char last = line.charAt(to - 1);
      if (last == 'i' && to - from > 1) {
        if (!isInteger(from, to - 1, true)) {
          throw error(from, "invalid integer field value \"" + text + "\"");
        }
        try {
          return Long.parseLong(line.substring(from, to - 1));
        } catch (NumberFormatException e) {
          throw error(from, "integer field value out of range \"" + text + "\"");
        }
      }
      if (last == 'u' && to - from > 1) {
        if (!isInteger(from, to - 1, false)) {
          throw error(from, "invalid unsigned field value \"" + text + "\"");
        }
        long u;
        try {
          u = Long.parseUnsignedLong(line.substring(from, to - 1));
        } catch (NumberFormatException e) {
          throw error(from, "unsigned field value out of range \"" + text + "\"");
        }
        // halve keeping the low bit sticky, so the conversion rounds like the exact value (adding the bit
        // back after converting is lost when the halved value is a rounding tie)
        return u >= 0 ? u : (double) ((u >>> 1) | (u & 1)) * 2.0;
      }
      switch (text) {
        case "t":
        case "T":
        case "true":
        case "True":
        case "TRUE":
          return 1;
        case "f":
        case "F":
        case "false":
        case "False":
        case "FALSE":
          return 0;
        default:
          break;
      }
      if (!isFloat(from, to)) {
        throw error(from, "invalid field value \"" + text + "\"");
      }
      double d = Double.parseDouble(text);
      if (Double.isInfinite(d)) {
        throw error(from, "float field value out of range \"" + text + "\"");
      }
      return d;
    }

    private boolean isInteger(int from, int to, boolean signed) {
      int i = from;
      if (signed && i < to && line.charAt(i) == '-') {
        i++;
      }
      if (i == to) {
        return false;
      }
      for (; i < to; i++) {
        if (!isDigit(line.charAt(i))) {
          return false;
        }
      }
      return true;
    }

    /** {@code -?(digits[.digits?]|.digits)([eE][+-]?digits)?}. */
    private boolean isFloat(int from, int to) {
      int i = from;
      if (i < to && line.charAt(i) == '-') {
        i++;
      }
      int digits = 0;
      while (i < to && isDigit(line.charAt(i))) {
        i++;
        digits++;
      }
      if (i < to && line.charAt(i) == '.') {
        i++;
        while (i < to && isDigit(line.charAt(i))) {
          i++;
          digits++;
        }
      }
      if (digits == 0) {
        return false;
      }
      if (i < to && (line.charAt(i) == 'e' || line.charAt(i) == 'E')) {
        i++;
        if (i < to && (line.charAt(i) == '+' || line.charAt(i) == '-')) {
          i++;
        }
        int exp = 0;
        while (i < to && isDigit(line.charAt(i))) {
          i++;
          exp++;
        }
        if (exp == 0) {
          return false;
        }
      }
      return i == to;
    }

    private long timestamp(int from, int to) throws InfluxParseException {
      String text = line.substring(from, to);
      if (!isInteger(from, to, true)) {
        throw error(from, "invalid timestamp \"" + text + "\"");
      }
      try {
        return precision.toMillis(Long.parseLong(text));
      } catch (NumberFormatException | ArithmeticException e) {
        throw error(from, "timestamp out of range \"" + text + "\"");
      }
    }
  }
}
