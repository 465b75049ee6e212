package io.clymene;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Ports;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Prometheus 2.42 scrapes {@value #SERIES} counting series every second for five minutes and
 * remote-writes them to the packaged gateway (HTTP, {@code /api/v1/write}), which writes to a real
 * VictoriaMetrics. Nothing may be lost: per series every value 1..N the target handed out arrives (except
 * values served to scrapes Prometheus itself reports as failed with up 0), once, in order; and Prometheus
 * counts no failed or dropped sample.
 */
@Timeout(600)
class PrometheusThroughGatewayIT {
  private static final int SERIES = 200;
  private static final Duration RUN = Duration.ofMinutes(5);

  private ExternalServer vm;
  private ExternalServer prometheus;
  private Vertx vertx;
  private CounterTarget target;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vm = ExternalServer.victoriaMetrics();
    vertx = Vertx.vertx();
    target = CounterTarget.start(vertx, "through_gateway_total", SERIES);
    dir = Files.createTempDirectory("clymene-prom-gateway-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    vm.close();
    TempDirs.delete(dir);
  }

  @Test
  void prometheusRemoteWritesThroughTheGatewayWithoutLoss() throws Exception {
    int admin = Ports.free();
    int http = Ports.free();
    Path cfg = dir.resolve("gateway.yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "gateway:",
        "  grpc: {host: 127.0.0.1, port: " + Ports.free() + "}",
        "  http: {host: 127.0.0.1, port: " + http + "}",
        "storage:",
        "  - type: prometheus",
        "    name: vm",
        "    url: " + vm.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: 500ms}",
        ""));
    Path promConfig = dir.resolve("prometheus.yml");
    Files.writeString(promConfig, String.join("\n",
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
        "scrape_configs:",
        "  - job_name: through",
        "    static_configs: [{targets: ['" + target.address() + "']}]",
        "remote_write:",
        "  - url: http://127.0.0.1:" + http + "/api/v1/write",
        "    queue_config: {batch_send_deadline: 1s, retry_on_http_429: true}",
        ""));
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());
    try (ClymeneProcess gateway = ClymeneProcess.start("scripts/clymene", dir.resolve("gateway.log"),
        "--role", "gateway", "--config", cfg.toString(), "--data_dir=" + dir.resolve("gateway-data"))) {
      gateway.await("the gateway to be ready", Duration.ofSeconds(60),
          () -> io.clymene.testing.Http.get("http://127.0.0.1:" + admin + "/ready").statusCode() == 200 ? true : null);
      prometheus = ExternalServer.start("prometheus", "prometheus", "prometheus", "/-/ready",
          "--config.file=" + promConfig, "--storage.tsdb.path={dir}/data", "--web.listen-address=127.0.0.1:{port}",
          "--storage.remote.flush-deadline=10s");
      long started = System.nanoTime();
      gateway.await("every series in VictoriaMetrics", Duration.ofSeconds(60), () -> {
        var got = api.export(target.metric());
        return got != null && target.bySeries(got).size() == SERIES ? Boolean.TRUE : null;
      });
      long left = RUN.toMillis() - (System.nanoTime() - started) / 1_000_000;
      Thread.sleep(Math.max(0, left));
      Map<String, Long> n = target.stop();
      SortedSet<Long> failedScrapes = new TreeSet<>();
      Map<String, List<RawSample>> delivered = gateway.await("every value in VictoriaMetrics", Duration.ofSeconds(60),
          () -> target.completeIn(api, "through", n, failedScrapes));
      assertThat(CounterTarget.check(delivered, n, failedScrapes::contains)).isEmpty();
      long last = n.values().iterator().next();
      assertThat(last).as("scrapes in five minutes").isGreaterThan(250);
      assertThat(failedScrapes).as("scrapes Prometheus reported as failed").hasSizeLessThanOrEqualTo(3);

      Exposition promMetrics = Exposition.fetch(prometheus.url() + "/metrics");
      assertThat(promMetrics.sum("prometheus_remote_storage_samples_failed_total")).isZero();
      assertThat(promMetrics.sum("prometheus_remote_storage_samples_dropped_total")).isZero();
      Exposition gw = Exposition.fetch("http://127.0.0.1:" + admin + "/metrics");
      assertThat(gw.sum("clymene_gateway_received_samples_total", "protocol", "remote_write"))
          .as("samples the gateway took").isGreaterThanOrEqualTo((double) SERIES * (last - failedScrapes.size()));
      System.out.printf("Prometheus -> gateway -> VictoriaMetrics for %s: %d series x %d values delivered, %d failed "
          + "scrapes, gateway took %.0f samples%n", RUN, SERIES, last, failedScrapes.size(),
          gw.sum("clymene_gateway_received_samples_total", "protocol", "remote_write"));
    }
  }
}
