package io.clymene.gateway.otlp;

import io.clymene.gateway.otlp.PrometheusNames.Kind;
import io.clymene.model.Labels;
import io.clymene.model.StaleMarkers;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Converts the metrics of an OTLP export request into Prometheus series as Prometheus' OTLP receiver
 * does with its default settings. Points it cannot convert (delta temporality, exponential histograms,
 * labels that stay invalid) are counted and the first reason kept; the rest is converted. Not
 * thread-safe; reusable after {@link #clear()}.
 */
final class MetricsConverter {
  static final String SERVICE_NAME = "service.name";
  static final String SERVICE_NAMESPACE = "service.namespace";
  static final String SERVICE_INSTANCE_ID = "service.instance.id";
  static final String TARGET_INFO = "target_info";
  private static final List<String> IDENTIFYING =
      List.of(SERVICE_NAMESPACE, SERVICE_NAME, SERVICE_INSTANCE_ID);
  private static final int NO_RECORDED_VALUE = DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE;
  private static final int MAX_QUOTED = 200;

  private final SeriesCollector out = new SeriesCollector();
  private int rejectedPoints;
  private int convertedPoints;
  /** The first reason points were rejected, or null. */
  private String rejection;
  /** The first problem that lost no point (a metric with no points or no type), or null. */
  private String warning;

  /** The job and instance labels a resource gives each of its series; null when absent. */
  private String job;
  private String instance;

  SeriesCollector series() {
    return out;
  }

  int rejectedPoints() {
    return rejectedPoints;
  }

  /** Data points converted (target_info samples are not data points of the request). */
  int convertedPoints() {
    return convertedPoints;
  }

  /** Why points were rejected (the first metric's), else the first warning, else null. */
  String message() {
    return rejection != null ? rejection : warning;
  }

  void clear() {
    out.clear();
    rejectedPoints = 0;
    convertedPoints = 0;
    rejection = null;
    warning = null;
  }

  void convert(ExportMetricsServiceRequest request) {
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      List<KeyValue> resource = rm.getResource().getAttributesList();
      String name = first(resource, SERVICE_NAME);
      String namespace = first(resource, SERVICE_NAMESPACE);
      job = name == null ? null : namespace == null ? name : namespace + "/" + name;
      instance = first(resource, SERVICE_INSTANCE_ID);
      long latest = 0;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          // like Prometheus, points of metrics rejected below still date the target_info sample
          latest = Points.latest(m, latest);
          convert(m);
        }
      }
      addTargetInfo(resource, latest);
    }
  }

  private void convert(Metric m) {
    int points = Points.count(m);
    switch (m.getDataCase()) {
      case GAUGE, SUMMARY -> { }
      case SUM -> {
        if (!cumulative(m, m.getSum().getAggregationTemporalityValue(), points)) {
          return;
        }
      }
      case HISTOGRAM -> {
        if (!cumulative(m, m.getHistogram().getAggregationTemporalityValue(), points)) {
          return;
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        reject(m, points, "exponential histograms are not supported");
        return;
      }
      default -> {
        warn(m, "no data (metric type not set)");
        return;
      }
    }
    if (points == 0) {
      warn(m, "no data points");
      return;
    }
    Kind kind = switch (m.getDataCase()) {
      case GAUGE -> Kind.GAUGE;
      case SUM -> m.getSum().getIsMonotonic() ? Kind.COUNTER : Kind.OTHER;
      default -> Kind.OTHER;
    };
    String name = PrometheusNames.metricName(m.getName(), m.getUnit(), kind);
    if (name.isEmpty()) {
      reject(m, points, "name and unit have no letters or digits to make a Prometheus metric name");
      return;
    }
    switch (m.getDataCase()) {
      case GAUGE -> numbers(m, m.getGauge().getDataPointsList(), name);
      case SUM -> numbers(m, m.getSum().getDataPointsList(), name);
      case HISTOGRAM -> histograms(m, m.getHistogram().getDataPointsList(), name);
      default -> summaries(m, m.getSummary().getDataPointsList(), name);
    }
  }

  /** Whether a sum or histogram is cumulative; if not, its points are rejected (as Prometheus 2.x does). */
  private boolean cumulative(Metric m, int temporality, int points) {
    switch (temporality) {
      case AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE_VALUE -> {
        return true;
      }
      case AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA_VALUE ->
          reject(m, points, "delta temporality is not supported, only cumulative");
      case AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED_VALUE ->
          reject(m, points, "aggregation temporality is unspecified, only cumulative is supported");
      default -> reject(m, points, "unknown aggregation temporality " + temporality);
    }
    return false;
  }

  private void numbers(Metric m, List<NumberDataPoint> points, String name) {
    for (NumberDataPoint p : points) {
      TreeMap<String, String> labels = pointLabels(m, p.getAttributesList());
      if (labels == null) {
        continue;
      }
      double v = switch (p.getValueCase()) {
        case AS_DOUBLE -> p.getAsDouble();
        case AS_INT -> p.getAsInt();
        default -> 0;
      };
      labels.put(Labels.METRIC_NAME, name);
      out.add(labels, millis(p.getTimeUnixNano()), value(p.getFlags(), v));
    }
  }

  private void histograms(Metric m, List<HistogramDataPoint> points, String name) {
    for (HistogramDataPoint p : points) {
      TreeMap<String, String> base = pointLabels(m, p.getAttributesList());
      if (base == null) {
        continue;
      }
      long ts = millis(p.getTimeUnixNano());
      int flags = p.getFlags();
      if (p.hasSum()) {
        out.add(with(base, name + "_sum", null, null), ts, value(flags, p.getSum()));
      }
      double count = Points.unsigned(p.getCount());
      out.add(with(base, name + "_count", null, null), ts, value(flags, count));
      long cumulative = 0;
      int buckets = Math.min(p.getExplicitBoundsCount(), p.getBucketCountsCount());
      for (int i = 0; i < buckets; i++) {
        cumulative += p.getBucketCounts(i);
        String le = PrometheusNames.formatFloat(p.getExplicitBounds(i));
        out.add(with(base, name + "_bucket", "le", le), ts, value(flags, Points.unsigned(cumulative)));
      }
      // the +Inf bucket is the count, whatever the buckets add up to
      out.add(with(base, name + "_bucket", "le", "+Inf"), ts, value(flags, count));
    }
  }

  private void summaries(Metric m, List<SummaryDataPoint> points, String name) {
    for (SummaryDataPoint p : points) {
      TreeMap<String, String> base = pointLabels(m, p.getAttributesList());
      if (base == null) {
        continue;
      }
      long ts = millis(p.getTimeUnixNano());
      int flags = p.getFlags();
      out.add(with(base, name + "_sum", null, null), ts, value(flags, p.getSum()));
      out.add(with(base, name + "_count", null, null), ts, value(flags, Points.unsigned(p.getCount())));
      for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
        String quantile = PrometheusNames.formatFloat(q.getQuantile());
        out.add(with(base, name, "quantile", quantile), ts, value(flags, q.getValue()));
      }
    }
  }

  /**
   * A resource's target_info series: its attributes but the identifying ones, with job and instance, at
   * the latest point's time; only if it has such other attributes and a job or instance, as in Prometheus.
   */
  private void addTargetInfo(List<KeyValue> resource, long latestNanos) {
    if (latestNanos == 0) {
      return;
    }
    int others = resource.size();
    for (String key : IDENTIFYING) {
      if (first(resource, key) != null) {
        others--;
      }
    }
    if (others == 0) {
      return;
    }
    TreeMap<String, String> labels = attributeLabels(resource, true);
    if (!labels.containsKey("job") && !labels.containsKey("instance")) {
      return;
    }
    if (labels.containsKey("")) {
      // Prometheus drops the series as invalid; no data point is lost, so nothing is reported
      return;
    }
    labels.put(Labels.METRIC_NAME, TARGET_INFO);
    out.add(labels, millis(latestNanos), 1);
  }

  /** A data point's labels, or null (the point counted as rejected) if one cannot be a label name. */
  private TreeMap<String, String> pointLabels(Metric m, List<KeyValue> attributes) {
    TreeMap<String, String> labels = attributeLabels(attributes, false);
    if (labels.containsKey("")) {
      reject(m, 1, "a data point has an attribute with an empty key");
      return null;
    }
    convertedPoints++;
    return labels;
  }

  /**
   * Sanitized attributes plus job and instance. Attributes are taken in key order so that values of keys
   * that sanitize alike are joined with {@code ;} in a stable order; job and instance then win.
   */
  private TreeMap<String, String> attributeLabels(List<KeyValue> attributes, boolean skipIdentifying) {
    TreeMap<String, String> labels = new TreeMap<>();
    if (!attributes.isEmpty()) {
      List<KeyValue> sorted = new ArrayList<>(attributes);
      sorted.sort((a, b) -> AttributeValues.compareCodePoints(a.getKey(), b.getKey()));
      for (KeyValue kv : sorted) {
        if (skipIdentifying && IDENTIFYING.contains(kv.getKey())) {
          continue;
        }
        labels.merge(PrometheusNames.labelName(kv.getKey()), AttributeValues.asString(kv.getValue()),
            (a, b) -> a + ";" + b);
      }
    }
    if (job != null) {
      labels.put("job", job);
    }
    if (instance != null) {
      labels.put("instance", instance);
    }
    return labels;
  }

  private static SortedMap<String, String> with(TreeMap<String, String> base, String name, String extra,
                                                String extraValue) {
    TreeMap<String, String> labels = new TreeMap<>(base);
    if (extra != null) {
      labels.put(extra, extraValue);
    }
    labels.put(Labels.METRIC_NAME, name);
    return labels;
  }

  private static double value(int flags, double v) {
    return (flags & NO_RECORDED_VALUE) != 0 ? StaleMarkers.STALE_NAN : v;
  }

  /** OTLP nanoseconds to Prometheus milliseconds, truncating as Prometheus does. */
  static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  /** The value of the first attribute with this key, as a string, or null (as pdata's Map.Get). */
  private static String first(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        return AttributeValues.asString(kv.getValue());
      }
    }
    return null;
  }

  private void reject(Metric m, int points, String why) {
    rejectedPoints += points;
    if (rejection == null && points > 0) {
      rejection = "metric " + quote(m.getName()) + ": " + why;
    } else if (warning == null && points == 0) {
      warning = "metric " + quote(m.getName()) + ": " + why;
    }
  }

  private void warn(Metric m, String why) {
    reject(m, 0, why);
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 5).append('"');
    for (int i = 0; i < s.length(); i++) {
      if (sb.length() > MAX_QUOTED) {
        sb.append("...");
        break;
      }
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
