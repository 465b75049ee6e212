package io.clymene.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The metadata of one metric family, as exposed by {@code # TYPE}, {@code # HELP} and {@code # UNIT}
 * lines: what remote write sends next to the samples.
 *
 * @param family the metric family name, e.g. {@code http_requests} or {@code http_requests_total}
 * @param type the family's type
 * @param help the HELP text, empty when none
 * @param unit the unit, empty when none
 */
public record MetricMetadata(String family, Type type, String help, String unit) {

  /** Suffixes a series name may add to its family name, with the family types that allow each. */
  private static final List<Suffix> SUFFIXES = List.of(
      new Suffix("_total", EnumSet.of(Type.COUNTER)),
      new Suffix("_bucket", EnumSet.of(Type.HISTOGRAM, Type.GAUGEHISTOGRAM)),
      new Suffix("_sum", EnumSet.of(Type.HISTOGRAM, Type.SUMMARY)),
      new Suffix("_count", EnumSet.of(Type.HISTOGRAM, Type.SUMMARY)),
      new Suffix("_gsum", EnumSet.of(Type.GAUGEHISTOGRAM)),
      new Suffix("_gcount", EnumSet.of(Type.GAUGEHISTOGRAM)),
      new Suffix("_created", EnumSet.of(Type.COUNTER, Type.HISTOGRAM, Type.SUMMARY, Type.GAUGEHISTOGRAM)),
      new Suffix("_info", EnumSet.of(Type.INFO)));

  /** Validates; null help or unit become empty. */
  public MetricMetadata {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(type, "type");
    help = help == null ? "" : help;
    unit = unit == null ? "" : unit;
  }

  /**
   * The metadata of the family a series belongs to: the family named exactly like the series, else
   * the family the series name minus a type-specific suffix names ({@code _total} for counters,
   * {@code _bucket}, {@code _sum}, {@code _count} for histograms, ...) when that family's type allows
   * the suffix, as Prometheus matches series to families.
   *
   * @param metricName the series' {@code __name__}
   * @param byFamily metadata by family name; returns null for unknown families
   * @return the metadata, or null
   */
  public static MetricMetadata forSeries(String metricName, Function<String, MetricMetadata> byFamily) {
    MetricMetadata exact = byFamily.apply(metricName);
    if (exact != null) {
      return exact;
    }
    for (Suffix s : SUFFIXES) {
      if (metricName.length() > s.text.length() && metricName.endsWith(s.text)) {
        MetricMetadata m = byFamily.apply(metricName.substring(0, metricName.length() - s.text.length()));
        if (m != null && s.types.contains(m.type)) {
          return m;
        }
      }
    }
    return null;
  }

  /** Metric types; {@link #ordinal()} is the value remote write 1.0 and 2.0 use on the wire. */
  public enum Type {
    UNKNOWN, COUNTER, GAUGE, HISTOGRAM, GAUGEHISTOGRAM, SUMMARY, INFO, STATESET;

    /** The protobuf enum number (the same in remote write 1.0 and 2.0). */
    public int wireValue() {
      return ordinal();
    }
  }

  private record Suffix(String text, Set<Type> types) {
  }
}
