package io.clymene;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.Await;
import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.QuestDbApi;
import io.clymene.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * scripts/run as an operator uses it: the all-in-one stores its own {@code up} in the embedded store
 * within 30 s, its clymene_* counters grow, Ctrl-C stops it within 5 s, and a restart keeps the data.
 * Ports and the data directory are moved out of the way with flags, the rest is conf/clymene.yaml.
 */
@Timeout(180)
class AllInOneScriptIT {
  private static final Pattern SUCCESS = Pattern.compile(
      "clymene_scrapes_total\\{job=\"clymene\",result=\"success\"\\} (\\S+)");
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("clymene-run-");
  }

  @AfterEach
  void tearDown() {
    TempDirs.delete(dir);
  }

  @Test
  void collectsStoresStopsAndKeepsData() throws Exception {
    int admin = Ports.free();
    int sql = Ports.free();
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: clymene\n"
        + "    static_configs: [{targets: ['127.0.0.1:" + admin + "']}]\n");
    String[] args = {"--config.file", prom.toString(), "--admin.host=127.0.0.1", "--admin.port=" + admin,
        "--storage[0].data_dir=" + dir.resolve("data"), "--storage[0].http_port=" + sql,
        "--data_dir=" + dir.resolve("clymene-data"), "--gateway.grpc.host=127.0.0.1",
        "--gateway.grpc.port=" + Ports.free(), "--gateway.http.host=127.0.0.1", "--gateway.http.port=" + Ports.free()};
    QuestDbApi db = new QuestDbApi(sql);
    String instance = "127.0.0.1:" + admin;

    long rowsBefore;
    try (ClymeneProcess p = ClymeneProcess.start("scripts/run", dir.resolve("run1.log"), args)) {
      long t0 = System.nanoTime();
      List<Map<String, Object>> up = p.await("a row of up with value 1 for the admin target",
          Duration.ofSeconds(30), () -> {
            List<Map<String, Object>> rows = db.rows("select * from up where job = 'clymene' and value = 1.0");
            return rows != null && !rows.isEmpty() ? rows : null;
          });
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      assertThat(up.get(0)).containsEntry("instance", instance).containsEntry("job", "clymene")
          .containsEntry("value", 1.0);

      double first = successfulScrapes(admin);
      p.await("clymene_scrapes_total to grow", Duration.ofSeconds(15),
          () -> successfulScrapes(admin) > first ? Boolean.TRUE : null);
      assertThat(Http.body("http://" + instance + "/metrics")).contains("clymene_writer_samples_total{status=\"sent\"",
          "clymene_writer_queue_samples{writer=\"embedded\"}", "jvm_memory_used_bytes", "vertx_");

      rowsBefore = p.await("a row count", Duration.ofSeconds(5),
          () -> db.count("select count() from up where value = 1.0"));
      p.signal("INT");
      Duration stopped = p.awaitExit(Duration.ofSeconds(10));
      assertThat(stopped).as("stop after Ctrl-C; log:\n" + p.log()).isNotNull();
      assertThat(stopped).isLessThan(Duration.ofSeconds(5));
      assertThat(p.exitValue()).as("a clean stop exits 0").isZero();
      assertThat(db.count("select count() from up")).as("the store stops with the process").isNull();
    }

    try (ClymeneProcess p = ClymeneProcess.start("scripts/run", dir.resolve("run2.log"), args)) {
      Long kept = p.await("the restarted store to answer", Duration.ofSeconds(30),
          () -> db.count("select count() from up where value = 1.0"));
      assertThat(kept).as("rows stored before the restart").isGreaterThanOrEqualTo(rowsBefore);
      Long later = p.await("new rows after the restart", Duration.ofSeconds(30), () -> {
        Long n = db.count("select count() from up where value = 1.0");
        return n != null && n > kept ? n : null;
      });
      assertThat(later).isGreaterThan(kept);
      p.signal("TERM");
      assertThat(p.awaitExit(Duration.ofSeconds(10))).isNotNull().isLessThan(Duration.ofSeconds(5));
    }
  }

  private static double successfulScrapes(int admin) {
    String body = Http.body("http://127.0.0.1:" + admin + "/metrics");
    if (body == null) {
      return -1;
    }
    Matcher m = SUCCESS.matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
