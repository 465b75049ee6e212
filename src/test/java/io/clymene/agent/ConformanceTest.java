package io.clymene.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Conformance with Prometheus 2.42 in agent mode: the same prometheus.yml runs through a real
 * Prometheus agent and through Clymene's agent, each remote-writing to its own real VictoriaMetrics.
 * The targets are the fixtures under {@code src/test/resources/conformance} (served by a small server
 * in this test, with the content types and encodings a job asks for) and a real node_exporter. Both
 * receivers must then hold the same series label sets, the same values for the fixed fixtures, and the
 * same report series values where they are deterministic (up, samples scraped, samples after
 * relabeling, series added), including every edge case: escapes, NaN and infinities, untyped metrics,
 * duplicate lines, no final newline, invalid lines and content, OpenMetrics with and without # EOF,
 * gzip, label conflicts with and without honor_labels, target and metric relabeling, limits, params,
 * and series that vanish (stale markers, which VictoriaMetrics exports as null).
 */
@Timeout(240)
class ConformanceTest {
  /** Jobs whose fixture values never change: their sample values must be the same. */
  private static final Set<String> FIXED = Set.of("basic", "escapes", "specials", "untyped", "duplicates",
      "no-newline", "conflicts", "conflicts-honor", "relabel-targets", "metric-relabel", "om", "gzip", "params",
      "no-content-type", "timestamps", "empty");

