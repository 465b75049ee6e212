package io.clymene.gateway.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.clymene.gateway.decode.DecodeException;
import io.clymene.model.LabelNames;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Requests built with the generated OTLP classes; every series, label and value produced is checked. */
class OtlpMetricsDecoderTest {
  private static final String PROTOBUF = "application/x-protobuf";
  /** 2023-11-14T22:13:20.123456789Z in nanoseconds, and the milliseconds it becomes. */
  private static final long T1 = 1_700_000_000_123_456_789L;
  private static final long T1_MS = 1_700_000_000_123L;
  private static final long T2 = 1_700_000_015_000_000_000L;
  private static final long T2_MS = 1_700_000_015_000L;

  private final OtlpMetricsDecoder decoder = new OtlpMetricsDecoder(1 << 20);

  // ------------------------------------------------------------------ request builders

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue attr(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static NumberDataPoint number(long ts, double v, KeyValue... attrs) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(ts).setAsDouble(v).addAllAttributes(List.of(attrs))
        .build();
  }

  private static Metric gauge(String name, String unit, NumberDataPoint... points) {
    return Metric.newBuilder().setName(name).setUnit(unit)
        .setGauge(Gauge.newBuilder().addAllDataPoints(List.of(points))).build();
  }

  private static Metric sum(String name, String unit, boolean monotonic, AggregationTemporality t,
                            NumberDataPoint... points) {
    return Metric.newBuilder().setName(name).setUnit(unit).setSum(Sum.newBuilder().setIsMonotonic(monotonic)
        .setAggregationTemporality(t).addAllDataPoints(List.of(points))).build();
  }

  private static Metric counter(String name, String unit, NumberDataPoint... points) {
    return sum(name, unit, true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, points);
  }

