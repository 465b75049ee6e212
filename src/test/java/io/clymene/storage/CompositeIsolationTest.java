package io.clymene.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A receiver that accepts connections but never answers does not hold up the other writer or the
 * scrape loops: a real Prometheus keeps receiving every scrape while the stuck writer's memory queue
 * fills and it then spills to its disk queue, dropping nothing.
 */
@Timeout(120)
class CompositeIsolationTest {
  private ExternalServer receiver;
  private Vertx vertx;
  private HttpServer stuck;
  private HttpServer target;
  private Launcher launcher;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    receiver = ExternalServer.prometheusReceiver();
    vertx = Vertx.vertx();
    stuck = vertx.createHttpServer().requestHandler(req -> { }) // never answers
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      body.append("iso_metric{i=\"").append(i).append("\"} ").append(i).append('\n');
    }
    target = vertx.createHttpServer().requestHandler(req -> req.response().end(body.toString()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    dir = Files.createTempDirectory("clymene-iso-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    receiver.close();
    TempDirs.delete(dir);
  }

  @Test
  void aStuckBackendDoesNotHoldUpTheOthers() throws Exception {
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: iso\n"
        + "    static_configs: [{targets: ['127.0.0.1:" + target.actualPort() + "']}]\n");
    Path cfg = dir.resolve("clymene.yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: 0}",
        "storage:",
        "  - type: prometheus",
        "    name: stuck",
        "    url: http://127.0.0.1:" + stuck.actualPort() + "/api/v1/write",
        "    timeout: 60s",
        "    queue: {capacity: 300, max_shards: 1, max_samples_per_send: 100, batch_send_deadline: 100ms}",
        "  - type: prometheus",
        "    name: good",
        "    url: " + receiver.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: 100ms}",
        ""));
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config", cfg.toString(),
        "--config.file", prom.toString(), "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    PrometheusApi api = new PrometheusApi(receiver.url());
    String metrics = "http://127.0.0.1:" + launcher.adminPort() + "/metrics";
    // the stuck writer's memory fills up: it spills to its disk queue instead of dropping
    Await.until("the stuck writer to spill to disk", Duration.ofSeconds(30),
        () -> value(Http.body(metrics), "clymene_writer_spilling\\{writer=\"stuck\"\\}") == 1
            && value(Http.body(metrics), "clymene_writer_samples_total\\{status=\"spilled\",writer=\"stuck\"\\}") > 0
            ? Boolean.TRUE : null);
    // the good receiver still gets every scrape: about one per second, all 200 series each time
    Double scrapes = Await.until("scrapes to reach the good receiver", Duration.ofSeconds(20), () -> {
      Double n = api.single("count_over_time(up{job=\"iso\"}[1m])");
      return n != null && n >= 8 ? n : null;
    });
    assertThat(scrapes).isGreaterThanOrEqualTo(8);
    assertThat(api.single("count(iso_metric)")).isEqualTo(200.0);
    double sentGood = value(Http.body(metrics), "clymene_writer_samples_total\\{status=\"sent\",writer=\"good\"\\}");
    assertThat(sentGood).isGreaterThanOrEqualTo(8 * 204);
    // memory stays within twice the bound (the overflow allowance while the disk queue takes it)
    assertThat(value(Http.body(metrics), "clymene_writer_queue_samples\\{writer=\"stuck\"\\}")).isLessThanOrEqualTo(600);
    assertThat(value(Http.body(metrics), "clymene_dropped_samples_total\\{reason=\"queue_full\",writer=\"stuck\"\\}"))
        .isLessThanOrEqualTo(0);
  }

  private static double value(String body, String series) {
    Matcher m = Pattern.compile("^" + series + " (\\S+)$", Pattern.MULTILINE).matcher(body == null ? "" : body);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
