package io.clymene.transport.kafka;

import io.clymene.codec.json.Utf8Runes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small strict pull parser for the JSON record values, over bytes, that knows where it is: every error is
 * a {@link RecordDecodeException} with the byte offset and the JSON path ({@code $.timeseries[2].labels[0]
 * .name}) of the token at fault. Only RFC 8259 JSON is accepted (no comments, no NaN literals, no trailing
 * commas); strings must be valid UTF-8; a lone surrogate escape becomes U+FFFD, as in Go. Reusable after
 * {@link #reset}, not thread-safe.
 */
final class JsonReader {
  /** Kinds of the next value, from {@link #peekKind()}. */
  static final int STRING = 1;
  static final int NUMBER = 2;
  static final int OBJECT = 3;
  static final int ARRAY = 4;
  static final int LITERAL = 5;
  static final int END = 6;

  private final KafkaEncoding encoding;
  private byte[] in;
  private int end;
  private int pos;

  /** Path stack: a field name, or null with an array index. */
  private String[] keys = new String[16];
  private int[] indexes = new int[16];
  /** Per open container: whether its first member was read. */
  private boolean[] started = new boolean[16];
  private int depth;
  /** Where the current field's name starts. */
  private int fieldStart;
  private final StringBuilder chars = new StringBuilder(64);

  JsonReader(KafkaEncoding encoding) {
    this.encoding = encoding;
  }

  JsonReader reset(byte[] value, int len) {
    this.in = value;
    this.end = len;
    this.pos = 0;
    this.depth = 0;
    return this;
  }

  int position() {
    return pos;
  }

  /** Skips whitespace; true when the input is used up. */
  boolean atEnd() {
    skipWs();
    return pos >= end;
  }

  /** The kind of the next value (after whitespace), without consuming it. */
  int peekKind() throws RecordDecodeException {
    skipWs();
    if (pos >= end) {
      return END;
    }
    byte b = in[pos];
    return switch (b) {
      case '"' -> STRING;
      case '{' -> OBJECT;
      case '[' -> ARRAY;
      case 't', 'f', 'n' -> LITERAL;
      default -> (b == '-' || (b >= '0' && b <= '9')) ? NUMBER : fail("unexpected character " + describe(b));
    };
  }

  /** Consumes {@code null} if it comes next. */
  boolean nextIsNull() throws RecordDecodeException {
    skipWs();
    if (pos < end && in[pos] == 'n') {
      literal("null");
      return true;
    }
    return false;
  }

  void beginObject(String what) throws RecordDecodeException {
    begin('{', what);
  }

  void beginArray(String what) throws RecordDecodeException {
    begin('[', what);
  }

  private void begin(char open, String what) throws RecordDecodeException {
    skipWs();
    if (pos >= end || in[pos] != open) {
      fail("expected " + what + ", got " + found());
    }
    pos++;
    push(null, -1);
  }

  /**
   * Moves to the next field of the open object: true with the path on its name ({@link #fieldName()}) and
   * the input on its value, false after the closing brace.
   */
  boolean nextField() throws RecordDecodeException {
    skipWs();
    int d = depth - 1;
    if (pos < end && in[pos] == '}') {
      pos++;
      depth--;
      return false;
    }
    if (started[d]) {
      expectChar(',', "',' or '}'");
      skipWs();
    }
    started[d] = true;
    keys[d] = null;
    if (pos >= end || in[pos] != '"') {
      fail("expected a field name or '}', got " + found());
    }
    fieldStart = pos;
    keys[d] = readString();
    skipWs();
    expectChar(':', "':'");
    return true;
  }

  /** The byte offset of the current field's name. */
  int fieldPosition() {
    return fieldStart;
  }

  /** The name of the current field. */
  String fieldName() {
    return keys[depth - 1];
  }

  /** Moves to the next element of the open array: true on it, false after the closing bracket. */
  boolean nextElement() throws RecordDecodeException {
    skipWs();
    int d = depth - 1;
    if (pos < end && in[pos] == ']') {
      pos++;
      depth--;
      return false;
    }
    if (started[d]) {
      expectChar(',', "',' or ']'");
      indexes[d]++;
    } else {
      indexes[d] = 0;
    }
    started[d] = true;
    skipWs();
    return true;
  }

  /**
   * Enters the {@code index}th top-level value of a record holding a sequence of values (json-lines), so
   * that paths read {@code $[index].field}; leave with {@link #leaveSequenceItem()}.
   */
  void enterSequenceItem(int index) {
    push(null, index);
  }

  void leaveSequenceItem() {
    depth--;
  }

  /** Reads a string value. */
  String readString() throws RecordDecodeException {
    skipWs();
    if (pos >= end || in[pos] != '"') {
      fail("expected a string, got " + found());
    }
    int start = ++pos;
    // fast path: plain ASCII without escapes
    while (pos < end) {
      byte b = in[pos];
      if (b == '"') {
        pos++;
        return new String(in, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
      }
      if (b == '\\' || b < 0x20) {
        break;
      }
      pos++;
    }
    pos = start;
    return readStringSlow(start - 1);
  }

  private String readStringSlow(int quote) throws RecordDecodeException {
    StringBuilder sb = chars;
    sb.setLength(0);
    while (true) {
      if (pos >= end) {
        failAt(quote, "unterminated string");
      }
      int b = in[pos] & 0xFF;
      if (b == '"') {
        pos++;
        return sb.toString();
      }
      if (b < 0x20) {
        fail("control character " + describe((byte) b) + " in string (must be escaped)");
      }
      if (b == '\\') {
        readEscape(sb);
      } else if (b < 0x80) {
        sb.append((char) b);
        pos++;
      } else {
        int n = Utf8Runes.validSequenceLength(in, pos, end);
        if (n == 0) {
          fail("invalid UTF-8 in string");
        }
        sb.append(new String(in, pos, n, StandardCharsets.UTF_8));
        pos += n;
      }
    }
  }

  private void readEscape(StringBuilder sb) throws RecordDecodeException {
    if (pos + 1 >= end) {
      fail("unterminated escape in string");
    }
    byte e = in[pos + 1];
    switch (e) {
      case '"', '\\', '/' -> sb.append((char) e);
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'n' -> sb.append('\n');
      case 'r' -> sb.append('\r');
      case 't' -> sb.append('\t');
      case 'u' -> {
        char c = hex4(pos + 2);
        if (Character.isHighSurrogate(c) && pos + 11 < end && in[pos + 6] == '\\' && in[pos + 7] == 'u') {
          char low = hex4(pos + 8);
          if (Character.isLowSurrogate(low)) {
            sb.append(c).append(low);
            pos += 12;
            return;
          }
        }
        sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
        pos += 6;
        return;
      }
      default -> fail("invalid escape \\" + (char) (e & 0x7F) + " in string");
    }
    pos += 2;
  }

  private char hex4(int at) throws RecordDecodeException {
    if (at + 4 > end) {
      pos = at;
      fail("truncated \\u escape");
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(in[at + k], 16);
      if (d < 0) {
        pos = at + k;
        fail("invalid hex digit in \\u escape");
      }
      v = (v << 4) | d;
    }
    return (char) v;
  }

  /**
   * Reads a number token (RFC 8259 grammar) and returns its text; {@code integer} is set when it has no
   * fraction or exponent.
   */
  String readNumberText() throws RecordDecodeException {
    skipWs();
    int start = pos;
    if (pos < end && in[pos] == '-') {
      pos++;
    }
    if (pos >= end || !digit(in[pos])) {
      fail("expected a number, got " + found());
    }
    if (in[pos] == '0') {
      pos++;
    } else {
      while (pos < end && digit(in[pos])) {
        pos++;
      }
    }
    if (pos < end && in[pos] == '.') {
      pos++;
      if (pos >= end || !digit(in[pos])) {
        fail("expected a digit after '.'");
      }
      while (pos < end && digit(in[pos])) {
        pos++;
      }
    }
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (pos >= end || !digit(in[pos])) {
        fail("expected a digit in the exponent");
      }
      while (pos < end && digit(in[pos])) {
        pos++;
      }
    }
    return new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
  }

  /** Whether a string is a complete JSON number (RFC 8259 grammar); on the path of every Go timestamp. */
  static boolean isNumber(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    int digits = i;
    if (i < n && s.charAt(i) == '0') {
      i++;
    } else {
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
    }
    if (i == digits) {
      return false;
    }
    if (i < n && s.charAt(i) == '.') {
      int f = ++i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == f) {
        return false;
      }
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int e = i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == e) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void literal(String word) throws RecordDecodeException {
    int n = word.length();
    if (pos + n > end || !new String(in, pos, n, StandardCharsets.ISO_8859_1).equals(word)) {
      fail("unexpected character " + describe(in[pos]));
    }
    pos += n;
  }

  /** Fails unless only whitespace is left. */
  void expectEnd(String what) throws RecordDecodeException {
    if (!atEnd()) {
      fail("unexpected " + found() + " after " + what);
    }
  }

  /** Fails at the current position and path. */
  <T> T fail(String problem) throws RecordDecodeException {
    throw new RecordDecodeException(encoding, pos, path(), problem);
  }

  /** Fails at a given position, with the current path. */
  <T> T failAt(int at, String problem) throws RecordDecodeException {
    throw new RecordDecodeException(encoding, at, path(), problem);
  }

  /** The JSON path of the current value, e.g. {@code $.timeseries[0].samples[3].value}. */
  String path() {
    StringBuilder sb = new StringBuilder("$");
    for (int d = 0; d < depth; d++) {
      if (keys[d] != null) {
        sb.append('.').append(keys[d]);
      } else if (indexes[d] >= 0) {
        sb.append('[').append(indexes[d]).append(']');
      }
    }
    return sb.toString();
  }

  /** A short rendering of the token at the current position, for error messages. */
  String found() {
    skipWs();
    if (pos >= end) {
      return "end of input";
    }
    return switch (in[pos]) {
      case '"' -> "a string";
      case '{' -> "an object";
      case '[' -> "an array";
      case 't', 'f' -> "a boolean";
      case 'n' -> "null";
      default -> (in[pos] == '-' || digit(in[pos])) ? "a number" : "character " + describe(in[pos]);
    };
  }

  private static String describe(byte b) {
    int c = b & 0xFF;
    return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("0x%02x", c);
  }

  private void expectChar(char c, String what) throws RecordDecodeException {
    if (pos >= end || in[pos] != c) {
      fail("expected " + what + ", got " + found());
    }
    pos++;
  }

  private void push(String key, int index) {
    if (depth == keys.length) {
      keys = Arrays.copyOf(keys, depth * 2);
      indexes = Arrays.copyOf(indexes, depth * 2);
      started = Arrays.copyOf(started, depth * 2);
    }
    keys[depth] = key;
    indexes[depth] = index;
    started[depth] = false;
    depth++;
  }

  private void skipWs() {
    while (pos < end) {
      byte b = in[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }

  private static boolean digit(byte b) {
    return b >= '0' && b <= '9';
  }
}
