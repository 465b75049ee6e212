package io.clymene.agent.discovery;

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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Targets found by file and HTTP discovery come and go while the agent runs: files rewritten in place
 * and replaced, an HTTP endpoint whose answer changes. Added targets are scraped, removed ones get stale
 * markers (seen in a real Prometheus receiving the remote write), other targets are not disturbed, a
 * broken file or a failing endpoint keeps the last good targets and shows up in the log, the metrics and
 * {@code /api/v1/targets}.
 */
@Timeout(120)
class DiscoveryLifecycleTest {
  private ExternalServer receiver;
  private Vertx vertx;
  private final List<HttpServer> targets = new ArrayList<>();
  private HttpServer sdServer;
  private final AtomicReference<String> sdAnswer = new AtomicReference<>("[]");
  private final AtomicReference<Integer> sdStatus = new AtomicReference<>(200);
  private Launcher launcher;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    receiver = ExternalServer.prometheusReceiver();
    vertx = Vertx.vertx();
    for (int i = 0; i < 4; i++) {
      int n = i;
      targets.add(vertx.createHttpServer().requestHandler(req -> req.response()
              .putHeader("Content-Type", "text/plain; version=0.0.4")
              .end("# TYPE served gauge\nserved{server=\"s" + n + "\"} " + n + "\n"))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get());
    }
    sdServer = vertx.createHttpServer().requestHandler(req -> req.response().setStatusCode(sdStatus.get())
            .putHeader("Content-Type", "application/json").end(sdAnswer.get()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    dir = Files.createTempDirectory("clymene-sd-");
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

  private String addr(int i) {
    return "127.0.0.1:" + targets.get(i).actualPort();
  }

  private void writeAtomically(Path file, String content) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private JsonObject api(String query) {
    return new JsonObject(Http.body("http://127.0.0.1:" + launcher.adminPort() + "/api/v1/targets" + query))
        .getJsonObject("data");
  }

  private Set<String> active(String job) {
    Set<String> out = new TreeSet<>();
    JsonArray a = api("?state=active&scrapePool=" + job).getJsonArray("activeTargets");
    for (int i = 0; i < a.size(); i++) {
      out.add(a.getJsonObject(i).getJsonObject("labels").getString("instance"));
    }
    return out;
  }

  @Test
  void targetsFollowFilesAndHttpEndpoints() throws Exception {
    Path yaml = dir.resolve("targets-a.yml");
    Path json = dir.resolve("targets-b.json");
    Files.writeString(yaml, "- targets: ['" + addr(0) + "', '" + addr(1) + "']\n  labels: {team: a}\n");
    Files.writeString(json, "[{\"targets\": [\"" + addr(2) + "\"], \"labels\": {\"team\": \"b\"}}]");
    sdAnswer.set("[{\"targets\": [\"" + addr(3) + "\"], \"labels\": {\"source\": \"http\"}}]");
    String config = """
        global: {scrape_interval: 1s, scrape_timeout: 500ms}
        scrape_configs:
          - job_name: files
            file_sd_configs: [{files: ['%s/targets-*.yml', '%s/targets-*.json'], refresh_interval: 1m}]
            relabel_configs:
              - {source_labels: [team], regex: dropme, action: drop}
          - job_name: http
            http_sd_configs: [{url: 'http://127.0.0.1:%d/sd', refresh_interval: 1s}]
        remote_write:
          - url: %s/api/v1/write
            queue_config: {batch_send_deadline: 200ms}
        """.formatted(dir, dir, sdServer.actualPort(), receiver.url());
    Path promFile = dir.resolve("prometheus.yml");
    Files.writeString(promFile, config);
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", promFile.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    Await.until("the discovered targets", Duration.ofSeconds(10),
        () -> active("files").equals(Set.of(addr(0), addr(1), addr(2))) && active("http").equals(Set.of(addr(3))));
    JsonObject first = api("?scrapePool=files").getJsonArray("activeTargets").stream()
        .map(o -> (JsonObject) o).filter(o -> o.getJsonObject("labels").getString("instance").equals(addr(0)))
        .findFirst().orElseThrow();
    assertThat(first.getJsonObject("discoveredLabels").getMap()).containsEntry("__meta_filepath",
        dir + "/targets-a.yml").containsEntry("__address__", addr(0)).containsEntry("team", "a")
        .containsEntry("job", "files").containsEntry("__scrape_interval__", "1s");
    assertThat(first.getJsonObject("labels").getMap()).isEqualTo(Map.of("instance", addr(0), "job", "files",
        "team", "a"));
    assertThat(first.getString("scrapeUrl")).isEqualTo("http://" + addr(0) + "/metrics");

    PrometheusApi prom = new PrometheusApi(receiver.url());
    for (int i = 0; i < 4; i++) {
      String instance = addr(i);
      Await.until("samples of " + instance, Duration.ofSeconds(15),
          () -> prom.single("served{instance=\"" + instance + "\"}"));
    }
    Double addr2Before = prom.single("count_over_time(up{instance=\"" + addr(2) + "\"}[1m])");

    // rewrite a file in place: target 1 goes away, its series go stale; target 0 is not disturbed
    Files.writeString(yaml, "- targets: ['" + addr(0) + "']\n  labels: {team: a}\n"
        + "- targets: ['" + addr(1) + "']\n  labels: {team: dropme}\n");
    long changed = System.nanoTime();
    Await.until("target 1 removed", Duration.ofSeconds(5), () -> active("files").equals(Set.of(addr(0), addr(2))));
    assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThan(Duration.ofSeconds(5));
    Await.until("stale markers for target 1", Duration.ofSeconds(10),
        () -> prom.single("up{instance=\"" + addr(1) + "\"}") == null);
    assertThat(prom.single("up{instance=\"" + addr(0) + "\"}")).isEqualTo(1.0);
    JsonArray dropped = api("?state=dropped").getJsonArray("droppedTargets");
    assertThat(dropped.size()).isEqualTo(1);
    assertThat(dropped.getJsonObject(0).getJsonObject("discoveredLabels").getString("__address__")).isEqualTo(addr(1));
    assertThat(api("?state=dropped").getJsonArray("activeTargets")).isEmpty();

    // a broken file keeps its last good targets, and says so
    Files.writeString(json, "[{\"targets\": [\"" + addr(2) + "\"], \"labels\": {\"team\": ");
    Await.until("the error in the targets API", Duration.ofSeconds(5),
        () -> !api("").getJsonArray("discoveryErrors").isEmpty());
    JsonObject error = api("").getJsonArray("discoveryErrors").getJsonObject(0);
    assertThat(error.getString("scrapePool")).isEqualTo("files");
    assertThat(error.getString("config")).isEqualTo("file_sd_configs[0]");
    assertThat(error.getString("error")).contains(json.toString());
    assertThat(active("files")).containsExactlyInAnyOrder(addr(0), addr(2));
    String metrics = Http.body("http://127.0.0.1:" + launcher.adminPort() + "/metrics");
    assertThat(metrics).containsPattern("clymene_sd_refresh_failures_total\\{config=\"file_sd_configs\\[0\\]\","
        + "job=\"files\",mechanism=\"file\"} [1-9]");
    Await.until("target 2 still scraped", Duration.ofSeconds(10),
        () -> prom.single("count_over_time(up{instance=\"" + addr(2) + "\"}[1m])") > addr2Before ? true : null);

    // a file replaced by rename (as configuration tools do) is picked up; the error clears
    writeAtomically(json, "[{\"targets\": [\"" + addr(2) + "\", \"" + addr(3) + "\"], \"labels\": {\"team\": \"b\"}}]");
    Await.until("target 3 added by file", Duration.ofSeconds(5),
        () -> active("files").equals(Set.of(addr(0), addr(2), addr(3))));
    Await.until("error cleared", Duration.ofSeconds(5), () -> api("").getJsonArray("discoveryErrors").isEmpty());

    // a deleted file takes its targets with it
    Files.delete(json);
    Await.until("file b's targets removed", Duration.ofSeconds(5), () -> active("files").equals(Set.of(addr(0))));

    // HTTP: a failing endpoint keeps the last targets; a new answer replaces them
    sdStatus.set(503);
    Await.until("the HTTP error reported", Duration.ofSeconds(5),
        () -> api("").getJsonArray("discoveryErrors").stream().map(o -> (JsonObject) o)
            .anyMatch(o -> o.getString("scrapePool").equals("http")
                && o.getString("error").contains("server returned HTTP status 503")));
    assertThat(active("http")).containsExactly(addr(3));
    sdAnswer.set("[{\"targets\": [\"" + addr(1) + "\"]}, {\"targets\": [\"" + addr(2) + "\"]}]");
    sdStatus.set(200);
    Await.until("the HTTP targets replaced", Duration.ofSeconds(5),
        () -> active("http").equals(Set.of(addr(1), addr(2))));
    Await.until("stale markers for the old HTTP target", Duration.ofSeconds(10),
        () -> prom.single("up{job=\"http\",instance=\"" + addr(3) + "\"}") == null);
    assertThat(prom.single("up{job=\"files\",instance=\"" + addr(0) + "\"}")).isEqualTo(1.0);
  }
}
