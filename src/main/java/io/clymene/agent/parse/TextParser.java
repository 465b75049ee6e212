package io.clymene.agent.parse;

import java.nio.charset.StandardCharsets;

/**
 * Parser of the Prometheus text exposition format 0.0.4, straight from the body bytes.
 *
 * <p>Each sample goes to a {@link SampleSink} as byte ranges: metric names and label names point into
 * the body; label values too, unless they contain escapes, in which case they are unescaped into a
 * reused buffer. Nothing is allocated per sample. The first invalid line makes the whole body invalid,
 * as in Prometheus, with a {@link ParseException} naming the line. Not thread-safe; reusable.
 */
public final class TextParser {
  private final ParsedLabels labels = new ParsedLabels();
  private byte[] unescaped = new byte[256];
  private int unescapedLen;

  /**
   * Parses a body.
   *
   * @return the number of samples passed to the sink
   * @throws ParseException at the first invalid line
   */
  public int parse(byte[] buf, int off, int len, SampleSink sink) throws ParseException {
    int pos = off;
    int end = off + len;
    int line = 1;
    int samples = 0;
    while (pos < end) {
      int lineEnd = indexOf(buf, (byte) '\n', pos, end);
      if (parseLine(buf, pos, lineEnd, line, sink)) {
        samples++;
      }
      pos = lineEnd + 1;
      line++;
    }
    return samples;
  }

  /** Returns whether the line held a sample. */
  private boolean parseLine(byte[] b, int start, int end, int line, SampleSink sink) throws ParseException {
    int pos = skipBlanks(b, start, end);
    if (pos == end) {
      return false;
    }
    if (b[pos] == '#') {
      parseComment(b, pos + 1, end, start, line);
      return false;
    }
    int nameOff = pos;
    if (!isMetricNameStart(b[pos])) {
      throw error(line, "expected a metric name", b, start, end);
    }
    pos++;
    while (pos < end && isMetricNameChar(b[pos])) {
      pos++;
    }
    int nameLen = pos - nameOff;
    labels.reset(b);
    unescapedLen = 0;
    int blankStart = pos;
    pos = skipBlanks(b, pos, end);
    if (pos < end && b[pos] == '{') {
      pos = parseLabels(b, pos + 1, end, start, line);
      blankStart = pos;
      pos = skipBlanks(b, pos, end);
    }
    if (pos == blankStart || pos == end) {
      throw error(line, pos == end ? "expected a value" : "expected a blank before the value", b, start, end);
    }
    int valueOff = pos;
    while (pos < end && !isBlank(b[pos])) {
      pos++;
    }
    double value;
    try {
      value = FloatParser.parse(b, valueOff, pos - valueOff);
    } catch (NumberFormatException e) {
      throw error(line, "invalid value '" + ascii(b, valueOff, pos - valueOff) + "'", b, start, end);
    }
    long timestamp = SampleSink.NO_TIMESTAMP;
    pos = skipBlanks(b, pos, end);
    if (pos < end) {
      int tsOff = pos;
      while (pos < end && !isBlank(b[pos])) {
        pos++;
      }
      timestamp = parseTimestamp(b, tsOff, pos, line, start, end);
      pos = skipBlanks(b, pos, end);
      if (pos < end) {
        throw error(line, "unexpected text after the timestamp", b, start, end);
      }
    }
    String problem = sink.sample(b, nameOff, nameLen, labels, value, timestamp);
    if (problem != null) {
      throw error(line, problem, b, start, end);
    }
    return true;
  }

  private int parseLabels(byte[] b, int pos, int end, int lineStart, int line) throws ParseException {
    while (true) {
      pos = skipBlanks(b, pos, end);
      if (pos >= end) {
        throw error(line, "unterminated label set", b, lineStart, end);
      }
      if (b[pos] == '}') {
        return pos + 1;
      }
      int nOff = pos;
      if (!isLabelNameStart(b[pos])) {
        throw error(line, "expected a label name", b, lineStart, end);
      }
      pos++;
      while (pos < end && isLabelNameChar(b[pos])) {
        pos++;
      }
      int nLen = pos - nOff;
      pos = skipBlanks(b, pos, end);
      if (pos >= end || b[pos] != '=') {
        throw error(line, "expected '=' after label name", b, lineStart, end);
      }
      pos = skipBlanks(b, pos + 1, end);
      if (pos >= end || b[pos] != '"') {
        throw error(line, "expected a quoted label value", b, lineStart, end);
      }
      pos++;
      int vOff = pos;
      boolean escaped = false;
      while (pos < end && b[pos] != '"') {
        if (b[pos] == '\\') {
          escaped = true;
          pos++;
        }
        pos++;
      }
      if (pos >= end) {
        throw error(line, "unterminated label value", b, lineStart, end);
      }
      if (escaped) {
        int uOff = unescape(b, vOff, pos);
        labels.add(nOff, nLen, unescaped, uOff, unescapedLen - uOff);
      } else {
        labels.add(nOff, nLen, b, vOff, pos - vOff);
      }
      pos = skipBlanks(b, pos + 1, end);
      if (pos < end && b[pos] == ',') {
        pos++;
      } else if (pos < end && b[pos] == '}') {
        return pos + 1;
      } else {
        throw error(line, "expected ',' or '}' after a label", b, lineStart, end);
      }
    }
  }

