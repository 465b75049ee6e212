package io.clymene.gateway.otlp;

import static io.clymene.gateway.decode.SeriesBatchInvariants.checkRejection;
import static io.clymene.gateway.decode.SeriesBatchInvariants.require;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.clymene.gateway.decode.DecodeException;
import io.clymene.gateway.decode.FuzzInput;
import io.clymene.gateway.decode.SeriesBatchInvariants;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link OtlpMetricsDecoder}: whatever the body and headers, a consistent {@link OtlpResult} or a
 * {@link DecodeException} with status 400, 413 or 415, never anything else. The first byte picks the
 * Content-Type (bits 0-1), whether the body is gzipped here first (bit 2, so the fuzzer gets past gzip),
 * and the mode (bit 3): the rest is the protobuf message, or a request with random metrics (gauges, sums,
 * histograms, random names, attributes and values) is built from it with protobuf-java.
 *
 * <p>In the normal test suite this runs in its own JVM with {@code JAZZER_FUZZ=1} for {@code maxDuration}
 * (see the surefire {@code fuzz} execution in the pom); elsewhere it replays the seeds below.
 */
class OtlpMetricsDecoderFuzzTest {
  private static final String[] CONTENT_TYPES = {"application/x-protobuf", null, "application/json",
      "text/plain"};
  private static final String[] NAMES = {"cpu.usage", "", "http_requests", "9lives", "\u00e9t\u00e9",
      "a-b", "service.name", "le", "__name__", "job"};

  private final OtlpMetricsDecoder decoder = new OtlpMetricsDecoder(1 << 16);

  static Stream<Arguments> seeds() throws IOException {
    NumberDataPoint point = NumberDataPoint.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L)
        .setAsDouble(1.5).addAttributes(attr("host", "a")).build();
    Metric metric = Metric.newBuilder().setName("cpu.usage").setUnit("1")
        .setGauge(Gauge.newBuilder().addDataPoints(point)).build();
    byte[] req = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "api")))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric))).build().toByteArray();
    return Stream.of(seed(0, req), seed(4, req), seed(8, new byte[] {2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8}));
  }

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static Arguments seed(int first, byte[] rest) {
    byte[] b = new byte[rest.length + 1];
    b[0] = (byte) first;
    System.arraycopy(rest, 0, b, 1, rest.length);
    return Arguments.of((Object) b);
  }

  @MethodSource("seeds")
  @FuzzTest(maxDuration = "12s")
  void decode(byte[] data) throws IOException {
    FuzzInput in = new FuzzInput(data);
    int first = in.nextByte();
    String contentType = CONTENT_TYPES[first & 3];
    byte[] body = (first & 8) == 0 ? in.remaining() : request(in).toByteArray();
    String encoding = null;
    if ((first & 4) != 0) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(body);
      }
      body = out.toByteArray();
      encoding = "gzip";
    }
    try {
      OtlpResult r = decoder.decode(body, contentType, encoding);
      require(contentType == null || contentType.equals("application/x-protobuf"), "accepted %s", contentType);
      SeriesBatchInvariants.check(r.batch());
      require(r.series() == r.batch().size(), "series %d, batch holds %d", r.series(), r.batch().size());
      require(r.samples() == r.batch().sampleCount(), "samples %d, batch holds %d", r.samples(),
          r.batch().sampleCount());
      require(r.rejectedDataPoints() >= 0, "rejected %d", r.rejectedDataPoints());
      require(r.rejectedDataPoints() == 0 || r.rejectionMessage() != null, "rejected points without a message");
      r.responseBody();
    } catch (DecodeException e) {
      checkRejection(e);
    }
  }

  /** A request of random gauges, sums and histograms. */
  private static ExportMetricsServiceRequest request(FuzzInput in) {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    int nResources = in.nextInt(3);
    for (int r = 0; r < nResources; r++) {
      ResourceMetrics.Builder rm = ResourceMetrics.newBuilder();
      Resource.Builder res = Resource.newBuilder();
      int nAttrs = in.nextInt(3);
      for (int a = 0; a < nAttrs; a++) {
        res.addAttributes(randomAttr(in));
      }
      rm.setResource(res);
      ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
      int nMetrics = in.nextInt(4);
      for (int m = 0; m < nMetrics; m++) {
        Metric.Builder metric = Metric.newBuilder().setName(name(in)).setUnit(in.nextBoolean() ? "" : name(in));
        int nPoints = in.nextInt(3);
        switch (in.nextInt(4)) {
          case 0 -> {
            Gauge.Builder g = Gauge.newBuilder();
            for (int p = 0; p < nPoints; p++) {
              g.addDataPoints(numberPoint(in));
            }
            metric.setGauge(g);
          }
          case 1 -> {
            Sum.Builder s = Sum.newBuilder().setIsMonotonic(in.nextBoolean())
                .setAggregationTemporalityValue(in.nextInt(4));
            for (int p = 0; p < nPoints; p++) {
              s.addDataPoints(numberPoint(in));
            }
            metric.setSum(s);
          }
          case 2 -> {
            Histogram.Builder h = Histogram.newBuilder()
                .setAggregationTemporality(in.nextBoolean() ? AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
                    : AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
            for (int p = 0; p < nPoints; p++) {
              HistogramDataPoint.Builder hp = HistogramDataPoint.newBuilder()
                  .setTimeUnixNano(in.nextLong()).setCount(in.nextInt(100)).setSum(in.nextInt(1000) / 8.0);
              int nBounds = in.nextInt(4);
              for (int b = 0; b < nBounds; b++) {
                hp.addExplicitBounds(Double.longBitsToDouble(in.nextLong()));
              }
              int nCounts = in.nextInt(5);
              for (int c = 0; c < nCounts; c++) {
                hp.addBucketCounts(in.nextInt(50));
              }
              if (in.nextBoolean()) {
                hp.addAttributes(randomAttr(in));
              }
              h.addDataPoints(hp);
            }
            metric.setHistogram(h);
          }
          default -> {
          }
        }
        sm.addMetrics(metric);
      }
      rm.addScopeMetrics(sm);
      req.addResourceMetrics(rm);
    }
    return req.build();
  }

  private static NumberDataPoint numberPoint(FuzzInput in) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(in.nextLong());
    if (in.nextBoolean()) {
      p.setAsDouble(Double.longBitsToDouble(in.nextLong()));
    } else {
      p.setAsInt(in.nextLong());
    }
    int nAttrs = in.nextInt(3);
    for (int a = 0; a < nAttrs; a++) {
      p.addAttributes(randomAttr(in));
    }
    return p.build();
  }

  private static KeyValue randomAttr(FuzzInput in) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (in.nextInt(5)) {
      case 0 -> v.setIntValue(in.nextLong());
      case 1 -> v.setBoolValue(in.nextBoolean());
      case 2 -> v.setDoubleValue(Double.longBitsToDouble(in.nextLong()));
      case 3 -> {
      }
      default -> v.setStringValue(name(in));
    }
    return KeyValue.newBuilder().setKey(name(in)).setValue(v).build();
  }

  private static String name(FuzzInput in) {
    int c = in.nextInt(NAMES.length + 2);
    return c < NAMES.length ? NAMES[c] : new String(in.nextBytes(6), java.nio.charset.StandardCharsets.UTF_8);
  }
}
