package io.clymene.gateway;

import static io.clymene.gateway.WriteRequests.post;
import static io.clymene.gateway.WriteRequests.rawSeries;
import static io.clymene.gateway.WriteRequests.request;
import static io.clymene.gateway.WriteRequests.snappy;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Ports;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's HTTP receivers in front of a real VictoriaMetrics: remote write on both paths, Influx line
 * protocol, and every kind of bad input answered with the right status and a message naming what is
 * wrong, while good requests keep flowing.
 */
@Timeout(180)
class GatewayHttpTest {
  static Path dir;
  static ExternalServer vm;
  static VictoriaMetricsApi api;
  static Launcher gateway;
  static String base;
  static final long T0 = System.currentTimeMillis() - 60_000;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("gateway-http-");
    vm = ExternalServer.victoriaMetrics();
    api = new VictoriaMetricsApi(vm.url());
    int http = Ports.free();
    Path cfg = dir.resolve("clymene.yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: 0}",
        "gateway:",
        "  grpc: {host: 127.0.0.1, port: " + Ports.free() + "}",
        "  http: {host: 127.0.0.1, port: " + http + "}",
        "  max_request_size: 64KiB",
        "storage:",
        "  - type: prometheus",
        "    url: " + vm.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: 200ms}",
        ""));
    gateway = Launcher.create(CommandLine.parse("--role", "gateway", "--config", cfg.toString(),
        "--data_dir=" + dir.resolve("data")));
    gateway.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    base = "http://127.0.0.1:" + http;
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    if (vm != null) {
      vm.close();
    }
    TempDirs.delete(dir);
  }

  private static int stored(String selector) {
    Map<Map<String, String>, List<RawSample>> got = api.export(selector);
    return got == null ? 0 : got.values().stream().mapToInt(List::size).sum();
  }

  private static void assertGoodRequestsStillFlow(String metric) {
    HttpResponse<String> r = post(base + "/api/v1/write", request(metric, 2, 3, T0));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    Await.until(metric + " stored", Duration.ofSeconds(30), () -> stored(metric) == 6 ? true : null);
  }

  @Test
  void remoteWriteOnBothPathsArrivesWithWrittenHeaders() {
    HttpResponse<String> r = post(base + "/api/v1/write", request("gw_rw_a", 10, 5, T0));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    assertThat(r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written")).hasValue("50");
    HttpResponse<String> go = post(base + "/api/metrics", request("gw_rw_b", 3, 2, T0));
    assertThat(go.statusCode()).as(go.body()).isEqualTo(204);
    Await.until("both stored", Duration.ofSeconds(30),
        () -> stored("gw_rw_a") == 50 && stored("gw_rw_b") == 6 ? true : null);
    Map<Map<String, String>, List<RawSample>> a = api.export("gw_rw_a{series=\"7\"}");
    assertThat(a).hasSize(1);
    assertThat(a.values().iterator().next()).extracting(RawSample::value).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
  }

  @Test
  void influxLineProtocolArrivesWithTheDatabaseLabel() {
    long ms = T0 + 5_000;
    String body = "gw_influx,host=a usage=1.5,count=3i " + ms + "\n# comment\n\ngw_influx,host=b usage=2 " + ms + "\n";
    HttpResponse<String> r = post(base + "/write?db=telegraf&precision=ms", body.getBytes(StandardCharsets.UTF_8),
        "Content-Type", "text/plain");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    Await.until("influx stored", Duration.ofSeconds(30), () -> stored("{__name__=~\"gw_influx_.*\"}") == 3 ? true : null);
    Map<Map<String, String>, List<RawSample>> got = api.export("gw_influx_usage{host=\"a\"}");
    assertThat(got.keySet()).containsExactly(new TreeMap<>(Map.of("__name__", "gw_influx_usage", "host", "a", "db", "telegraf")));
    assertThat(got.values().iterator().next()).containsExactly(new RawSample(ms, 1.5));
  }

  @Test
  void malformedRemoteWriteGets400NamingTheProblemAndOthersKeepFlowing() {
    byte[] good = request("gw_bad", 5, 2, T0).toByteArray();
    HttpResponse<String> truncated = post(base + "/api/v1/write", snappy(Arrays.copyOf(good, good.length - 7)));
    assertThat(truncated.statusCode()).isEqualTo(400);
    assertThat(truncated.body()).containsIgnoringCase("truncated");

    HttpResponse<String> badSnappy = post(base + "/api/v1/write", "definitely not snappy".getBytes(StandardCharsets.UTF_8));
    assertThat(badSnappy.statusCode()).isEqualTo(400);
    assertThat(badSnappy.body()).contains("snappy");

    HttpResponse<String> unsorted = post(base + "/api/v1/write",
        rawSeries(T0, "__name__", "gw_unsorted", "zone", "z", "app", "a"));
    assertThat(unsorted.statusCode()).isEqualTo(400);
    assertThat(unsorted.body()).contains("gw_unsorted").containsIgnoringCase("sorted");

    HttpResponse<String> duplicate = post(base + "/api/v1/write",
        rawSeries(T0, "__name__", "gw_dup", "app", "a", "app", "b"));
    assertThat(duplicate.statusCode()).isEqualTo(400);
    assertThat(duplicate.body()).contains("gw_dup").containsIgnoringCase("duplicate");

    HttpResponse<String> emptyName = post(base + "/api/v1/write", rawSeries(T0, "", "x", "__name__", "gw_empty"));
    assertThat(emptyName.statusCode()).isEqualTo(400);
    assertThat(emptyName.body()).containsIgnoringCase("empty");

    HttpResponse<String> noName = post(base + "/api/v1/write", rawSeries(T0, "job", "x"));
    assertThat(noName.statusCode()).isEqualTo(400);
    assertThat(noName.body()).contains("__name__");

    assertGoodRequestsStillFlow("gw_after_bad_protobuf");
    assertThat(stored("{__name__=~\"gw_(bad|unsorted|dup|empty)\"}")).isZero();
  }

  @Test
  void wrongContentTypeAndEncodingGet415() {
    byte[] body = snappy(request("gw_ct", 1, 1, T0).toByteArray());
    HttpResponse<String> json = post(base + "/api/v1/write", body, "Content-Type", "application/json");
    assertThat(json.statusCode()).isEqualTo(415);
    assertThat(json.body()).contains("application/json").contains("application/x-protobuf");
    HttpResponse<String> proto = post(base + "/api/v1/write", body, "Content-Type",
        "application/x-protobuf;proto=foo.Bar", "Content-Encoding", "snappy");
    assertThat(proto.statusCode()).isEqualTo(415);
    assertThat(proto.body()).contains("foo.Bar");
    HttpResponse<String> gzip = post(base + "/api/v1/write", body, "Content-Type", "application/x-protobuf",
        "Content-Encoding", "gzip");
    assertThat(gzip.statusCode()).isEqualTo(415);
    assertThat(gzip.body()).contains("gzip");
  }

  @Test
  void oversizeBodiesGet413WithOrWithoutContentLength() throws Exception {
    byte[] big = new byte[200 * 1024];
    new java.util.Random(1).nextBytes(big);
    HttpResponse<String> declared = post(base + "/api/v1/write", big);
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body()).contains("65536").contains("gateway.max_request_size");

    HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "/api/v1/write"))
        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
    HttpResponse<String> streamed = WriteRequests.HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
    assertThat(streamed.statusCode()).isEqualTo(413);

    // small on the wire, large once decompressed: refused before inflating
    byte[] zeros = snappy(new byte[1 << 20]);
    assertThat(zeros.length).isLessThan(64 * 1024);
    HttpResponse<String> bomb = post(base + "/api/v1/write", zeros);
    assertThat(bomb.statusCode()).isEqualTo(413);
    assertThat(bomb.body()).contains("decoded");
    assertGoodRequestsStillFlow("gw_after_oversize");
  }

  @Test
  void garbageLineProtocolGets400NamingLineAndColumn() {
    String body = "gw_lp,host=a value=1\nthis is not line protocol\n";
    HttpResponse<String> r = post(base + "/write", body.getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("line 2").contains("column");
    HttpResponse<String> precision = post(base + "/write?precision=weeks", "a v=1".getBytes(StandardCharsets.UTF_8),
        "Content-Type", "text/plain");
    assertThat(precision.statusCode()).isEqualTo(400);
    assertThat(precision.body()).contains("weeks");
    assertThat(stored("gw_lp_value")).isZero();
  }

  @Test
  void otlpMetricsArriveAndUnsupportedTypesAreAPartialSuccess() throws Exception {
    long nanos = (T0 + 7_000) * 1_000_000L;
    KeyValue service = KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue("checkout")).build();
    Metric gauge = Metric.newBuilder().setName("gw.otlp.temperature").setUnit("Cel")
        .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(nanos)
            .setAsDouble(21.5).addAttributes(KeyValue.newBuilder().setKey("room")
                .setValue(AnyValue.newBuilder().setStringValue("lab"))))).build();
    Metric expo = Metric.newBuilder().setName("gw.otlp.latency")
        .setExponentialHistogram(ExponentialHistogram.newBuilder().setAggregationTemporality(
            AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(nanos).setCount(1))).build();
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().setResource(Resource.newBuilder().addAttributes(service))
            .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(gauge).addMetrics(expo))).build();
    HttpResponse<byte[]> r = WriteRequests.postForBytes(base + "/v1/metrics", req.toByteArray(), "application/x-protobuf");
    assertThat(r.statusCode()).isEqualTo(200);
    ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(r.body());
    assertThat(resp.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
    assertThat(resp.getPartialSuccess().getErrorMessage()).contains("gw.otlp.latency").contains("exponential");
    Await.until("OTLP gauge stored", Duration.ofSeconds(30), () -> stored("gw_otlp_temperature_celsius") == 1 ? true : null);
    assertThat(api.export("gw_otlp_temperature_celsius").keySet()).containsExactly(
        new TreeMap<>(Map.of("__name__", "gw_otlp_temperature_celsius", "job", "checkout", "room", "lab")));

    HttpResponse<String> json = post(base + "/v1/metrics", "{}".getBytes(StandardCharsets.UTF_8),
        "Content-Type", "application/json");
    assertThat(json.statusCode()).isEqualTo(415);
    HttpResponse<String> onlyExpo = post(base + "/v1/metrics", ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(expo)))
        .build().toByteArray(), "Content-Type", "application/x-protobuf");
    assertThat(onlyExpo.statusCode()).isEqualTo(400);
    assertThat(onlyExpo.body()).contains("exponential histograms are not supported");
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    HttpResponse<String> nowhere = post(base + "/api/v1/push", new byte[] {1});
    assertThat(nowhere.statusCode()).isEqualTo(404);
    assertThat(nowhere.body()).contains("/api/v1/write");
    HttpResponse<String> get = WriteRequests.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/write")).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
  }
}