  private ExternalServer vmPrometheus;
  private ExternalServer vmClymene;
  private ExternalServer prometheus;
  private ExternalServer node;
  private Vertx vertx;
  private final List<HttpServer> fixtureServers = new ArrayList<>();
  private Launcher clymene;
  private Path dir;
  private final Map<String, AtomicInteger> flapCounts = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("clymene-conformance-");
    vmPrometheus = victoriaMetrics();
    vmClymene = victoriaMetrics();
    node = ExternalServer.nodeExporter();
    vertx = Vertx.vertx();
    int port = Ports.free();
    // three loopback addresses, so that relabeling sees several targets
    for (String host : List.of("127.0.0.1", "127.0.0.2", "127.0.0.3")) {
      fixtureServers.add(vertx.createHttpServer().requestHandler(this::serve).listen(port, host)
          .toCompletionStage().toCompletableFuture().get());
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (clymene != null) {
      clymene.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    for (ExternalServer s : new ExternalServer[]{vmPrometheus, vmClymene, node}) {
      if (s != null) {
        s.close();
      }
    }
    TempDirs.delete(dir);
  }

  private static ExternalServer victoriaMetrics() throws IOException {
    return ExternalServer.start("victoria-metrics", "victoria-metrics", "victoria-metrics", "/health",
        "-httpListenAddr=127.0.0.1:{port}", "-storageDataPath={dir}/data", "-search.latencyOffset=1s",
        "-retentionPeriod=100y", "-loggerLevel=ERROR");
  }

  /** Serves fixtures: /static/NAME, /gzip/NAME, /bare/NAME (no Content-Type), /flap, /echo, /status/N. */
  private void serve(HttpServerRequest req) {
    String path = req.path();
    try {
      if (path.startsWith("/static/") || path.startsWith("/gzip/") || path.startsWith("/bare/")) {
        String name = path.substring(path.indexOf('/', 1) + 1);
        byte[] body = fixture(name);
        if (!path.startsWith("/bare/")) {
          req.response().putHeader("Content-Type", name.endsWith(".om")
              ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
              : name.endsWith(".html") ? "text/html" : "text/plain; version=0.0.4; charset=utf-8");
        }
        if (path.startsWith("/gzip/")) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
          }
          req.response().putHeader("Content-Encoding", "gzip");
          body = out.toByteArray();
        }
        req.response().end(Buffer.buffer(body));
      } else if (path.equals("/flap")) {
        // series b and c take turns for each scraper: each disappears every other scrape
        int n = flapCounts.computeIfAbsent(String.valueOf(req.getHeader("User-Agent")), k -> new AtomicInteger())
            .incrementAndGet();
        req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
            .end("flap_a 1\n" + (n % 2 == 1 ? "flap_b 2\n" : "flap_c 3\n"));
      } else if (path.equals("/echo")) {
        String q = req.query() == null ? "" : req.query();
        req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
            .end("echo_query{q=\"" + q.replace("\\", "\\\\").replace("\"", "\\\"") + "\"} 1\n");
      } else if (path.startsWith("/status/")) {
        req.response().setStatusCode(Integer.parseInt(path.substring(8))).end("nope");
      } else {
        req.response().setStatusCode(404).end();
      }
    } catch (IOException e) {
      req.response().setStatusCode(500).end(e.toString());
    }
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = ConformanceTest.class.getResourceAsStream("/conformance/" + name)) {
      if (in == null) {
        throw new IOException("no fixture " + name);
      }
      return in.readAllBytes();
    }
  }

  private final int refusedPort = Ports.free();

  private String config(int port, String receiverUrl) {
    String t = "127.0.0.1:" + port;
    StringBuilder sb = new StringBuilder();
    sb.append("global:\n  scrape_interval: 1s\n  scrape_timeout: 800ms\n  external_labels: {cluster: conformance}\n");
    sb.append("scrape_configs:\n");
    for (String[] job : new String[][]{
        {"basic", "/static/basic.prom"}, {"escapes", "/static/escapes.prom"}, {"specials", "/static/specials.prom"},
        {"untyped", "/static/untyped.prom"}, {"timestamps", "/static/timestamps.prom"},
        {"duplicates", "/static/duplicates.prom"}, {"no-newline", "/static/no-newline.prom"},
        {"invalid", "/static/invalid.prom"}, {"invalid-type", "/static/invalid-type.prom"},
        {"empty", "/static/empty.prom"}, {"om", "/static/openmetrics.om"},
        {"om-no-eof", "/static/openmetrics-no-eof.om"}, {"html", "/static/not-metrics.html"},
        {"gzip", "/gzip/basic.prom"}, {"no-content-type", "/bare/basic.prom"}, {"flap", "/flap"},
        {"not-found", "/status/404"}, {"server-error", "/status/500"}, {"conflicts", "/static/conflicts.prom"}}) {
      sb.append("  - job_name: ").append(job[0]).append("\n    metrics_path: ").append(job[1])
          .append("\n    static_configs: [{targets: ['").append(t).append("']}]\n");
    }
    sb.append("""
          - job_name: conflicts-honor
            honor_labels: true
            metrics_path: /static/conflicts.prom
            static_configs: [{targets: ['%1$s'], labels: {zone: target-zone}}]
          - job_name: relabel-targets
            metrics_path: /static/relabel.prom
            static_configs:
              - targets: ['127.0.0.1:%2$d', '127.0.0.2:%2$d', '127.0.0.3:%2$d']
                labels: {__meta_env: Prod, team: core}
            relabel_configs:
              - {source_labels: [__address__], regex: '127\\.0\\.0\\.(\\d+):.*', target_label: node_index, replacement: 'n$1'}
              - {source_labels: [__address__], modulus: 4, target_label: __tmp_shard, action: hashmod}
              - {source_labels: [__tmp_shard], target_label: shard}
              - {regex: '__meta_(.+)', action: labelmap}
              - {source_labels: [env], target_label: env_lower, action: lowercase}
              - {source_labels: [node_index], regex: 'n3', action: drop}
          - job_name: metric-relabel
            metrics_path: /static/relabel.prom
            static_configs: [{targets: ['%1$s']}]
            metric_relabel_configs:
              - {source_labels: [__name__], regex: 'go_.*', action: drop}
              - {source_labels: [__name__, mode], separator: '/', regex: 'process_cpu_seconds_total/(.*)', target_label: cpu_mode, replacement: '${1}_mode'}
              - {regex: 'status', action: labeldrop}
              - {source_labels: [handler], regex: '/(.*)', target_label: handler, replacement: 'h_$1'}
          - job_name: target-limit
            target_limit: 2
            metrics_path: /static/many.prom
            static_configs: [{targets: ['127.0.0.1:%2$d', '127.0.0.2:%2$d', '127.0.0.3:%2$d']}]
          - job_name: sample-limit
            sample_limit: 3
            metrics_path: /static/many.prom
            static_configs: [{targets: ['%1$s']}]
          - job_name: label-limit
            label_limit: 4
            metrics_path: /static/basic.prom
            static_configs: [{targets: ['%1$s']}]
          - job_name: label-value-limit
            label_value_length_limit: 3
            metrics_path: /static/basic.prom
            static_configs: [{targets: ['%1$s']}]
          - job_name: body-limit
            body_size_limit: 100B
            metrics_path: /static/basic.prom
            static_configs: [{targets: ['%1$s']}]
          - job_name: params
            metrics_path: /echo
            params: {format: [x], 'collect[]': [b, a]}
            static_configs: [{targets: ['%1$s']}]
          - job_name: refused
            static_configs: [{targets: ['127.0.0.1:%3$d']}]
          - job_name: node
            scrape_interval: 2s
            static_configs: [{targets: ['127.0.0.1:%4$d']}]
        remote_write:
          - url: %5$s/api/v1/write
            queue_config: {batch_send_deadline: 1s, max_samples_per_send: 1000}
        """.formatted(t, port, refusedPort, node.port(), receiverUrl));
    return sb.toString();
  }

  @Test
  void sameSeriesAndValuesAsPrometheusAgentMode() throws Exception {
    int port = fixtureServers.get(0).actualPort();
    Path promConfig = dir.resolve("prometheus.yml");
    Files.writeString(promConfig, config(port, vmPrometheus.url()));
    Path clymeneConfig = dir.resolve("clymene-prometheus.yml");
    Files.writeString(clymeneConfig, config(port, vmClymene.url()));

    prometheus = ExternalServer.start("prometheus-agent", "prometheus", "prometheus", "/-/ready",
        "--enable-feature=agent", "--config.file=" + promConfig, "--storage.agent.path={dir}/wal",
        "--web.listen-address=127.0.0.1:{port}", "--storage.remote.flush-deadline=1s");
    clymene = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", clymeneConfig.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    clymene.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    Thread.sleep(12_000);
    // samples from the last seconds are left out: scrapes cut short by the shutdown differ by timing
    long compareUntil = System.currentTimeMillis() - 2_000;
    prometheus.close();
    prometheus = null;
    clymene.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    clymene = null;
    Thread.sleep(2_500); // VictoriaMetrics shows fresh data after -search.latencyOffset

    Map<String, Series> theirs = export(vmPrometheus, compareUntil);
    Map<String, Series> ours = export(vmClymene, compareUntil);
    assertThat(theirs).as("Prometheus delivered something").isNotEmpty();

    // the same series label sets
    Set<String> missing = new TreeSet<>(theirs.keySet());
    missing.removeAll(ours.keySet());
    Set<String> extra = new TreeSet<>(ours.keySet());
    extra.removeAll(theirs.keySet());
    assertThat(missing).as("series Prometheus sent and Clymene did not").isEmpty();
    assertThat(extra).as("series Clymene sent and Prometheus did not").isEmpty();

    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, Series> e : theirs.entrySet()) {
      Series p = e.getValue();
      Series c = ours.get(e.getKey());
      String job = p.labels.getString("job", "");
      String name = p.labels.getString("__name__", "");
      boolean report = Set.of("up", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
          "scrape_series_added").contains(name);
      boolean deterministic = FIXED.contains(job) || (report && !job.equals("node") && !job.equals("flap"))
          || (job.equals("flap") && !name.startsWith("scrape_"));
      if (name.equals("scrape_duration_seconds") || !deterministic) {
        continue;
      }
      if (!p.distinctValues().equals(c.distinctValues())) {
        differences.add(e.getKey() + ": Prometheus " + p.distinctValues() + ", Clymene " + c.distinctValues());
      }
    }
    assertThat(differences).as("values that differ").isEmpty();

    // a few outcomes spelled out, so that a regression in both cannot hide
    assertThat(up(ours, "basic")).containsExactly("1.0");
    for (String failing : List.of("invalid", "invalid-type", "om-no-eof", "html", "not-found", "server-error",
        "sample-limit", "label-limit", "label-value-limit", "body-limit", "refused", "target-limit")) {
      assertThat(up(ours, failing)).as(failing).containsExactly("0.0");
      assertThat(up(theirs, failing)).as(failing).containsExactly("0.0");
    }
    assertThat(ours.keySet()).anyMatch(k -> k.contains("flap_b"));
    assertThat(ours.values().stream().filter(s -> "flap_b".equals(s.labels.getString("__name__")))
        .flatMap(s -> s.distinctValues().stream())).as("flap_b goes stale every other scrape (null: a stale marker)")
        .contains("null");
  }

  private static Set<String> up(Map<String, Series> series, String job) {
    return series.values().stream().filter(s -> "up".equals(s.labels.getString("__name__"))
        && job.equals(s.labels.getString("job"))).findFirst().map(Series::distinctValues).orElse(Set.of());
  }

  /** One exported series. */
  private record Series(JsonObject labels, List<String> values) {
    Set<String> distinctValues() {
      return new TreeSet<>(values);
    }
  }

  /** Every raw sample a VictoriaMetrics holds, keyed by the series' sorted label set. */
  private static Map<String, Series> export(ExternalServer vm, long untilMillis) {
    String body = Http.body(vm.url() + "/api/v1/export?match[]=" + Http.enc("{__name__!=\"\"}") + "&end="
        + untilMillis / 1000);
    assertThat(body).as("export from " + vm).isNotNull();
    Map<String, Series> out = new TreeMap<>();
    for (String line : body.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      // VictoriaMetrics writes NaN and infinities as bare words
      JsonObject row = new JsonObject(line.replaceAll("(?<=[\\[,])(NaN|[+-]?Inf)(?=[,\\]])", "\"$1\""));
      JsonObject metric = row.getJsonObject("metric");
      List<String> values = new ArrayList<>();
      row.getJsonArray("values").forEach(v -> values.add(v instanceof Number n ? Double.toString(n.doubleValue())
          : String.valueOf(v).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
      String key = new TreeMap<>(metric.getMap()).toString();
      Series prev = out.get(key);
      if (prev != null) {
        prev.values.addAll(values);
      } else {
        out.put(key, new Series(metric, values));
      }
    }
    return out;
  }
}
