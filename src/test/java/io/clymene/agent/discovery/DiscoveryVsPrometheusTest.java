package io.clymene.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.discovery.dns.DnsRecords;
import io.clymene.agent.discovery.dns.Dnsmasq;
import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same file, HTTP and DNS discovery configuration run by Prometheus 2.42 (agent mode) and by
 * Clymene's agent: {@code /api/v1/targets} must list the same active targets (discovered labels, final
 * labels, scrape URL, interval and timeout) and the same dropped targets, before and after the DNS
 * records and the HTTP answer change. The DNS records come from a real dnsmasq. Prometheus only asks the
 * servers of {@code /etc/resolv.conf} on port 53, so dnsmasq listens on 127.0.0.77:53 and Prometheus
 * runs in a private mount namespace ({@code unshare -m}, as root) where {@code /etc/resolv.conf} names
 * that address; Clymene is pointed at the same server with {@code -Dclymene.dns.servers}.
 */
@Timeout(120)
class DiscoveryVsPrometheusTest {
  private Vertx vertx;
  private HttpServer sdServer;
  private ExternalServer prometheus;
  private Launcher clymene;
  private Dnsmasq dns;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("clymene-sd-compare-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (clymene != null) {
      clymene.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (dns != null) {
      dns.close();
    }
    System.clearProperty("clymene.dns.servers");
    vertx.close().toCompletionStage().toCompletableFuture().get();
    TempDirs.delete(dir);
  }

