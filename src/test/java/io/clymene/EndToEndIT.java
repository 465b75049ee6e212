package io.clymene;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.Await;
import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.QuestDbApi;
import io.clymene.testing.TempDirs;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The all-in-one jar scrapes a real node_exporter and writes both to its embedded store and to a real
 * Prometheus 2.42 (remote-write receiver); both hold node_cpu_seconds_total with node_exporter's labels
 * and the same values at the same timestamps. SIGHUP reloads the scrape config.
 */
@Timeout(180)
class EndToEndIT {
  private static final Pattern CPU_LINE = Pattern.compile(
      "^node_cpu_seconds_total\\{cpu=\"([^\"]+)\",mode=\"([^\"]+)\"\\} (\\S+)$", Pattern.MULTILINE);
  private ExternalServer node;
  private ExternalServer prometheus;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    node = ExternalServer.nodeExporter();
    prometheus = ExternalServer.prometheusReceiver();
    dir = Files.createTempDirectory("clymene-e2e-");
  }

  @AfterEach
  void tearDown() {
    node.close();
    prometheus.close();
    TempDirs.delete(dir);
  }

  @Test
  void nodeExporterReachesTheEmbeddedStoreAndPrometheus() throws Exception {
    int admin = Ports.free();
    int sql = Ports.free();
    Path cfg = dir.resolve("clymene.yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "gateway: {grpc: {host: 127.0.0.1, port: " + Ports.free() + "}, http: {host: 127.0.0.1, port: "
            + Ports.free() + "}}",
        "storage:",
        "  - type: embedded",
        "    data_dir: " + dir.resolve("data"),
        "    http_port: " + sql,
        "  - type: prometheus",
        "    url: " + prometheus.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: 500ms}",
        ""));
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, String.join("\n",
        "global: {scrape_interval: 2s}",
        "scrape_configs:",
        "  - job_name: node",
        "    static_configs: [{targets: ['127.0.0.1:" + node.port() + "']}]",
        "  - job_name: clymene",
        "    static_configs: [{targets: ['127.0.0.1:" + admin + "']}]",
        ""));
    String instance = "127.0.0.1:" + node.port();
    QuestDbApi db = new QuestDbApi(sql);
    PrometheusApi api = new PrometheusApi(prometheus.url());

    try (ClymeneProcess p = ClymeneProcess.start("scripts/clymene", dir.resolve("clymene.log"),
        "--config", cfg.toString(), "--config.file", prom.toString(), "--data_dir=" + dir.resolve("clymene-data"))) {
      p.await("node_cpu_seconds_total in the embedded store", Duration.ofSeconds(60), () -> {
        Long n = db.count("select count() from node_cpu_seconds_total");
        return n != null && n > 0 ? n : null;
      });
      p.await("two scrapes of node_cpu_seconds_total in Prometheus", Duration.ofSeconds(60), () -> {
        var s = api.samples("node_cpu_seconds_total[1m]");
        return !s.isEmpty() && s.values().iterator().next().size() >= 2 ? s : null;
      });

      // node_exporter's own view, read after the stored samples
      String direct = Http.body(node.url() + "/metrics");
      Map<String, Double> exporter = new HashMap<>();
      Matcher m = CPU_LINE.matcher(direct);
      while (m.find()) {
        exporter.put(m.group(1) + "/" + m.group(2), Double.parseDouble(m.group(3)));
      }
      assertThat(exporter).isNotEmpty();

      Map<JsonObject, Map<Long, Double>> inPrometheus = api.samples("node_cpu_seconds_total[1m]");
      Set<String> promKeys = new HashSet<>();
      for (var e : inPrometheus.entrySet()) {
        JsonObject labels = e.getKey();
        assertThat(labels.fieldNames()).containsExactlyInAnyOrder("__name__", "cpu", "mode", "job", "instance");
        assertThat(labels.getString("job")).isEqualTo("node");
        assertThat(labels.getString("instance")).isEqualTo(instance);
        String key = labels.getString("cpu") + "/" + labels.getString("mode");
        promKeys.add(key);
        for (double v : e.getValue().values()) {
          // a counter read before node_exporter's later answer: never above it, and close to it
          assertThat(v).as(key).isLessThanOrEqualTo(exporter.get(key)).isGreaterThan(exporter.get(key) - 600);
        }
      }
      assertThat(promKeys).isEqualTo(exporter.keySet());

      List<Map<String, Object>> rows = db.rows(
          "select cpu, mode, job, instance, value, cast(timestamp as long) ts from node_cpu_seconds_total");
      Map<String, Map<Long, Double>> inStore = new HashMap<>();
      for (Map<String, Object> r : rows) {
        assertThat(r).containsEntry("job", "node").containsEntry("instance", instance);
        inStore.computeIfAbsent(r.get("cpu") + "/" + r.get("mode"), k -> new HashMap<>())
            .put(((Number) r.get("ts")).longValue() / 1000, ((Number) r.get("value")).doubleValue());
      }
      assertThat(inStore.keySet()).isEqualTo(exporter.keySet());
      int compared = 0;
      for (var e : inPrometheus.entrySet()) {
        String key = e.getKey().getString("cpu") + "/" + e.getKey().getString("mode");
        for (var point : e.getValue().entrySet()) {
          Double stored = inStore.get(key).get(point.getKey());
          if (stored != null) {
            assertThat(stored).as(key + " at " + point.getKey()).isEqualTo(point.getValue());
            compared++;
          }
        }
      }
      assertThat(compared).as("samples present in both stores").isGreaterThanOrEqualTo(exporter.size());

      assertThat(api.single("up{job=\"node\"}")).isEqualTo(1.0);
      List<Map<String, Object>> up = p.await("up of the node job in the embedded store", Duration.ofSeconds(10), () -> {
        List<Map<String, Object>> r = db.rows("select value from up where job = 'node'");
        return r != null && !r.isEmpty() ? r : null;
      });
      assertThat(up).extracting(r -> r.get("value")).containsOnly(1.0);

      // SIGHUP reloads the scrape config: a job added to the file starts being scraped
      Files.writeString(prom, Files.readString(prom) + String.join("\n",
          "  - job_name: added-by-sighup",
          "    static_configs: [{targets: ['127.0.0.1:" + admin + "']}]",
          ""));
      p.signal("HUP");
      assertThat(p.await("the job added by SIGHUP in Prometheus", Duration.ofSeconds(30),
          () -> api.single("up{job=\"added-by-sighup\"}"))).isEqualTo(1.0);
      assertThat(p.isAlive()).isTrue();
      p.signal("TERM");
      assertThat(p.awaitExit(Duration.ofSeconds(10))).as(p.log()).isNotNull();
    }
  }
}
