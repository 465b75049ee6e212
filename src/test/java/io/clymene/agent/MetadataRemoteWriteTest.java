package io.clymene.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.Types;
import io.clymene.proto.prometheus.v2.WriteV2;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

/**
 * Metric metadata from a scrape to remote-write receivers: the agent scrapes a fixture exposing TYPE and
 * HELP, and writes to a real Prometheus 2.42 and to two receivers served by this test.
 *
 * <p>Which receiver proves what: Prometheus 2.42 accepts remote-written metadata but does not store it
 * (its write handler appends only samples, and {@code GET /api/v1/metadata} lists the metadata of its
 * own scrape targets only), so it cannot show that metadata arrived; the test checks that it takes the
 * metadata-only requests (answers 2xx, samples still arrive) and records that its metadata API stays
 * empty. The metadata itself is checked on the test's receivers, by decoding the request bodies with the
 * generated protobuf classes: 1.0's {@code WriteRequest.metadata} in separate metadata-only requests of
 * at most {@code max_samples_per_send} entries, and 2.0's per-series metadata inline.
 */
@Timeout(120)
class MetadataRemoteWriteTest {
  private static final String FIXTURE = """
      # HELP fixture_requests_total Requests served, with a \\\\ backslash.
      # TYPE fixture_requests_total counter
      fixture_requests_total{code="200"} 7
      # HELP fixture_temperature_celsius Temperature.
      # TYPE fixture_temperature_celsius gauge
      fixture_temperature_celsius 21.5
      no_metadata_metric 1
      """;

  private ExternalServer prometheus;
  private Vertx vertx;
  private HttpServer server;
  private Launcher launcher;
  private Path dir;
  /** Metadata-only 1.0 requests, as (family -> metadata) per request. */
  private final List<List<Types.MetricMetadata>> v1MetadataRequests = new CopyOnWriteArrayList<>();
  private volatile int v1MixedRequests;
  /** 2.0: metric name -> type/help resolved from the symbols. */
  private final Map<String, String> v2Metadata = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    prometheus = ExternalServer.prometheusReceiver();
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    dir = Files.createTempDirectory("clymene-metadata-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    prometheus.close();
    TempDirs.delete(dir);
  }

  private void handle(HttpServerRequest req) {
    if (req.path().equals("/metrics")) {
      req.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(FIXTURE);
      return;
    }
    req.body().onSuccess(b -> {
      try {
        byte[] raw = Snappy.uncompress(b.getBytes());
        if (req.path().equals("/v1")) {
          Remote.WriteRequest w = Remote.WriteRequest.parseFrom(raw);
          if (w.getMetadataCount() > 0) {
            if (w.getTimeseriesCount() > 0) {
              v1MixedRequests++;
            }
            v1MetadataRequests.add(List.copyOf(w.getMetadataList()));
          }
          req.response().setStatusCode(204).end();
        } else {
          WriteV2.Request w = WriteV2.Request.parseFrom(raw);
          long samples = 0;
          for (WriteV2.TimeSeries ts : w.getTimeseriesList()) {
            samples += ts.getSamplesCount();
            String name = null;
            for (int i = 0; i < ts.getLabelsRefsCount(); i += 2) {
              if (w.getSymbols(ts.getLabelsRefs(i)).equals("__name__")) {
                name = w.getSymbols(ts.getLabelsRefs(i + 1));
              }
            }
            if (ts.hasMetadata() && name != null) {
              v2Metadata.put(name, ts.getMetadata().getType() + "|" + w.getSymbols(ts.getMetadata().getHelpRef()));
            }
          }
          req.response().putHeader("X-Prometheus-Remote-Write-Samples-Written", Long.toString(samples))
              .putHeader("X-Prometheus-Remote-Write-Histograms-Written", "0")
              .putHeader("X-Prometheus-Remote-Write-Exemplars-Written", "0")
              .setStatusCode(204).end();
        }
      } catch (Exception e) {
        req.response().setStatusCode(400).end("test receiver: " + e);
      }
    });
  }

  @Test
  void scrapedMetadataReachesRemoteWriteReceivers() throws Exception {
    String local = "http://127.0.0.1:" + server.actualPort();
    String prom = """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: fixture
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        remote_write:
          - url: %s/api/v1/write
            queue_config: {batch_send_deadline: 200ms}
            metadata_config: {send_interval: 1s}
          - url: %s/v1
            name: capture_v1
            queue_config: {batch_send_deadline: 200ms}
            metadata_config: {send: true, send_interval: 1s, max_samples_per_send: 1}
          - url: %s/v2
            name: capture_v2
            protobuf_message: io.prometheus.write.v2.Request
            queue_config: {batch_send_deadline: 200ms}
        """.formatted(server.actualPort(), prometheus.url(), local, local);
    Path promFile = dir.resolve("prometheus.yml");
    Files.writeString(promFile, prom);
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", promFile.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    // 1.0: metadata-only requests, one entry each (max_samples_per_send: 1), every second
    Await.until("two rounds of 1.0 metadata requests", Duration.ofSeconds(30),
        () -> v1MetadataRequests.size() >= 4 ? Boolean.TRUE : null);
    assertThat(v1MixedRequests).isZero();
    assertThat(v1MetadataRequests).allSatisfy(r -> assertThat(r).hasSize(1));
    Map<String, Types.MetricMetadata> byFamily = new ConcurrentHashMap<>();
    v1MetadataRequests.forEach(r -> r.forEach(m -> byFamily.put(m.getMetricFamilyName(), m)));
    assertThat(byFamily).containsOnlyKeys("fixture_requests_total", "fixture_temperature_celsius");
    assertThat(byFamily.get("fixture_requests_total").getType()).isEqualTo(Types.MetricMetadata.MetricType.COUNTER);
    assertThat(byFamily.get("fixture_requests_total").getHelp()).isEqualTo("Requests served, with a \\ backslash.");
    assertThat(byFamily.get("fixture_temperature_celsius").getType()).isEqualTo(Types.MetricMetadata.MetricType.GAUGE);
    assertThat(byFamily.get("fixture_temperature_celsius").getHelp()).isEqualTo("Temperature.");

    // 2.0: inline, per series
    Await.until("2.0 series with metadata", Duration.ofSeconds(30),
        () -> v2Metadata.size() >= 2 ? Boolean.TRUE : null);
    assertThat(v2Metadata).containsEntry("fixture_requests_total",
        "METRIC_TYPE_COUNTER|Requests served, with a \\ backslash.");
    assertThat(v2Metadata).containsEntry("fixture_temperature_celsius", "METRIC_TYPE_GAUGE|Temperature.");
    assertThat(v2Metadata).doesNotContainKeys("no_metadata_metric", "up");

    // Prometheus 2.42 took the metadata-only requests (no errors, samples flowing) but keeps no metadata
    PrometheusApi api = new PrometheusApi(prometheus.url());
    Await.until("samples in Prometheus", Duration.ofSeconds(30),
        () -> api.single("fixture_requests_total{job=\"fixture\"}"));
    assertThat(api.single("fixture_temperature_celsius")).isEqualTo(21.5);
    JsonObject metadata = new JsonObject(Http.body(prometheus.url() + "/api/v1/metadata"));
    assertThat(metadata.getString("status")).isEqualTo("success");
    assertThat(metadata.getJsonObject("data").containsKey("fixture_requests_total"))
        .as("Prometheus 2.42 does not store remote-written metadata; if it now does, check it here instead")
        .isFalse();
  }
}
