package io.clymene.agent.parse;

import java.nio.charset.StandardCharsets;

/**
 * Parser of OpenMetrics 1.0 text, accepting what Prometheus 2.x accepts (openmetricslex.l): single
 * spaces between tokens, no blank lines, no comments other than {@code # HELP}, {@code # TYPE},
 * {@code # UNIT} and the final {@code # EOF}, which is required and must end the body; timestamps are
 * seconds (fractions allowed), turned into milliseconds by truncation. Exemplars
 * ({@code # {labels} value [timestamp]}, only after {@code _total} and {@code _bucket} series) are
 * checked and skipped. {@code _created} series are ordinary samples, as in Prometheus 2.x. Nothing is
 * allocated per sample. Not thread-safe; reusable.
 */
public final class OpenMetricsParser implements ExpositionParser {
  private final ParsedLabels labels = new ParsedLabels();
  private final ParsedLabels exemplarLabels = new ParsedLabels();
  private byte[] unescaped = new byte[256];
  private int unescapedLen;
  private int line;

  @Override
  public int parse(byte[] buf, int off, int len, SampleSink sink) throws ParseException {
    int pos = off;
    int end = off + len;
    line = 1;
    SampleSink metadataSink = sink.wantsMetadata() ? sink : null;
    int samples = 0;
    while (true) {
      if (pos >= end) {
        throw new ParseException(line, "data does not end with # EOF", "");
      }
      int lineStart = pos;
      byte c = buf[pos];
      if (c == '#') {
        if (pos + 1 < end && buf[pos + 1] == ' ' && startsWith(buf, pos + 2, end, "EOF")
            && (pos + 5 == end || buf[pos + 5] == '\n')) {
          int after = pos + 5 < end ? pos + 6 : pos + 5;
          if (after != end) {
            line++;
            throw error("unexpected data after # EOF", buf, after, end);
          }
          return samples;
        }
        pos = metadata(buf, pos, end, lineStart, metadataSink);
      } else {
        pos = sample(buf, pos, end, lineStart, sink);
        samples++;
      }
      line++;
    }
  }

  /** Checks a HELP, TYPE or UNIT line and passes it to the sink, if it wants it; returns the next line's start. */
  private int metadata(byte[] b, int pos, int end, int lineStart, SampleSink sink) throws ParseException {
    if (pos + 1 >= end || b[pos + 1] != ' ') {
      throw error("\"#\" is not a valid start of a line (expected # HELP, # TYPE, # UNIT or # EOF)", b,
          lineStart, end);
    }
    pos += 2;
    MetadataKind kind;
    if (startsWith(b, pos, end, "HELP ")) {
      kind = MetadataKind.HELP;
    } else if (startsWith(b, pos, end, "TYPE ")) {
      kind = MetadataKind.TYPE;
    } else if (startsWith(b, pos, end, "UNIT ")) {
      kind = MetadataKind.UNIT;
    } else {
      throw error("invalid comment (expected # HELP, # TYPE, # UNIT or # EOF)", b, lineStart, end);
    }
    pos += 5;
    int nameOff = pos;
    if (pos >= end || !TextParser.isMetricNameStart(b[pos])) {
      throw error("expected a metric name after " + kind, b, lineStart, end);
    }
    while (pos < end && TextParser.isMetricNameChar(b[pos])) {
      pos++;
    }
    int nameEnd = pos;
    int lineEnd = TextParser.indexOf(b, (byte) '\n', pos, end);
    if (pos >= end || b[pos] != ' ' || lineEnd == end) {
      throw error("expected text in " + kind, b, lineStart, end);
    }
    int textOff = pos + 1;
    int textLen = lineEnd - textOff;
    switch (kind) {
      case TYPE -> {
        String t = new String(b, textOff, textLen, StandardCharsets.UTF_8);
        switch (t) {
          case "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown" -> {
          }
          default -> throw error("invalid metric type \"" + t + "\"", b, lineStart, end);
        }
      }
      case HELP -> {
        if (!Utf8.valid(b, textOff, textLen)) {
          throw error("help text is not a valid utf8 string", b, lineStart, end);
        }
      }
      default -> {
        // a unit must be a suffix of the metric name, after an underscore
        int nameLen = nameEnd - nameOff;
        if (textLen > 0 && (nameLen < textLen + 1 || b[nameEnd - textLen - 1] != '_'
            || !java.util.Arrays.equals(b, nameEnd - textLen, nameEnd, b, textOff, textOff + textLen))) {
          throw error("unit not a suffix of metric \"" + new String(b, nameOff, nameLen, StandardCharsets.UTF_8)
              + "\"", b, lineStart, end);
        }
      }
    }
    if (sink != null) {
      int nameLen = nameEnd - nameOff;
      if (kind == MetadataKind.HELP && TextParser.indexOf(b, (byte) '\\', textOff, lineEnd) < lineEnd) {
        // OpenMetrics escapes HELP text like label values (\\, \" and \n), and Prometheus unescapes it so
        unescapedLen = 0;
        int uOff = unescape(b, textOff, lineEnd);
        sink.metadata(kind, b, nameOff, nameLen, unescaped, uOff, unescapedLen - uOff);
      } else {
        sink.metadata(kind, b, nameOff, nameLen, b, textOff, textLen);
      }
    }
    return lineEnd + 1;
  }

