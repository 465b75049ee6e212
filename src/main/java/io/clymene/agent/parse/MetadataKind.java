package io.clymene.agent.parse;

import io.clymene.model.MetricMetadata;

/** The kind of a metadata line a parser passes to {@link SampleSink#metadata}. */
public enum MetadataKind {
  /** {@code # HELP name text}: the text with its escapes resolved. */
  HELP,
  /** {@code # TYPE name type}: the type as written, already checked by the parser. */
  TYPE,
  /** {@code # UNIT name unit} (OpenMetrics only): the unit as written. */
  UNIT;

  /**
   * The metric type a {@code # TYPE} text names, as Prometheus maps it: the text format's
   * {@code untyped} and OpenMetrics' {@code unknown} are {@link MetricMetadata.Type#UNKNOWN}, the others
   * keep their name (OpenMetrics' {@code gaugehistogram}, {@code info} and {@code stateset} included).
   * Allocates nothing.
   */
  public static MetricMetadata.Type metricType(byte[] buf, int off, int len) {
    for (MetricMetadata.Type t : TYPES) {
      if (t != MetricMetadata.Type.UNKNOWN && equalsLowerCase(buf, off, len, t.name())) {
        return t;
      }
    }
    return MetricMetadata.Type.UNKNOWN;
  }

  private static final MetricMetadata.Type[] TYPES = MetricMetadata.Type.values();

  private static boolean equalsLowerCase(byte[] b, int off, int len, String upper) {
    if (len != upper.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (b[off + i] != Character.toLowerCase(upper.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
