package io.clymene.gateway.otlp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates OTLP metric names, units and attribute keys to Prometheus names, following Prometheus' OTLP
 * receiver with its default settings (metric suffixes added, no namespace): {@code system.io} with unit
 * {@code By} as a monotonic sum becomes {@code system_io_bytes_total}; attribute {@code http.method}
 * becomes label {@code http_method}.
 *
 * <p>One deliberate difference: Prometheus 2.x keeps non-ASCII letters and digits (then drops the series
 * as invalid under its legacy name validation); here every character outside {@code [A-Za-z0-9]} is a
 * separator, so names always pass {@link io.clymene.model.LabelNames}' validation.
 */
public final class PrometheusNames {

  /** OTLP (UCUM) units to the Prometheus unit words appended to metric names. */
  private static final Map<String, String> UNITS = Map.ofEntries(
      Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"),
      Map.entry("s", "seconds"), Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"),
      Map.entry("ns", "nanoseconds"),
      Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
      Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
      Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
      Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
      Map.entry("W", "watts"), Map.entry("g", "grams"),
      Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"), Map.entry("1", ""), Map.entry("%", "percent"));

  /** The denominator of a rate unit ({@code By/s}) to the word after {@code per}. */
  private static final Map<String, String> PER_UNITS = Map.of(
      "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

  private PrometheusNames() {
  }

  /** The kind of an OTLP metric, as far as its Prometheus name depends on it. */
  public enum Kind {
    /** A gauge: gets {@code _ratio} when its unit is {@code 1}. */
    GAUGE,
    /** A monotonic sum, that is a counter: gets {@code _total}. */
    COUNTER,
    /** Anything else (non-monotonic sum, histogram, summary): only the unit is appended. */
    OTHER
  }

  /**
   * The Prometheus metric name of an OTLP metric: the name's alphanumeric runs joined by {@code _}, then
   * the unit's word unless already one of them ({@code s} as {@code seconds}; units in braces such as
   * {@code {requests}} dropped), then {@code per_} and the denominator's word for a rate unit, then
   * {@code total} for counters and {@code ratio} for gauges of unit {@code 1} (each moved to the end);
   * a leading digit gets a {@code _} prefix. May be empty (a name and unit with no letters or digits).
   */
  public static String metricName(String name, String unit, Kind kind) {
    List<String> tokens = tokens(name);
    int slash = unit.indexOf('/');
    String main = trimSpace(slash < 0 ? unit : unit.substring(0, slash));
    if (!main.isEmpty() && !hasBrace(main)) {
      String word = cleanUp(UNITS.getOrDefault(main, main));
      if (!word.isEmpty() && !tokens.contains(word)) {
        tokens.add(word);
      }
    }
    if (slash >= 0) {
      String per = trimSpace(unit.substring(slash + 1));
      if (!per.isEmpty() && !hasBrace(per)) {
        String word = cleanUp(PER_UNITS.getOrDefault(per, per));
        if (!word.isEmpty() && !tokens.contains(word)) {
          tokens.add("per");
          tokens.add(word);
        }
      }
    }
    if (kind == Kind.COUNTER) {
      moveToEnd(tokens, "total");
    }
    if (kind == Kind.GAUGE && unit.equals("1")) {
      moveToEnd(tokens, "ratio");
    }
    String joined = String.join("_", tokens);
    return !joined.isEmpty() && isDigit(joined.charAt(0)) ? "_" + joined : joined;
  }

  /**
   * The Prometheus label name of an attribute key: every character outside {@code [A-Za-z0-9]} becomes
   * {@code _} (one per code point); a leading digit gets a {@code key_} prefix and a single leading
   * underscore a {@code key} prefix, while a leading {@code __} is kept as it is. Empty stays empty.
   */
  public static String labelName(String key) {
    if (key.isEmpty()) {
      return key;
    }
    StringBuilder sb = new StringBuilder(key.length() + 4);
    key.codePoints().forEach(cp -> sb.append(isAlnum(cp) ? (char) cp : '_'));
    if (isDigit(sb.charAt(0))) {
      sb.insert(0, "key_");
    } else if (sb.charAt(0) == '_' && (sb.length() < 2 || sb.charAt(1) != '_')) {
      sb.insert(0, "key");
    }
    return sb.toString();
  }

  /**
   * A float as Go's {@code strconv.FormatFloat(v, 'f', -1, 64)} writes it, which Prometheus uses for the
   * {@code le} and {@code quantile} label values: the shortest decimal that reads back as the same double,
   * never in exponent form ({@code 0.005}, {@code 1}, {@code 1000000000000000000000}), and {@code +Inf},
   * {@code -Inf}, {@code NaN}.
   */
  public static String formatFloat(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
    }
    return shortest(v).stripTrailingZeros().toPlainString();
  }

  /** The shortest decimal that parses back to {@code v} (Double.toString is not always shortest on 17). */
  static BigDecimal shortest(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal d = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (d.doubleValue() == v) {
        return d;
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
  }

  /** The alphanumeric runs of {@code s}, in order. */
  private static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= s.length(); i++) {
      boolean alnum = i < s.length() && isAlnum(s.charAt(i));
      if (alnum && start < 0) {
        start = i;
      } else if (!alnum && start >= 0) {
        out.add(s.substring(start, i));
        start = -1;
      }
    }
    return out;
  }

  /** The alphanumeric runs of {@code s} joined by {@code _}. */
  static String cleanUp(String s) {
    return String.join("_", tokens(s));
  }

  private static void moveToEnd(List<String> tokens, String word) {
    tokens.removeIf(word::equals);
    tokens.add(word);
  }

  private static boolean hasBrace(String s) {
    return s.indexOf('{') >= 0 || s.indexOf('}') >= 0;
  }

  /** Trims white space as Go's {@code strings.TrimSpace} does (Unicode White_Space, not only ASCII). */
  static String trimSpace(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && isSpace(s.charAt(from))) {
      from++;
    }
    while (to > from && isSpace(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }

  private static boolean isSpace(char c) {
    if (c <= 0xFF) {
      return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
    }
    int type = Character.getType(c);
    return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static boolean isAlnum(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }
}
