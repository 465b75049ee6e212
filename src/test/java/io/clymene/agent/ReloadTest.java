package io.clymene.agent;

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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * POST /-/reload applies a changed scrape config (a new job starts, a removed one stops) without
 * touching unchanged jobs; an invalid file is rejected with its reason and the running config stays.
 */
@Timeout(120)
class ReloadTest {
  private ExternalServer receiver;
  private Vertx targets;
  private HttpServer server;
  private Launcher launcher;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    receiver = ExternalServer.prometheusReceiver();
    targets = Vertx.vertx();
    server = targets.createHttpServer().requestHandler(req -> req.response()
        .end("reload_test_metric{path=\"" + req.path() + "\"} 1\n"))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    dir = Files.createTempDirectory("clymene-reload-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    targets.close().toCompletionStage().toCompletableFuture().get();
    receiver.close();
    TempDirs.delete(dir);
  }

  private String config(String... jobs) {
    StringBuilder sb = new StringBuilder("global: {scrape_interval: 1s}\nscrape_configs:\n");
    for (String j : jobs) {
      sb.append("  - job_name: ").append(j).append("\n    metrics_path: /").append(j)
          .append("\n    static_configs: [{targets: ['127.0.0.1:").append(server.actualPort()).append("']}]\n");
    }
    return sb.append("remote_write:\n  - url: ").append(receiver.url())
        .append("/api/v1/write\n    queue_config: {batch_send_deadline: 200ms}\n").toString();
  }

  @Test
  void reloadAppliesValidConfigsAndRejectsInvalidOnes() throws Exception {
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config("a", "b"));
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", file.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    String reload = "http://127.0.0.1:" + launcher.adminPort() + "/-/reload";
    PrometheusApi api = new PrometheusApi(receiver.url());
    Await.until("jobs a and b scraped", Duration.ofSeconds(30),
        () -> api.single("count(up{job=~\"a|b\"} == 1)") != null && api.single("count(up{job=~\"a|b\"} == 1)") == 2
            ? Boolean.TRUE : null);

    Files.writeString(file, config("a", "c"));
    HttpResponse<String> ok = Http.post(reload, "");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("configuration reloaded");
    Await.until("job c scraped", Duration.ofSeconds(30), () -> api.single("up{job=\"c\"}"));
    double bBefore = api.single("count_over_time(up{job=\"b\"}[10m])");
    Thread.sleep(2500);
    assertThat(api.single("count_over_time(up{job=\"b\"}[10m])")).as("job b stopped").isEqualTo(bBefore);

    Files.writeString(file, "scrape_configs:\n  - job_name: a\n    scrape_interval: sometimes\n");
    HttpResponse<String> bad = Http.post(reload, "");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains(file + ": scrape_configs[0].scrape_interval: expected a duration");
    double aBefore = api.single("count_over_time(up{job=\"a\"}[10m])");
    Await.until("job a still scraped after the rejected reload", Duration.ofSeconds(15),
        () -> api.single("count_over_time(up{job=\"a\"}[10m])") > aBefore ? Boolean.TRUE : null);

    // remote_write changes apply too: a second receiver is added, then an invalid rule is rejected
    try (ExternalServer second = ExternalServer.prometheusReceiver()) {
      Files.writeString(file, config("a", "c") + "  - url: " + second.url() + "/api/v1/write\n"
          + "    name: second\n    queue_config: {batch_send_deadline: 200ms}\n"
          + "    write_relabel_configs: [{source_labels: [job], regex: c, action: keep}]\n");
      assertThat(Http.post(reload, "").statusCode()).isEqualTo(200);
      PrometheusApi secondApi = new PrometheusApi(second.url());
      Await.until("job c in the second receiver", Duration.ofSeconds(30), () -> secondApi.single("up{job=\"c\"}"));
      assertThat(secondApi.query("up{job=\"a\"}")).as("write_relabel_configs kept only job c").isEmpty();
      Files.writeString(file, config("a", "c") + "  - url: " + second.url() + "/api/v1/write\n"
          + "    write_relabel_configs: [{action: hashmod, target_label: x}]\n");
      HttpResponse<String> rejected = Http.post(reload, "");
      assertThat(rejected.statusCode()).isEqualTo(400);
      assertThat(rejected.body()).contains("remote_write[1].write_relabel_configs[0].modulus");
    }
  }
}
