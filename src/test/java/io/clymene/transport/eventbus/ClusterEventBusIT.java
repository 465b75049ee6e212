package io.clymene.transport.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agent → gateway over the clustered event bus, packaged processes on 127.0.0.1: an agent ({@code --role agent
 * --cluster}, {@code agent.output: eventbus}) scrapes {@value #SERIES} counting series every second and sends to
 * a gateway ({@code --role gateway --cluster}) in the same Hazelcast cluster, which writes to a real
 * VictoriaMetrics. The gateway is stopped (SIGTERM) and started again while the agent keeps scraping: the agent
 * retries while no consumer is registered, and in the end VictoriaMetrics holds every value of every series, and
 * as many distinct samples of the job as the agent counts sent.
 */
@Timeout(180)
class ClusterEventBusIT {
  private static final int SERIES = 50;
  private static final String JOB = "eventbus";

  private ExternalServer vm;
  private Vertx vertx;
  private CounterTarget target;
  private Path dir;
  private String clusterName;
  private int agentMemberPort;
  private int gatewayMemberPort;

  @BeforeEach
  void setUp() throws Exception {
    vm = ExternalServer.victoriaMetrics();
    vertx = Vertx.vertx();
    target = CounterTarget.start(vertx, "eventbus_total", SERIES);
    dir = Files.createTempDirectory("clymene-eventbus-");
    clusterName = "clymene-it-" + UUID.randomUUID();
    agentMemberPort = Ports.free();
    gatewayMemberPort = Ports.free();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
    vm.close();
    TempDirs.delete(dir);
  }

  /** The {@code cluster} section: both members listed, this one on {@code port}. */
  private String cluster(int port) {
    return String.join("\n",
        "cluster:",
        "  name: " + clusterName,
        "  host: 127.0.0.1",
        "  port: " + port,
        "  members: ['127.0.0.1:" + agentMemberPort + "', '127.0.0.1:" + gatewayMemberPort + "']",
        "");
  }

  private ClymeneProcess gateway(int admin, Path cfg, String log) throws Exception {
    ClymeneProcess p = ClymeneProcess.start("scripts/clymene", dir.resolve(log), "--role", "gateway", "--cluster",
        "--config", cfg.toString(), "--data_dir=" + dir.resolve("gateway-data"));
    p.await("the gateway ready", Duration.ofSeconds(60),
        () -> Http.get("http://127.0.0.1:" + admin + "/ready").statusCode() == 200 ? true : null);
    return p;
  }

  @Test
  void restartingTheGatewayLosesNothing() throws Exception {
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());
    int gatewayAdmin = Ports.free();
    Path gatewayCfg = dir.resolve("gateway.yaml");
    Files.writeString(gatewayCfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: " + gatewayAdmin + "}",
        "gateway:",
        "  grpc: {host: 127.0.0.1, port: " + Ports.free() + "}",
        "  http: {host: 127.0.0.1, port: " + Ports.free() + "}",
        "storage:",
        "  - type: prometheus",
        "    name: vm",
        "    url: " + vm.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: 200ms}",
        cluster(gatewayMemberPort)));
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, String.join("\n",
        // room for a loaded CI machine: a scrape that times out is only guessed from up
        "global: {scrape_interval: 2s, scrape_timeout: 1500ms}",
        "scrape_configs:",
        "  - job_name: " + JOB,
        "    static_configs: [{targets: ['" + target.address() + "']}]",
        ""));
    int agentAdmin = Ports.free();
    Path agentCfg = dir.resolve("agent.yaml");
    Files.writeString(agentCfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: " + agentAdmin + "}",
        "agent:",
        "  output: eventbus",
        "  eventbus:",
        "    timeout: 2s",
        "    queue: {batch_send_deadline: 200ms, min_backoff: 100ms, max_backoff: 1s}",
        cluster(agentMemberPort)));
    String agentMetrics = "http://127.0.0.1:" + agentAdmin + "/metrics";

    ClymeneProcess g1 = gateway(gatewayAdmin, gatewayCfg, "gateway-1.log");
    try (ClymeneProcess agent = ClymeneProcess.start("scripts/clymene", dir.resolve("agent.log"), "--role",
        "agent", "--cluster", "--config", agentCfg.toString(), "--config.file", prom.toString(),
        "--data_dir=" + dir.resolve("agent-data"))) {
      agent.await("every series in VictoriaMetrics through the gateway", Duration.ofSeconds(60), () -> {
        var got = api.export(target.metric());
        return got != null && target.bySeries(got).size() == SERIES ? true : null;
      });

      long stoppedAt = target.served();
      g1.signal("TERM");
      assertThat(g1.awaitExit(Duration.ofSeconds(20))).as("gateway stopped by SIGTERM").isNotNull();
      double noHandlersBefore = sum(agentMetrics, "clymene_eventbus_requests_total", "outcome", "no_handlers");
      agent.await("the agent finding no consumer for a while", Duration.ofSeconds(20), () ->
          sum(agentMetrics, "clymene_eventbus_requests_total", "outcome", "no_handlers") >= noHandlersBefore + 3
              && target.served() >= stoppedAt + 3 ? true : null);
      long restartedAt = target.served();
      try (ClymeneProcess g2 = gateway(gatewayAdmin, gatewayCfg, "gateway-2.log")) {
        agent.await("the agent sending to the restarted gateway", Duration.ofSeconds(30), () ->
            sum("http://127.0.0.1:" + gatewayAdmin + "/metrics", "clymene_gateway_received_samples_total",
                "protocol", "eventbus") > 0 ? true : null);

        // stop scraping: the target counts no more, then the agent drops its scrape jobs so that its sent
        // count stops moving
        Map<String, Long> n = target.stop();
        Files.writeString(prom, "global: {scrape_interval: 1s}\nscrape_configs: []\n");
        assertThat(Http.post("http://127.0.0.1:" + agentAdmin + "/-/reload", "").statusCode()).isEqualTo(200);
        SortedSet<Long> failedScrapes = new TreeSet<>();
        Map<String, List<RawSample>> delivered = agent.await("every value in VictoriaMetrics", Duration.ofSeconds(30),
            () -> target.completeIn(api, JOB, n, failedScrapes));
        assertThat(CounterTarget.check(delivered, n, failedScrapes::contains)).isEmpty();
        assertThat(failedScrapes).hasSizeLessThanOrEqualTo(2);

        double sent = agent.await("the agent's queue empty and VictoriaMetrics holding all it sent",
            Duration.ofSeconds(30), () -> {
              double s = sum(agentMetrics, "clymene_writer_samples_total", "status", "sent");
              return sum(agentMetrics, "clymene_writer_queue_samples") == 0 && distinctSamples(api) == (long) s
                  ? s : null;
            });
        Exposition a = Exposition.fetch(agentMetrics);
        assertThat(a.sum("clymene_dropped_samples_total")).as("dropped by the agent").isZero();
        System.out.printf("cluster event bus: gateway stopped at value %d, started again at %d; %d values per "
                + "series and %.0f samples of the job delivered, none missing; agent requests without a consumer: "
                + "%.0f, timed out: %.0f%n", stoppedAt, restartedAt, n.values().iterator().next(), sent,
            a.sum("clymene_eventbus_requests_total", "outcome", "no_handlers"),
            a.sum("clymene_eventbus_requests_total", "outcome", "timeout"));
      }
    } finally {
      g1.close();
    }
  }

  private static double sum(String url, String name, String... labels) {
    Exposition e = Exposition.fetch(url);
    return e == null ? -1 : e.sum(name, labels);
  }

  /** Distinct (series, timestamp) pairs of the job in VictoriaMetrics: a batch stored twice counts once. */
  private static long distinctSamples(VictoriaMetricsApi api) {
    var got = api.export("{job=\"" + JOB + "\"}");
    if (got == null) {
      return -1;
    }
    Set<String> distinct = new HashSet<>();
    got.forEach((labels, samples) -> samples.forEach(s -> distinct.add(labels + "@" + s.timestamp())));
    return distinct.size();
  }
}
