package io.clymene.transport.kafka;

/** Reads sample values and timestamps from JSON numbers and strings, with errors a reader can act on. */
final class JsonNumbers {
  /** The proto3 JSON spellings of non-finite doubles, as gogo {@code jsonpb} writes and reads them. */
  static final int PROTO_JSON_NON_FINITE = 1;
  /** The {@code json-lines} spellings: {@code NaN}, {@code +Inf}, {@code -Inf}, {@code StaleNaN}. */
  static final int JSON_LINES_NON_FINITE = 2;

  private JsonNumbers() {
  }

  /**
   * Reads a double from a number, a string holding a number, or one of the non-finite spellings of
   * {@code mode}.
   */
  static double readDouble(JsonReader r, int mode) throws RecordDecodeException {
    int kind = r.peekKind();
    int at = r.position();
    if (kind == JsonReader.NUMBER) {
      return parseDouble(r, at, r.readNumberText());
    }
    if (kind != JsonReader.STRING) {
      return r.fail("expected a number, got " + r.found());
    }
    String s = r.readString();
    if (mode == PROTO_JSON_NON_FINITE) {
      switch (s) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
        }
      }
    } else {
      switch (s) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "StaleNaN" -> {
          return io.clymene.model.StaleMarkers.STALE_NAN;
        }
        case "+Inf" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Inf" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
        }
      }
    }
    if (JsonReader.isNumber(s)) {
      return parseDouble(r, at, s);
    }
    String allowed = mode == PROTO_JSON_NON_FINITE ? "\"NaN\", \"Infinity\" or \"-Infinity\""
        : "\"NaN\", \"StaleNaN\", \"+Inf\" or \"-Inf\"";
    return r.failAt(at, "expected a number or " + allowed + ", got " + quote(s));
  }

  private static double parseDouble(JsonReader r, int at, String text) throws RecordDecodeException {
    double v = Double.parseDouble(text);
    if (Double.isInfinite(v)) {
      return r.failAt(at, "number " + text + " is out of the range of a double");
    }
    return v;
  }

  /** Reads an int64 from an integer number or, when {@code allowString}, a string holding one. */
  static long readLong(JsonReader r, boolean allowString) throws RecordDecodeException {
    int kind = r.peekKind();
    int at = r.position();
    String text;
    if (kind == JsonReader.NUMBER) {
      text = r.readNumberText();
    } else if (kind == JsonReader.STRING && allowString) {
      text = r.readString();
      if (!JsonReader.isNumber(text)) {
        return r.failAt(at, "expected an integer, got " + quote(text));
      }
    } else {
      return r.fail("expected an integer" + (allowString ? " or a string holding one" : "") + ", got "
          + r.found());
    }
    if (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
      return r.failAt(at, "expected an integer, got " + text);
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return r.failAt(at, "integer " + text + " is out of the range of an int64");
    }
  }

  /** A string quoted for an error message, shortened if long. */
  static String quote(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return "\"" + t.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
