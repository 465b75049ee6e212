package io.clymene.gateway.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders OTLP attribute values as label values the way the OpenTelemetry Collector's
 * {@code pcommon.Value.AsString()} does, which Prometheus' OTLP receiver uses: strings as they are,
 * booleans and integers in decimal, doubles as JavaScript would print them, bytes in base64, and arrays
 * and key-value lists as JSON (keys sorted; the later of duplicated keys wins).
 */
final class AttributeValues {

  private AttributeValues() {
  }

  /** The label value of an attribute value. */
  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        yield Double.isFinite(d) ? es6(d)
            : "json: unsupported value: " + (Double.isNaN(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
      }
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      // a NaN or infinity inside makes the JSON encoding fail, and the value empty, as in Go
      case ARRAY_VALUE, KVLIST_VALUE -> {
        StringBuilder sb = new StringBuilder();
        yield appendJson(sb, v) ? sb.toString() : "";
      }
      case VALUE_NOT_SET -> "";
    };
  }

  /** Appends {@code v} as Go's encoding/json marshals its raw form; false if it holds a non-finite double. */
  private static boolean appendJson(StringBuilder sb, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> appendJsonString(sb, v.getStringValue());
      case BOOL_VALUE -> sb.append(v.getBoolValue());
      case INT_VALUE -> sb.append(v.getIntValue());
      case DOUBLE_VALUE -> {
        if (!Double.isFinite(v.getDoubleValue())) {
          return false;
        }
        sb.append(es6(v.getDoubleValue()));
      }
      case BYTES_VALUE -> sb.append('"')
          .append(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray())).append('"');
      case ARRAY_VALUE -> {
        sb.append('[');
        int n = v.getArrayValue().getValuesCount();
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            sb.append(',');
          }
          if (!appendJson(sb, v.getArrayValue().getValues(i))) {
            return false;
          }
        }
        sb.append(']');
      }
      case KVLIST_VALUE -> {
        // Go sorts map keys by their bytes, that is by code point, which String order is not
        Map<String, AnyValue> sorted = new TreeMap<>(AttributeValues::compareCodePoints);
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          sorted.put(kv.getKey(), kv.getValue());
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, AnyValue> e : sorted.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          appendJsonString(sb, e.getKey());
          sb.append(':');
          if (!appendJson(sb, e.getValue())) {
            return false;
          }
        }
        sb.append('}');
      }
      case VALUE_NOT_SET -> sb.append("null");
    }
    return true;
  }

  /** A JSON string with Go's escapes: HTML characters and U+2028/9 as {@code \}{@code u} escapes. */
  private static void appendJsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * A finite double as JavaScript's Number.toString (and Go's JSON encoder) writes it: plain decimal,
   * or exponent form below 1e-6 and from 1e21 ({@code 1e+21}, {@code 1.5e-7}).
   */
  static String es6(double d) {
    if (d == 0) {
      return Double.doubleToRawLongBits(d) < 0 ? "-0" : "0";
    }
    double abs = Math.abs(d);
    if (abs >= 1e-6 && abs < 1e21) {
      return PrometheusNames.formatFloat(d);
    }
    java.math.BigDecimal b = PrometheusNames.shortest(d).stripTrailingZeros();
    String digits = b.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - b.scale();
    StringBuilder sb = new StringBuilder();
    if (d < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exponent < 0 ? '-' : '+');
    // Go writes at least two exponent digits and the JSON encoder strips the 0 of e-07: what is left is
    // the plain number, as positive exponents here are at least 21
    sb.append(Math.abs(exponent));
    return sb.toString();
  }

  /** Orders strings by code point, as Go orders them by UTF-8 bytes. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