  @Test
  void sameTargetsAsPrometheus() throws Exception {
    int closed = Ports.free();
    dns = Dnsmasq.start(DnsRecords.local("sd.test")
        .a("web.sd.test", "127.0.0.10").a("web.sd.test", "127.0.0.11").aaaa("six.sd.test", "::1")
        .srv("_metrics._tcp.sd.test", "node1.sd.test", 9100).srv("_metrics._tcp.sd.test", "node2.sd.test", 9200)
        .a("node1.sd.test", "127.0.0.12").a("node2.sd.test", "127.0.0.13")
        .mx("sd.test", "mail.sd.test", 10), "127.0.0.77", 53);
    Path resolv = dir.resolve("resolv.conf");
    Files.writeString(resolv, "nameserver 127.0.0.77\n");
    System.setProperty("clymene.dns.servers", dns.server());
    AtomicReference<String> httpAnswer = new AtomicReference<>();
    String http = """
        [
          {"targets": ["127.0.0.1:%1$d", "localhost:%1$d"], "labels": {"env": "Prod", "__meta_rack": "r1"}},
          {"targets": ["127.0.0.2"], "labels": {"__scheme__": "https", "__metrics_path__": "/m"}},
          {"targets": ["127.0.0.3:%1$d"], "labels": {"drop": "yes"}},
          {"targets": [], "labels": {"empty": "group"}}
        ]
        """.formatted(closed);
    httpAnswer.set(http);
    sdServer = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/write")) {
        req.body().onComplete(b -> req.response().setStatusCode(204).end());
      } else {
        req.response().putHeader("Content-Type", "application/json; charset=utf-8").end(httpAnswer.get());
      }
    })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    Files.createDirectories(dir.resolve("sd"));
    Files.writeString(dir.resolve("sd/a.yml"), """
        - targets: ['127.0.0.1:%1$d', '127.0.0.4:%1$d']
          labels: {team: core, __param_module: http_2xx}
        - targets: ['127.0.0.5']
        """.formatted(closed));
    Files.writeString(dir.resolve("sd/b.json"), """
        [{"targets": ["127.0.0.6:%1$d"], "labels": {"job": "overridden", "__scrape_interval__": "7s"}}]
        """.formatted(closed));
    String config = """
        global:
          scrape_interval: 15s
          external_labels: {site: test}
        scrape_configs:
          - job_name: files
            scrape_timeout: 5s
            params: {module: [tcp], extra: [x]}
            file_sd_configs:
              - files: ['%1$s/sd/*.yml']
              - files: ['%1$s/sd/b.json']
                refresh_interval: 30s
            relabel_configs:
              - {source_labels: [__address__], regex: '127\\.0\\.0\\.4:.*', action: drop}
              - {source_labels: [__meta_filepath], regex: '.*/(.*)', target_label: file}
          - job_name: http
            metrics_path: /probe
            http_sd_configs: [{url: 'http://127.0.0.1:%2$d/targets', refresh_interval: 10s}]
            relabel_configs:
              - {source_labels: [drop], regex: 'yes', action: drop}
              - {regex: '__meta_(.*)', action: labelmap}
              - {source_labels: [__meta_url], target_label: sd_url}
              - {source_labels: [__address__], target_label: __param_target}
              - {target_label: __address__, replacement: 'blackbox:9115'}
          - job_name: dns
            dns_sd_configs:
              - {names: [_metrics._tcp.sd.test], refresh_interval: 1s}
              - {names: [web.sd.test, six.sd.test, missing.sd.test], type: A, port: 8080, refresh_interval: 1s}
              - {names: [six.sd.test], type: AAAA, port: 8081, refresh_interval: 1s}
              - {names: [sd.test], type: MX, port: 25, refresh_interval: 1s}
            relabel_configs:
              - {source_labels: [__meta_dns_srv_record_port], regex: '9200', action: drop}
              - {source_labels: [__meta_dns_name], target_label: dns_name}
        remote_write:
          - url: http://127.0.0.1:%2$d/write
        """.formatted(dir, sdServer.actualPort());
    Path promFile = dir.resolve("prometheus.yml");
    Files.writeString(promFile, config);

    String promBin = ExternalServer.requireBinary("prometheus", "prometheus");
    prometheus = ExternalServer.start("prometheus-agent", "unshare", "util-linux", "/-/ready",
        "-m", "sh", "-c", "mount --bind " + resolv + " /etc/resolv.conf && exec \"$0\" \"$@\"", promBin,
        "--enable-feature=agent", "--config.file=" + promFile, "--storage.agent.path={dir}/wal",
        "--web.listen-address=127.0.0.1:{port}");
    clymene = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", promFile.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    clymene.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    // Prometheus hands discovered targets to its scrape manager every 5 s
    // files: 127.0.0.4 dropped; http: 127.0.0.3 dropped, the empty group has none; dns: 1 SRV (one dropped),
    // 2 A, 1 AAAA, 1 MX
    int expectedActive = 3 + 3 + 1 + 2 + 1 + 1;
    compare(expectedActive, 3);

    // records and the HTTP answer change: both follow
    dns.update(DnsRecords.local("sd.test")
        .a("web.sd.test", "127.0.0.11").a("web.sd.test", "127.0.0.14").aaaa("six.sd.test", "::1")
        .srv("_metrics._tcp.sd.test", "node1.sd.test", 9101).srv("_metrics._tcp.sd.test", "node3.sd.test", 9300)
        .a("node1.sd.test", "127.0.0.12").mx("sd.test", "mail.sd.test", 10));
    httpAnswer.set("[{\"targets\": [\"127.0.0.8:1234\"], \"labels\": {\"drop\": \"no\"}}]");
    Thread.sleep(3000);
    compare(3 + 1 + 2 + 2 + 1 + 1, 1);
  }

  private void compare(int expectedActive, int expectedDropped) throws InterruptedException {
    String ourBase = "http://127.0.0.1:" + clymene.adminPort();
    // Prometheus hands discovered targets to its scrape manager every 5 s
    Await.until("Prometheus' targets", Duration.ofSeconds(30),
        () -> targets(prometheus.url()).getJsonArray("activeTargets").size() == expectedActive);
    Await.until("Clymene's targets", Duration.ofSeconds(30),
        () -> targets(ourBase).getJsonArray("activeTargets").size() == expectedActive);
    Thread.sleep(6000); // one more discovery round in both
    JsonObject theirs = targets(prometheus.url());
    JsonObject ours = targets(ourBase);
    assertThat(active(ours)).isEqualTo(active(theirs));
    assertThat(active(ours)).hasSize(expectedActive);
    assertThat(dropped(ours)).isEqualTo(dropped(theirs));
    assertThat(dropped(ours)).hasSize(expectedDropped);
    assertThat(ours.getJsonArray("activeTargets").getJsonObject(0).fieldNames())
        .containsAll(theirs.getJsonArray("activeTargets").getJsonObject(0).fieldNames());
  }

  private static JsonObject targets(String base) {
    return new JsonObject(Http.body(base + "/api/v1/targets")).getJsonObject("data");
  }

  /** What must match of each active target, sorted; health and timing are left out. */
  private static List<String> active(JsonObject data) {
    TreeSet<String> out = new TreeSet<>();
    JsonArray a = data.getJsonArray("activeTargets");
    for (int i = 0; i < a.size(); i++) {
      JsonObject t = a.getJsonObject(i);
      out.add(new JsonObject()
          .put("scrapePool", t.getString("scrapePool"))
          .put("discoveredLabels", sorted(t.getJsonObject("discoveredLabels")))
          .put("labels", sorted(t.getJsonObject("labels")))
          .put("scrapeUrl", t.getString("scrapeUrl"))
          .put("scrapeInterval", t.getString("scrapeInterval"))
          .put("scrapeTimeout", t.getString("scrapeTimeout")).encodePrettily());
    }
    return new ArrayList<>(out);
  }

  private static List<String> dropped(JsonObject data) {
    TreeSet<String> out = new TreeSet<>();
    JsonArray a = data.getJsonArray("droppedTargets");
    for (int i = 0; i < a.size(); i++) {
      out.add(sorted(a.getJsonObject(i).getJsonObject("discoveredLabels")).encodePrettily());
    }
    return new ArrayList<>(out);
  }

  private static JsonObject sorted(JsonObject o) {
    return new JsonObject(new TreeMap<>(o.getMap()));
  }
}