  private int sample(byte[] b, int pos, int end, int lineStart, SampleSink sink) throws ParseException {
    int nameOff = pos;
    if (!TextParser.isMetricNameStart(b[pos])) {
      throw error("expected a metric name", b, lineStart, end);
    }
    pos++;
    while (pos < end && TextParser.isMetricNameChar(b[pos])) {
      pos++;
    }
    int nameLen = pos - nameOff;
    int seriesEnd = pos;
    int handle = -1;
    if (sink.remembersSeries()) {
      if (pos < end && b[pos] == '{') {
        seriesEnd = closingBrace(b, pos + 1, end);
      }
      handle = seriesEnd < 0 ? -1 : sink.known(b, nameOff, seriesEnd);
    }
    if (handle >= 0) {
      pos = seriesEnd;
    } else {
      labels.reset(b);
      unescapedLen = 0;
      if (pos < end && b[pos] == '{') {
        pos = labelSet(b, pos + 1, end, lineStart, labels);
      }
      labels.seriesEnd(pos);
    }
    if (pos >= end || b[pos] != ' ') {
      throw error("expected a value after the metric", b, lineStart, end);
    }
    pos++;
    int valueOff = pos;
    while (pos < end && b[pos] != ' ' && b[pos] != '\n') {
      pos++;
    }
    if (pos == valueOff) {
      throw error("expected a value after the metric", b, lineStart, end);
    }
    double value = number(b, valueOff, pos - valueOff, lineStart, end);
    long timestamp = SampleSink.NO_TIMESTAMP;
    if (pos < end && b[pos] == ' ' && !isExemplarStart(b, pos, end)) {
      pos++;
      int tsOff = pos;
      while (pos < end && b[pos] != ' ' && b[pos] != '\n') {
        pos++;
      }
      if (pos == tsOff) {
        throw error("expected a timestamp", b, lineStart, end);
      }
      double seconds = number(b, tsOff, pos - tsOff, lineStart, end);
      if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
        throw error("invalid timestamp", b, lineStart, end);
      }
      timestamp = (long) (seconds * 1000);
    }
    if (pos < end && b[pos] == ' ') {
      if (!isExemplarStart(b, pos, end)) {
        throw error("expected a timestamp or # symbol", b, lineStart, end);
      }
      if (!endsWith(b, nameOff, nameLen, "_total") && !endsWith(b, nameOff, nameLen, "_bucket")) {
        throw error("metric name " + new String(b, nameOff, nameLen, StandardCharsets.UTF_8)
            + " does not support exemplars", b, lineStart, end);
      }
      pos = exemplar(b, pos + 4, end, lineStart);
    }
    if (pos >= end) {
      throw error("data does not end with # EOF", b, lineStart, end);
    }
    if (b[pos] != '\n') {
      throw error("expected the end of the line", b, lineStart, end);
    }
    String problem = handle >= 0 ? sink.knownSample(handle, value, timestamp)
        : sink.sample(b, nameOff, nameLen, labels, value, timestamp);
    if (problem != null) {
      throw error(problem, b, lineStart, end);
    }
    return pos + 1;
  }

  /** The position after the '}' closing a label set at {@code pos} on this line, or -1. */
  private static int closingBrace(byte[] b, int pos, int end) {
    boolean quoted = false;
    while (pos < end) {
      byte c = b[pos];
      if (c == '\n') {
        return -1;
      }
      if (quoted) {
        if (c == '\\') {
          pos++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '}') {
        return pos + 1;
      }
      pos++;
    }
    return -1;
  }

  /** Checks an exemplar after " # {"; returns the position of the line's end. */
  private int exemplar(byte[] b, int pos, int end, int lineStart) throws ParseException {
    exemplarLabels.reset(b);
    pos = labelSet(b, pos, end, lineStart, exemplarLabels);
    if (pos >= end || b[pos] != ' ') {
      throw error("expected a value after the exemplar labels", b, lineStart, end);
    }
    pos++;
    int vOff = pos;
    while (pos < end && b[pos] != ' ' && b[pos] != '\n') {
      pos++;
    }
    if (pos == vOff) {
      throw error("expected a value after the exemplar labels", b, lineStart, end);
    }
    number(b, vOff, pos - vOff, lineStart, end);
    if (pos < end && b[pos] == ' ') {
      pos++;
      int tOff = pos;
      while (pos < end && b[pos] != ' ' && b[pos] != '\n') {
        pos++;
      }
      double ts = number(b, tOff, pos - tOff, lineStart, end);
      if (pos == tOff || Double.isNaN(ts) || Double.isInfinite(ts)) {
        throw error("invalid exemplar timestamp", b, lineStart, end);
      }
      if (pos < end && b[pos] != '\n') {
        throw error("expected the end of the line after the exemplar timestamp", b, lineStart, end);
      }
    }
    return pos;
  }

  private static boolean isExemplarStart(byte[] b, int pos, int end) {
    return pos + 3 < end && b[pos] == ' ' && b[pos + 1] == '#' && b[pos + 2] == ' ' && b[pos + 3] == '{';
  }

  /** Parses labels after '{' (no blanks, no trailing comma); returns the position after '}'. */
  private int labelSet(byte[] b, int pos, int end, int lineStart, ParsedLabels into) throws ParseException {
    boolean first = true;
    while (true) {
      if (pos >= end) {
        throw error("unterminated label set", b, lineStart, end);
      }
      if (b[pos] == '}') {
        return pos + 1;
      }
      if (!first) {
        if (b[pos] != ',') {
          throw error("expected a comma or '}'", b, lineStart, end);
        }
        pos++;
        if (pos >= end || !TextParser.isLabelNameStart(b[pos])) {
          throw error("expected a label name", b, lineStart, end);
        }
      } else if (!TextParser.isLabelNameStart(b[pos])) {
        throw error("expected a label name or '}'", b, lineStart, end);
      }
      first = false;
      int nOff = pos;
      while (pos < end && TextParser.isLabelNameChar(b[pos])) {
        pos++;
      }
      int nLen = pos - nOff;
      if (pos >= end || b[pos] != '=') {
        throw error("expected '=' after the label name", b, lineStart, end);
      }
      pos++;
      if (pos >= end || b[pos] != '"') {
        throw error("expected a quoted label value", b, lineStart, end);
      }
      pos++;
      int vOff = pos;
      boolean escaped = false;
      while (pos < end && b[pos] != '"') {
        if (b[pos] == '\n') {
          throw error("expected a quoted label value", b, lineStart, end);
        }
        if (b[pos] == '\\') {
          if (pos + 1 >= end || b[pos + 1] == '\n') {
            throw error("expected a quoted label value", b, lineStart, end);
          }
          escaped = true;
          pos++;
        }
        pos++;
      }
      if (pos >= end) {
        throw error("unterminated label value", b, lineStart, end);
      }
      if (!Utf8.valid(b, vOff, pos - vOff)) {
        throw error("invalid UTF-8 label value", b, lineStart, end);
      }
      if (escaped) {
        int uOff = unescape(b, vOff, pos);
        into.add(nOff, nLen, unescaped, uOff, unescapedLen - uOff);
      } else {
        into.add(nOff, nLen, b, vOff, pos - vOff);
      }
      pos++;
    }
  }

  private int unescape(byte[] b, int from, int to) {
    if (unescapedLen + (to - from) > unescaped.length) {
      unescaped = java.util.Arrays.copyOf(unescaped, Math.max(unescaped.length * 2, unescapedLen + to - from));
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

  private double number(byte[] b, int off, int len, int lineStart, int end) throws ParseException {
    try {
      return FloatParser.parse(b, off, len);
    } catch (NumberFormatException e) {
      throw error("invalid number \"" + new String(b, off, Math.min(len, 64), StandardCharsets.UTF_8) + "\"", b,
          lineStart, end);
    }
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

  private static boolean endsWith(byte[] b, int off, int len, String s) {
    return len >= s.length() && startsWith(b, off + len - s.length(), off + len, s);
  }

  private ParseException error(String problem, byte[] b, int start, int end) {
    int lineEnd = TextParser.indexOf(b, (byte) '\n', start, end);
    int len = lineEnd - start;
    String text = new String(b, start, Math.min(len, 120), StandardCharsets.UTF_8);
    if (len > 120) {
      text += "...";
    }
    return new ParseException(line, problem, text);
  }
}