  /** Unescapes \\, \" and \n (other sequences stay as written); returns the start in the buffer. */
  private int unescape(byte[] b, int from, int to) {
    if (unescapedLen + (to - from) > unescaped.length) {
      unescaped = java.util.Arrays.copyOf(unescaped, Math.max(unescaped.length * 2, unescapedLen + to - from));
      // earlier labels of this line keep pointing at the old array, which stays valid
    }
    int start = unescapedLen;
    int out = unescapedLen;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '\\' && i + 1 < to) {
        byte n = b[i + 1];
        if (n == '\\' || n == '"') {
          unescaped[out++] = n;
          i++;
          continue;
        }
        if (n == 'n') {
          unescaped[out++] = '\n';
          i++;
          continue;
        }
      }
      unescaped[out++] = c;
    }
    unescapedLen = out;
    return start;
  }

  private void parseComment(byte[] b, int pos, int end, int lineStart, int line) throws ParseException {
    pos = skipBlanks(b, pos, end);
    boolean help = startsWith(b, pos, end, "HELP");
    boolean type = startsWith(b, pos, end, "TYPE");
    if (!(help || type) || pos + 4 >= end || !isBlank(b[pos + 4])) {
      return; // an ordinary comment
    }
    pos = skipBlanks(b, pos + 4, end);
    int nameOff = pos;
    if (pos >= end || !isMetricNameStart(b[pos])) {
      throw error(line, "expected a metric name after " + (help ? "HELP" : "TYPE"), b, lineStart, end);
    }
    while (pos < end && isMetricNameChar(b[pos])) {
      pos++;
    }
    if (pos < end && !isBlank(b[pos])) {
      throw error(line, "invalid metric name", b, lineStart, end);
    }
    if (type) {
      pos = skipBlanks(b, pos, end);
      int tOff = pos;
      while (pos < end && !isBlank(b[pos])) {
        pos++;
      }
      String t = ascii(b, tOff, pos - tOff);
      if (!(t.equals("counter") || t.equals("gauge") || t.equals("histogram") || t.equals("summary")
          || t.equals("untyped"))) {
        throw error(line, "invalid metric type '" + t + "'", b, lineStart, end);
      }
      if (skipBlanks(b, pos, end) != end) {
        throw error(line, "unexpected text after the metric type", b, lineStart, end);
      }
    }
    // HELP text is free; metadata is not carried yet (nameOff kept for when it is)
    assert nameOff >= 0;
  }

  private static long parseTimestamp(byte[] b, int from, int to, int line, int lineStart, int lineEnd)
      throws ParseException {
    int pos = from;
    boolean negative = false;
    if (pos < to && (b[pos] == '-' || b[pos] == '+')) {
      negative = b[pos] == '-';
      pos++;
    }
    if (pos == to) {
      throw error(line, "invalid timestamp", b, lineStart, lineEnd);
    }
    long v = 0;
    for (; pos < to; pos++) {
      int d = b[pos] - '0';
      if (d < 0 || d > 9) {
        throw error(line, "invalid timestamp '" + ascii(b, from, to - from) + "'", b, lineStart, lineEnd);
      }
      if (v > (Long.MAX_VALUE - d) / 10) {
        throw error(line, "timestamp out of range", b, lineStart, lineEnd);
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  private static boolean startsWith(byte[] b, int pos, int end, String s) {
    if (end - pos < s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (b[pos + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return to;
  }

  private static int skipBlanks(byte[] b, int pos, int end) {
    while (pos < end && isBlank(b[pos])) {
      pos++;
    }
    return pos;
  }

  private static boolean isBlank(byte c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isMetricNameStart(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isMetricNameChar(byte c) {
    return isMetricNameStart(c) || (c >= '0' && c <= '9');
  }

  private static boolean isLabelNameStart(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isLabelNameChar(byte c) {
    return isLabelNameStart(c) || (c >= '0' && c <= '9');
  }

  private static String ascii(byte[] b, int off, int len) {
    return new String(b, off, Math.min(len, 64), StandardCharsets.UTF_8);
  }

  private static ParseException error(int line, String problem, byte[] b, int start, int end) {
    int len = end - start;
    String text = new String(b, start, Math.min(len, 120), StandardCharsets.UTF_8);
    if (len > 120) {
      text += "...";
    }
    return new ParseException(line, problem, text);
  }
}