  private static ResourceMetrics resource(List<KeyValue> attrs, Metric... metrics) {
    return ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(attrs))
        .addScopeMetrics(ScopeMetrics.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.example.lib").setVersion("1.2.3"))
            .addAllMetrics(List.of(metrics)))
        .build();
  }

  private static byte[] body(ResourceMetrics... resources) {
    return ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(List.of(resources)).build()
        .toByteArray();
  }

  private static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ result rendering

  /** Each sample as {@code {labels} value @ms}, in batch order; the stale marker as {@code stale}. */
  private static List<String> render(SeriesBatch batch) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        double v = batch.value(s);
        out.add(batch.labels(i) + " " + (StaleMarkers.isStale(v) ? "stale" : Double.toString(v)) + " @"
            + batch.timestamp(s));
      }
    }
    return out;
  }

  private OtlpResult decode(ResourceMetrics... resources) throws DecodeException {
    OtlpResult r = decoder.decode(body(resources), PROTOBUF, null);
    assertThat(r.series()).isEqualTo(r.batch().size());
    assertThat(r.samples()).isEqualTo(r.batch().sampleCount());
    for (int i = 0; i < r.batch().size(); i++) {
      assertThat(LabelNames.isValidMetricName(r.batch().metricName(i))).isTrue();
      assertThat(r.batch().labels(i).names()).allMatch(LabelNames::isValidLabelName);
    }
    return r;
  }

  private static List<KeyValue> service() {
    return List.of(attr("service.name", "cart"), attr("service.namespace", "shop"),
        attr("service.instance.id", "cart-7f9c"));
  }

  // ------------------------------------------------------------------ metric types

  @Test
  void gaugeBecomesOneSeriesWithJobAndInstance() throws Exception {
    OtlpResult r = decode(resource(service(),
        gauge("system.cpu.utilization", "1", number(T1, 0.25, attr("cpu", "0")),
            NumberDataPoint.newBuilder().setTimeUnixNano(T2).setAsInt(1).addAttributes(attr("cpu", "1"))
                .build())));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"system_cpu_utilization_ratio\", cpu=\"0\", instance=\"cart-7f9c\", job=\"shop/cart\"} 0.25 @"
            + T1_MS,
        "{__name__=\"system_cpu_utilization_ratio\", cpu=\"1\", instance=\"cart-7f9c\", job=\"shop/cart\"} 1.0 @"
            + T2_MS);
    assertThat(r.rejectedDataPoints()).isZero();
    assertThat(r.rejectionMessage()).isNull();
    assertThat(r.partialSuccess()).isFalse();
    assertThat(r.responseBody()).isEmpty();
  }

  @Test
  void monotonicSumIsACounterWithTotal() throws Exception {
    OtlpResult r = decode(resource(List.of(attr("service.name", "api")),
        counter("http.server.requests", "{requests}", NumberDataPoint.newBuilder().setTimeUnixNano(T1)
            .setAsInt(1027).addAttributes(attr("http.method", "GET")).build())));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"http_server_requests_total\", http_method=\"GET\", job=\"api\"} 1027.0 @" + T1_MS);
  }

  @Test
  void nonMonotonicSumIsAGauge() throws Exception {
    OtlpResult r = decode(resource(List.of(),
        sum("process.memory.usage", "By", false, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
            number(T1, 5.24288e6)),
        sum("queue.depth", "{items}", false, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
            number(T1, -3))));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"process_memory_usage_bytes\"} 5242880.0 @" + T1_MS,
        "{__name__=\"queue_depth\"} -3.0 @" + T1_MS);
  }

  @Test
  void histogramGivesCumulativeBucketsSumAndCount() throws Exception {
    Metric h = Metric.newBuilder().setName("http.server.request.duration").setUnit("s")
        .setHistogram(Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T1).addAttributes(attr("route", "/"))
                .setCount(10).setSum(12.5)
                .addAllExplicitBounds(List.of(0.005, 0.1, 1.0)).addAllBucketCounts(List.of(1L, 2L, 3L, 4L)))
            // no sum: no _sum series; count wins for +Inf even if buckets disagree
            .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T2).addAttributes(attr("route", "/x"))
                .setCount(7).addExplicitBounds(2.5).addBucketCounts(5).addBucketCounts(1)))
        .build();
    OtlpResult r = decode(resource(List.of(), h));
    String n = "http_server_request_duration_seconds";
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"" + n + "_sum\", route=\"/\"} 12.5 @" + T1_MS,
        "{__name__=\"" + n + "_count\", route=\"/\"} 10.0 @" + T1_MS,
        "{__name__=\"" + n + "_bucket\", le=\"0.005\", route=\"/\"} 1.0 @" + T1_MS,
        "{__name__=\"" + n + "_bucket\", le=\"0.1\", route=\"/\"} 3.0 @" + T1_MS,
        "{__name__=\"" + n + "_bucket\", le=\"1\", route=\"/\"} 6.0 @" + T1_MS,
        "{__name__=\"" + n + "_bucket\", le=\"+Inf\", route=\"/\"} 10.0 @" + T1_MS,
        "{__name__=\"" + n + "_count\", route=\"/x\"} 7.0 @" + T2_MS,
        "{__name__=\"" + n + "_bucket\", le=\"2.5\", route=\"/x\"} 5.0 @" + T2_MS,
        "{__name__=\"" + n + "_bucket\", le=\"+Inf\", route=\"/x\"} 7.0 @" + T2_MS);
    assertThat(r.series()).isEqualTo(9);
  }

  @Test
  void summaryGivesQuantilesSumAndCount() throws Exception {
    Metric s = Metric.newBuilder().setName("rpc.duration").setUnit("ms")
        .setSummary(Summary.newBuilder().addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(T1)
            .setCount(100).setSum(2500)
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(20))
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(95.5))))
        .build();
    OtlpResult r = decode(resource(List.of(), s));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"rpc_duration_milliseconds_sum\"} 2500.0 @" + T1_MS,
        "{__name__=\"rpc_duration_milliseconds_count\"} 100.0 @" + T1_MS,
        "{__name__=\"rpc_duration_milliseconds\", quantile=\"0.5\"} 20.0 @" + T1_MS,
        "{__name__=\"rpc_duration_milliseconds\", quantile=\"0.99\"} 95.5 @" + T1_MS);
  }

  @Test
  void unitsBecomeSuffixes() throws Exception {
    OtlpResult r = decode(resource(List.of(),
        gauge("gc.pause", "s", number(T1, 1)),
        gauge("heap.used", "By", number(T1, 2)),
        gauge("pool.fill", "1", number(T1, 0.5)),
        counter("jobs.done", "{jobs}", number(T1, 4)),
        counter("net.io", "By/s", number(T1, 5))));
    assertThat(r.batch().size()).isEqualTo(5);
    assertThat(List.of(r.batch().metricName(0), r.batch().metricName(1), r.batch().metricName(2),
        r.batch().metricName(3), r.batch().metricName(4)))
        .containsExactly("gc_pause_seconds", "heap_used_bytes", "pool_fill_ratio", "jobs_done_total",
            "net_io_bytes_per_second_total");
  }

  // ------------------------------------------------------------------ labels

  @Test
  void attributesAreSanitizedAndCollisionsJoined() throws Exception {
    OtlpResult r = decode(resource(List.of(),
        gauge("g", "", number(T1, 1,
            attr("http.method", "GET"), attr("0day", "a"), attr("_private", "b"), attr("__reserved", "c"),
            attr("a_b", "second"), attr("a.b", "first"), attr("k\u00fcche", "d"), attr("empty", "")))));
    // "a.b" sorts before "a_b", so its value comes first; empty values are absent
    assertThat(render(r.batch())).containsExactly("{__name__=\"g\", __reserved=\"c\", a_b=\"first;second\", "
        + "http_method=\"GET\", k_che=\"d\", key_0day=\"a\", key_private=\"b\"} 1.0 @" + T1_MS);
  }

  @Test
  void attributeValuesOfOtherTypes() throws Exception {
    AnyValue list = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
        .addValues(AnyValue.newBuilder().setStringValue("a<b"))
        .addValues(AnyValue.newBuilder().setIntValue(1))
        .addValues(AnyValue.newBuilder().setDoubleValue(1e-7))).build();
    AnyValue map = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(attr("z", AnyValue.newBuilder().setBoolValue(true).build()))
        .addValues(attr("a", "x\"y"))).build();
    OtlpResult r = decode(resource(List.of(), gauge("g", "", number(T1, 1,
        attr("b", AnyValue.newBuilder().setBoolValue(false).build()),
        attr("i", AnyValue.newBuilder().setIntValue(-42).build()),
        attr("d", AnyValue.newBuilder().setDoubleValue(0.25).build()),
        attr("big", AnyValue.newBuilder().setDoubleValue(1e21).build()),
        attr("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi!")).build()),
        attr("list", list), attr("map", map)))));
    assertThat(r.batch().labels(0).toMap()).containsEntry("b", "false").containsEntry("i", "-42")
        .containsEntry("d", "0.25").containsEntry("big", "1e+21").containsEntry("bytes", "aGkh")
        .containsEntry("list", "[\"a\\u003cb\",1,1e-7]").containsEntry("map", "{\"a\":\"x\\\"y\",\"z\":true}");
  }

  @Test
  void resourceGivesJobInstanceAndTargetInfo() throws Exception {
    // the facts of Prometheus' TestCreateAttributes: service.* win over "job"/"instance" attributes,
    // resource attributes are not labels of points, a __name__ attribute is overwritten
    List<KeyValue> res = List.of(attr("service.name", "service name"), attr("service.instance.id", "service ID"),
        attr("existent-attr", "resource value"), attr("metric-attr", "resource value"),
        attr("job", "resource value"), attr("instance", "resource value"));
    OtlpResult r = decode(resource(res,
        gauge("test_metric", "",
            number(T1, 1, attr("__name__", "test_metric"), attr("metric-attr", "metric value"))),
        gauge("later", "", number(T2, 2))));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"test_metric\", instance=\"service ID\", job=\"service name\", metric_attr=\"metric value\"} "
            + "1.0 @" + T1_MS,
        "{__name__=\"later\", instance=\"service ID\", job=\"service name\"} 2.0 @" + T2_MS,
        // at the latest point's time, with every resource attribute but the service.* ones
        "{__name__=\"target_info\", existent_attr=\"resource value\", instance=\"service ID\", "
            + "job=\"service name\", metric_attr=\"resource value\"} 1.0 @" + T2_MS);
  }

  @Test
  void targetInfoOnlyWithOtherAttributesAndAnIdentifier() throws Exception {
    OtlpResult r = decode(
        resource(service(), gauge("a", "", number(T1, 1))),
        resource(List.of(attr("host.name", "h1")), gauge("b", "", number(T1, 2))),
        resource(List.of(attr("service.name", "svc"), attr("host.name", "h2"), attr("service.namespace", "ns")),
            gauge("c", "", number(T1, 3))));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"a\", instance=\"cart-7f9c\", job=\"shop/cart\"} 1.0 @" + T1_MS,
        "{__name__=\"b\"} 2.0 @" + T1_MS,
        "{__name__=\"c\", job=\"ns/svc\"} 3.0 @" + T1_MS,
        "{__name__=\"target_info\", host_name=\"h2\", job=\"ns/svc\"} 1.0 @" + T1_MS);
  }

  @Test
  void pointsOfOneSeriesAreMerged() throws Exception {
    OtlpResult r = decode(resource(List.of(attr("service.name", "s")),
        gauge("temp", "Cel", number(T1, 20.5, attr("room", "k")), number(T2, 21, attr("room", "k")))));
    assertThat(r.series()).isEqualTo(1);
    assertThat(r.samples()).isEqualTo(2);
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"temp_celsius\", job=\"s\", room=\"k\"} 20.5 @" + T1_MS,
        "{__name__=\"temp_celsius\", job=\"s\", room=\"k\"} 21.0 @" + T2_MS);
  }

  @Test
  void noRecordedValueIsAStaleMarker() throws Exception {
    int flag = DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE;
    Metric h = Metric.newBuilder().setName("lat").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T2).setFlags(flag).setCount(3).setSum(1)
            .addExplicitBounds(1).addBucketCounts(3).addBucketCounts(0))).build();
    OtlpResult r = decode(resource(List.of(),
        gauge("up", "", NumberDataPoint.newBuilder().setTimeUnixNano(T1).setAsDouble(1).setFlags(flag).build()),
        h));
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"up\"} stale @" + T1_MS,
        "{__name__=\"lat_sum\"} stale @" + T2_MS,
        "{__name__=\"lat_count\"} stale @" + T2_MS,
        "{__name__=\"lat_bucket\", le=\"1\"} stale @" + T2_MS,
        "{__name__=\"lat_bucket\", le=\"+Inf\"} stale @" + T2_MS);
    assertThat(Double.doubleToRawLongBits(r.batch().value(0))).isEqualTo(StaleMarkers.STALE_NAN_BITS);
  }

  // ------------------------------------------------------------------ partial success

  private static Metric exponential(String name, int points) {
    ExponentialHistogram.Builder e = ExponentialHistogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i < points; i++) {
      e.addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T2).setCount(1).setScale(2));
    }
    return Metric.newBuilder().setName(name).setExponentialHistogram(e).build();
  }

  @Test
  void deltaAndExponentialAreRejectedTheRestKept() throws Exception {
    OtlpResult r = decode(resource(List.of(attr("service.name", "s"), attr("host.name", "h")),
        gauge("ok", "", number(T1, 1)),
        sum("requests", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
            number(T1, 1), number(T1, 2)),
        exponential("latency", 1)));
    // target_info takes its time from every point, rejected ones too, as Prometheus does
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"ok\", job=\"s\"} 1.0 @" + T1_MS,
        "{__name__=\"target_info\", host_name=\"h\", job=\"s\"} 1.0 @" + T2_MS);
    assertThat(r.rejectedDataPoints()).isEqualTo(3);
    assertThat(r.rejectionMessage())
        .isEqualTo("metric \"requests\": delta temporality is not supported, only cumulative");
    ExportMetricsServiceResponse response = ExportMetricsServiceResponse.parseFrom(r.responseBody());
    assertThat(response.hasPartialSuccess()).isTrue();
    assertThat(response.getPartialSuccess().getRejectedDataPoints()).isEqualTo(3);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo(r.rejectionMessage());
  }

  @Test
  void exponentialHistogramMessage() throws Exception {
    OtlpResult r = decode(resource(List.of(), exponential("x", 2), gauge("g", "", number(T1, 1))));
    assertThat(r.rejectedDataPoints()).isEqualTo(2);
    assertThat(r.rejectionMessage()).isEqualTo("metric \"x\": exponential histograms are not supported");
  }

  @Test
  void deltaHistogramAndUnspecifiedTemporalityAreRejected() throws Exception {
    Metric h = Metric.newBuilder().setName("h").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
        .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T1).setCount(1))).build();
    Metric unspecified = Metric.newBuilder().setName("u")
        .setSum(Sum.newBuilder().addDataPoints(number(T1, 1))).build();
    OtlpResult r = decode(resource(List.of(), h, unspecified, gauge("g", "", number(T1, 1))));
    assertThat(r.series()).isEqualTo(1);
    assertThat(r.rejectedDataPoints()).isEqualTo(2);
    assertThat(r.rejectionMessage())
        .isEqualTo("metric \"h\": delta temporality is not supported, only cumulative");
  }

  @Test
  void pointWithAnEmptyAttributeKeyIsRejected() throws Exception {
    OtlpResult r = decode(resource(List.of(),
        gauge("g", "", number(T1, 1, attr("", "v")), number(T1, 2, attr("k", "v")))));
    assertThat(render(r.batch())).containsExactly("{__name__=\"g\", k=\"v\"} 2.0 @" + T1_MS);
    assertThat(r.rejectedDataPoints()).isEqualTo(1);
    assertThat(r.rejectionMessage()).isEqualTo("metric \"g\": a data point has an attribute with an empty key");
  }

  @Test
  void metricWhoseNameHasNoLettersIsRejected() throws Exception {
    OtlpResult r = decode(resource(List.of(), gauge("...", "", number(T1, 1)), gauge("g", "", number(T1, 1))));
    assertThat(r.series()).isEqualTo(1);
    assertThat(r.rejectedDataPoints()).isEqualTo(1);
    assertThat(r.rejectionMessage())
        .isEqualTo("metric \"...\": name and unit have no letters or digits to make a Prometheus metric name");
  }

  @Test
  void metricsWithoutPointsAreAWarningOnly() throws Exception {
    OtlpResult r = decode(resource(List.of(), gauge("empty", ""), Metric.newBuilder().setName("untyped").build(),
        gauge("g", "", number(T1, 1))));
    assertThat(r.series()).isEqualTo(1);
    assertThat(r.rejectedDataPoints()).isZero();
    assertThat(r.rejectionMessage()).isEqualTo("metric \"empty\": no data points");
    assertThat(ExportMetricsServiceResponse.parseFrom(r.responseBody()).getPartialSuccess().getErrorMessage())
        .isEqualTo("metric \"empty\": no data points");
  }

  @Test
  void allRejectedIsABadRequest() {
    byte[] body = body(resource(List.of(attr("service.name", "s"), attr("host.name", "h")),
        exponential("latency", 3),
        sum("requests", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, number(T1, 1))));
    assertThatThrownBy(() -> decoder.decode(body, PROTOBUF, null)).isInstanceOfSatisfying(DecodeException.class,
        e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).isEqualTo("metric \"latency\": exponential histograms are not supported");
        });
  }

  @Test
  void emptyRequestIsEmptySuccess() throws Exception {
    OtlpResult r = decoder.decode(new byte[0], PROTOBUF, null);
    assertThat(r.batch().isEmpty()).isTrue();
    assertThat(r.partialSuccess()).isFalse();
    assertThat(r.responseBody()).isEmpty();
  }

  // ------------------------------------------------------------------ transport

  @Test
  void gzipBodyAndContentTypeParameters() throws Exception {
    byte[] body = gzip(body(resource(List.of(), gauge("g", "", number(T1, 1)))));
    OtlpResult r = decoder.decode(body, "Application/X-Protobuf; charset=utf-8", " GZIP ");
    assertThat(render(r.batch())).containsExactly("{__name__=\"g\"} 1.0 @" + T1_MS);
    // and the decoder is reusable
    assertThat(render(decoder.decode(body, PROTOBUF, "gzip").batch())).hasSize(1);
    assertThat(render(decoder.decode(body(resource(List.of(), gauge("g", "", number(T1, 1)))), PROTOBUF,
        "identity").batch())).hasSize(1);
  }

  @Test
  void limitIsExactForPlainAndGzipBodies() throws Exception {
    byte[] plain = body(resource(service(), gauge("g", "", number(T1, 1))));
    OtlpMetricsDecoder exact = new OtlpMetricsDecoder(plain.length);
    assertThat(exact.decode(plain, PROTOBUF, null).series()).isEqualTo(1);
    assertThat(exact.decode(gzip(plain), PROTOBUF, "gzip").series()).isEqualTo(1);
    OtlpMetricsDecoder small = new OtlpMetricsDecoder(plain.length - 1);
    assertThatThrownBy(() -> small.decode(plain, PROTOBUF, null))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessage("body of " + plain.length + " bytes exceeds the limit of " + (plain.length - 1) + " bytes");
    byte[] zipped = gzip(plain);
    assertThatThrownBy(() -> small.decode(zipped, PROTOBUF, "gzip"))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(413));
  }

  @Test
  void gzipBombStopsAtTheLimit() throws Exception {
    byte[] bomb = gzip(new byte[64 << 20]);
    assertThat(bomb.length).isLessThan(100_000);
    assertThatThrownBy(() -> decoder.decode(bomb, PROTOBUF, "gzip"))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessage("gzip body inflates to more than the limit of 1048576 bytes");
  }

  @Test
  void onlyProtobufIsAccepted() {
    byte[] body = "{\"resourceMetrics\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> decoder.decode(body, "application/json", null))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(415))
        .hasMessage("unsupported Content-Type \"application/json\": only application/x-protobuf "
            + "(binary protobuf OTLP) is accepted, not OTLP/JSON");
    assertThatThrownBy(() -> decoder.decode(body, null, null))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(415))
        .hasMessageStartingWith("missing Content-Type");
    assertThatThrownBy(() -> decoder.decode(body, "text/plain", null))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(415));
    assertThatThrownBy(() -> decoder.decode(body, PROTOBUF, "br"))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(415))
        .hasMessage("unsupported Content-Encoding \"br\": expected gzip or none");
  }

  @Test
  void malformedProtobufAndGzipAreBadRequests() throws Exception {
    byte[] full = body(resource(service(), gauge("g", "", number(T1, 1))));
    byte[] truncated = Arrays.copyOf(full, full.length - 5);
    assertThatThrownBy(() -> decoder.decode(truncated, PROTOBUF, null))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageStartingWith("malformed protobuf ExportMetricsServiceRequest at byte ")
        .hasMessageContaining("of " + truncated.length + ": ")
        .hasMessageContaining("truncated");
    byte[] badWireType = {0x0F, 0x01};
    assertThatThrownBy(() -> decoder.decode(badWireType, PROTOBUF, null))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageStartingWith("malformed protobuf ExportMetricsServiceRequest at byte ");
    assertThatThrownBy(() -> decoder.decode(full, PROTOBUF, "gzip"))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageStartingWith("bad gzip: ");
    byte[] cut = Arrays.copyOf(gzip(full), 20);
    assertThatThrownBy(() -> decoder.decode(cut, PROTOBUF, "gzip"))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageStartingWith("bad gzip: ");
  }

  @Test
  void errorBodyIsAGoogleRpcStatus() throws Exception {
    byte[] b = OtlpMetricsDecoder.errorBody(new DecodeException(400, "bad thing"));
    CodedInputStream in = CodedInputStream.newInstance(b);
    assertThat(in.readTag()).isEqualTo(1 << 3);
    assertThat(in.readInt32()).isEqualTo(3);
    assertThat(in.readTag()).isEqualTo(2 << 3 | 2);
    assertThat(in.readString()).isEqualTo("bad thing");
    assertThat(in.isAtEnd()).isTrue();
  }
}
