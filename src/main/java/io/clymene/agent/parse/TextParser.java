package io.clymene.agent.parse;

import io.clymene.model.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Parser of the Prometheus text exposition format 0.0.4, straight from the body bytes, accepting
 * exactly what Prometheus 2.x accepts (model/textparse/promlex.l): blanks are spaces and tabs and may
 * appear between tokens (but not before a sample's metric name), commas between label pairs are
 * optional and one may trail, a raw newline may sit inside a quoted label value, the value may follow
 * the label set or even the metric name without a blank when it cannot be read as part of the name,
 * timestamps are digits only, HELP and TYPE lines are checked, other comments are ignored, a NUL at
 * the start of a line ends the input, and a missing final newline is fine.
 *
 * <p>Each sample goes to a {@link SampleSink} as byte ranges: metric names and label names point into
 * the body; label values too, unless they contain escapes ({@code \\}, {@code \"}, {@code \n}; others stay
 * as written), in which case they are unescaped into a reused buffer. Nothing is allocated per sample.
 * The first invalid line makes the whole body invalid, as in Prometheus, with a {@link ParseException}
 * naming the line. Not thread-safe; reusable.
 */
public final class TextParser implements ExpositionParser {
  private final ParsedLabels labels = new ParsedLabels();
  private byte[] unescaped = new byte[256];
  private int unescapedLen;
  private int line;
  private int braceNewlines;
  private boolean remembers;
  /** The sink, when it wants HELP and TYPE lines; null otherwise. */
  private SampleSink metadataSink;

  @Override
  public int parse(byte[] buf, int off, int len, SampleSink sink) throws ParseException {
    int pos = off;
    int end = off + len;
    line = 1;
    remembers = sink.remembersSeries();
    metadataSink = sink.wantsMetadata() ? sink : null;
    int samples = 0;
    while (pos < end) {
      int lineStart = pos;
      pos = skipBlanks(buf, pos, end);
      if (pos == end) {
        break;
      }
      byte c = buf[pos];
      if (c == '\n') {
        pos++;
      } else if (c == '#') {
        pos = comment(buf, pos + 1, end, lineStart);
      } else if (c == 0) {
        break; // Prometheus' lexer reads a NUL at the start of a line as the end of the input
      } else {
        if (pos != lineStart) {
          // Prometheus keeps the indentation in the metric name, which then fails validation
          throw error("invalid metric name or label names: the sample line is indented", buf, lineStart, end);
        }
        pos = sample(buf, pos, end, lineStart, sink);
        samples++;
      }
      line++;
    }
    metadataSink = null;
    return samples;
  }

  /** Parses a sample line starting at a metric name; returns the position after its newline. */
  private int sample(byte[] b, int pos, int end, int lineStart, SampleSink sink) throws ParseException {
    int nameOff = pos;
    if (!isMetricNameStart(b[pos])) {
      throw error("expected a metric name", b, lineStart, end);
    }
    pos++;
    while (pos < end && isMetricNameChar(b[pos])) {
      pos++;
    }
    int nameLen = pos - nameOff;
    int seriesEnd = pos;
    int afterName = skipBlanks(b, pos, end);
    int handle = -1;
    if (remembers) {
      if (afterName < end && b[afterName] == '{') {
        seriesEnd = closingBrace(b, afterName + 1, end);
      }
      handle = seriesEnd < 0 ? -1 : sink.known(b, nameOff, seriesEnd);
    }
    if (handle >= 0) {
      // a series text seen before: its labels were parsed and checked then
      line += braceNewlines;
      pos = skipBlanks(b, seriesEnd, end);
    } else {
      labels.reset(b);
      unescapedLen = 0;
      pos = afterName;
      seriesEnd = nameOff + nameLen;
      if (pos < end && b[pos] == '{') {
        pos = labelSet(b, pos + 1, end, lineStart);
        seriesEnd = pos;
        pos = skipBlanks(b, pos, end);
      }
      labels.seriesEnd(seriesEnd);
    }
    int valueOff = pos;
    while (pos < end && !isBlank(b[pos]) && b[pos] != '\n' && b[pos] != '{' && b[pos] != 0) {
      pos++;
    }
    if (pos == valueOff) {
      throw error("expected a value after the metric", b, lineStart, end);
    }
    double value = value(b, valueOff, pos - valueOff, lineStart, end);
    long timestamp = SampleSink.NO_TIMESTAMP;
    pos = skipBlanks(b, pos, end);
    if (pos < end && b[pos] != '\n') {
      int tsOff = pos;
      while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
        pos++;
      }
      if (pos == tsOff) {
        throw error("expected a timestamp or the end of the line", b, lineStart, end);
      }
      timestamp = timestamp(b, tsOff, pos, lineStart, end);
      pos = skipBlanks(b, pos, end);
      if (pos < end && b[pos] != '\n') {
        throw error("unexpected text after the timestamp", b, lineStart, end);
      }
    }
    String problem = handle >= 0 ? sink.knownSample(handle, value, timestamp)
        : sink.sample(b, nameOff, nameLen, labels, value, timestamp);
    if (problem != null) {
      throw error(problem, b, lineStart, end);
    }
    return pos < end ? pos + 1 : pos;
  }

  /**
   * The position after the '}' closing a label set that starts at {@code pos}, skipping quoted values
   * (and counting the newlines inside them), or -1 when there is none. Scans eight bytes at a time for
   * the few bytes that matter ('"', '\\', '}', newline).
   */
  private int closingBrace(byte[] b, int pos, int end) {
    boolean quoted = false;
    int newlines = 0;
    braceNewlines = 0;
    while (pos < end) {
      if (pos + 8 <= end) {
        long word = (long) LONGS.get(b, pos);
        long hits = match(word, QUOTES) | match(word, BACKSLASHES) | match(word, BRACES) | match(word, NEWLINES);
        if (hits == 0) {
          pos += 8;
          continue;
        }
        pos += Long.numberOfTrailingZeros(hits) >>> 3;
      }
      byte c = b[pos];
      if (quoted) {
        if (c == '\\') {
          pos++;
        } else if (c == '"') {
          quoted = false;
        } else if (c == '\n') {
          newlines++;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '}') {
        braceNewlines = newlines;
        return pos + 1;
      } else if (c == '\n') {
        return -1;
      }
      pos++;
    }
    return -1;
  }

  private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
      long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long BRACES = ONES * '}';
  private static final long NEWLINES = ONES * '\n';

  /** High bit set in each byte of {@code word} equal to the byte repeated in {@code pattern} (lowest hit exact). */
  private static long match(long word, long pattern) {
    long x = word ^ pattern;
    return (x - ONES) & ~x & HIGHS;
  }

  /** Parses labels after '{'; returns the position after '}'. */
  private int labelSet(byte[] b, int pos, int end, int lineStart) throws ParseException {
    while (true) {
      pos = skipBlanks(b, pos, end);
      if (pos >= end || b[pos] == '\n') {
        throw error("unterminated label set", b, lineStart, end);
      }
      if (b[pos] == '}') {
        return pos + 1;
      }
      int nOff = pos;
      if (!isLabelNameStart(b[pos])) {
        throw error(b[pos] == ',' ? "expected a label name, got a comma" : "expected a label name", b, lineStart,
            end);
      }
      pos++;
      while (pos < end && isLabelNameChar(b[pos])) {
        pos++;
      }
      int nLen = pos - nOff;
      pos = skipBlanks(b, pos, end);
      if (pos >= end || b[pos] != '=') {
        throw error("expected '=' after the label name", b, lineStart, end);
      }
      pos = skipBlanks(b, pos + 1, end);
      if (pos >= end || b[pos] != '"') {
        throw error("expected a quoted label value", b, lineStart, end);
      }
      pos++;
      int vOff = pos;
      boolean escaped = false;
      int high = 0;
      // a raw newline inside the quotes is part of the value, as in Prometheus' lexer
      while (pos < end) {
        if (pos + 8 <= end) {
          // skip plain ASCII eight bytes at a time
          long word = (long) LONGS.get(b, pos);
          long hits = match(word, QUOTES) | match(word, BACKSLASHES) | match(word, NEWLINES) | (word & HIGHS);
          if (hits == 0) {
            pos += 8;
            continue;
          }
          pos += Long.numberOfTrailingZeros(hits) >>> 3;
        }
        byte c = b[pos];
        if (c == '"') {
          break;
        }
        high |= c;
        if (c == '\n') {
          line++;
        } else if (c == '\\') {
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
      if (high < 0 && !Utf8.valid(b, vOff, pos - vOff)) {
        throw error("invalid UTF-8 label value", b, lineStart, end);
      }
      if (escaped) {
        int uOff = unescape(b, vOff, pos);
        labels.add(nOff, nLen, unescaped, uOff, unescapedLen - uOff);
      } else {
        labels.add(nOff, nLen, b, vOff, pos - vOff);
      }
      pos = skipBlanks(b, pos + 1, end);
      // commas between pairs are optional in Prometheus' lexer; one may also trail
      if (pos < end && b[pos] == ',') {
        pos = skipBlanks(b, pos + 1, end);
        if (pos < end && b[pos] == ',') {
          throw error("expected a label name, got a second comma", b, lineStart, end);
        }
      }
      if (pos < end && b[pos] == '}') {
        return pos + 1;
      }
      if (pos >= end || !isLabelNameStart(b[pos])) {
        throw error("expected ',' or '}' after a label", b, lineStart, end);
      }
    }
  }

  /** Unescapes \\, \" and \n (other sequences stay as written); returns the start in the buffer. */
  private int unescape(byte[] b, int from, int to) {
    if (unescapedLen + (to - from) > unescaped.length) {
      // earlier labels of this line keep pointing at the old array, which stays valid
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

  /** Parses a comment after '#'; returns the position after its newline. */
  private int comment(byte[] b, int pos, int end, int lineStart) throws ParseException {
    int lineEnd = indexOf(b, (byte) '\n', pos, end);
    int afterHash = pos;
    pos = skipBlanks(b, pos, end);
    boolean help = startsWith(b, pos, lineEnd, "HELP");
    boolean type = startsWith(b, pos, lineEnd, "TYPE");
    if (pos == afterHash || !(help || type) || pos + 4 >= lineEnd || !isBlank(b[pos + 4])) {
      return lineEnd < end ? lineEnd + 1 : lineEnd; // an ordinary comment
    }
    pos = skipBlanks(b, pos + 4, lineEnd);
    if (pos >= lineEnd || !isMetricNameStart(b[pos])) {
      throw error("expected a metric name after " + (help ? "HELP" : "TYPE"), b, lineStart, end);
    }
    int nameOff = pos;
    while (pos < lineEnd && isMetricNameChar(b[pos])) {
      pos++;
    }
    int nameLen = pos - nameOff;
    // Prometheus takes the text after the name, minus its first character
    int textOff = Math.min(pos + 1, lineEnd);
    if (type) {
      int tl = lineEnd - textOff;
      if (!(Bytes.equalsAscii(b, textOff, tl, "counter") || Bytes.equalsAscii(b, textOff, tl, "gauge")
          || Bytes.equalsAscii(b, textOff, tl, "histogram") || Bytes.equalsAscii(b, textOff, tl, "summary")
          || Bytes.equalsAscii(b, textOff, tl, "untyped"))) {
        throw error("invalid metric type \"" + new String(b, textOff, tl, StandardCharsets.UTF_8) + "\"", b,
            lineStart, end);
      }
    } else if (!Utf8.valid(b, textOff, lineEnd - textOff)) {
      throw error("help text is not a valid utf8 string", b, lineStart, end);
    }
    if (metadataSink != null) {
      passMetadata(b, help, nameOff, nameLen, textOff, lineEnd);
    }
    return lineEnd < end ? lineEnd + 1 : lineEnd;
  }

  /**
   * Passes a checked HELP or TYPE line to the sink. HELP text gets Prometheus' text-format unescaping:
   * only {@code \\} and {@code \n} (unlike label values, {@code \"} stays as written).
   */
  private void passMetadata(byte[] b, boolean help, int nameOff, int nameLen, int textOff, int textEnd) {
    if (!help) {
      metadataSink.metadata(MetadataKind.TYPE, b, nameOff, nameLen, b, textOff, textEnd - textOff);
      return;
    }
    if (indexOf(b, (byte) '\\', textOff, textEnd) == textEnd) {
      metadataSink.metadata(MetadataKind.HELP, b, nameOff, nameLen, b, textOff, textEnd - textOff);
      return;
    }
    if (textEnd - textOff > unescaped.length) {
      unescaped = new byte[textEnd - textOff];
    }
    int out = 0;
    for (int i = textOff; i < textEnd; i++) {
      byte c = b[i];
      if (c == '\\' && i + 1 < textEnd && (b[i + 1] == '\\' || b[i + 1] == 'n')) {
        c = b[++i] == 'n' ? (byte) '\n' : (byte) '\\';
      }
      unescaped[out++] = c;
    }
    metadataSink.metadata(MetadataKind.HELP, b, nameOff, nameLen, unescaped, 0, out);
  }

  private double value(byte[] b, int off, int len, int lineStart, int end) throws ParseException {
    try {
      return FloatParser.parse(b, off, len);
    } catch (NumberFormatException e) {
      throw error("invalid value \"" + new String(b, off, Math.min(len, 64), StandardCharsets.UTF_8) + "\"", b,
          lineStart, end);
    }
  }

  private long timestamp(byte[] b, int from, int to, int lineStart, int end) throws ParseException {
    long v = 0;
    for (int pos = from; pos < to; pos++) {
      int d = b[pos] - '0';
      if (v > (Long.MAX_VALUE - d) / 10) {
        throw error("timestamp out of range", b, lineStart, end);
      }
      v = v * 10 + d;
    }
    return v;
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

  static int indexOf(byte[] b, byte c, int from, int to) {
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

  private static final byte LABEL_START = 1;
  private static final byte LABEL_CHAR = 2;
  private static final byte METRIC_START = 4;
  private static final byte METRIC_CHAR = 8;
  private static final byte[] CLASS = new byte[256];

  static {
    for (int c = 0; c < 128; c++) {
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      boolean digit = c >= '0' && c <= '9';
      int k = 0;
      if (letter) {
        k |= LABEL_START | LABEL_CHAR | METRIC_START | METRIC_CHAR;
      }
      if (digit) {
        k |= LABEL_CHAR | METRIC_CHAR;
      }
      if (c == ':') {
        k |= METRIC_START | METRIC_CHAR;
      }
      CLASS[c] = (byte) k;
    }
  }

  static boolean isMetricNameStart(byte c) {
    return (CLASS[c & 0xFF] & METRIC_START) != 0;
  }

  static boolean isMetricNameChar(byte c) {
    return (CLASS[c & 0xFF] & METRIC_CHAR) != 0;
  }

  static boolean isLabelNameStart(byte c) {
    return (CLASS[c & 0xFF] & LABEL_START) != 0;
  }

  static boolean isLabelNameChar(byte c) {
    return (CLASS[c & 0xFF] & LABEL_CHAR) != 0;
  }

  private ParseException error(String problem, byte[] b, int start, int end) {
    int lineEnd = indexOf(b, (byte) '\n', start, end);
    int len = lineEnd - start;
    String text = new String(b, start, Math.min(len, 120), StandardCharsets.UTF_8);
    if (len > 120) {
      text += "...";
    }
    return new ParseException(line, problem, text);
  }
}
