package io.clymene;

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
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agent → two gateways → a real VictoriaMetrics, all packaged processes. The agent scrapes
 * {@value #SERIES} counting series every second and sends over gRPC (StreamMetrics) to both gateways in
 * turn. One gateway is killed with SIGKILL: within 5 s everything the agent scrapes reaches the receiver
 * through the other, and in the end no value is missing (a write in flight to the killed gateway is sent
 * again to the live one; a value may then arrive twice, never not at all).
 */
@Timeout(300)
class GatewayFailoverIT {
  private static final int SERIES = 300;

  private ExternalServer vm;
  private Vertx vertx;
  private CounterTarget target;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vm = ExternalServer.victoriaMetrics();
    vertx = Vertx.vertx();
    target = CounterTarget.start(vertx, "failover_total", SERIES);
    dir = Files.createTempDirectory("clymene-failover-");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
    vm.close();
    TempDirs.delete(dir);
  }

  private record Gateway(ClymeneProcess process, int admin, int grpc) implements AutoCloseable {
    double received() {
      Exposition e = Exposition.fetch("http://127.0.0.1:" + admin + "/metrics");
      return e == null ? -1 : e.sum("clymene_gateway_received_samples_total", "protocol", "grpc");
    }

    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }

  private Gateway gateway(String name) throws Exception {
    int admin = Ports.free();
    int grpc = Ports.free();
    Path cfg = dir.resolve(name + ".yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "gateway:",
        "  grpc: {host: 127.0.0.1, port: " + grpc + "}",
        "  http: {host: 127.0.0.1, port: " + Ports.free() + "}",
        "storage:",
        "  - type: prometheus",
        "    name: vm",
        "    url: " + vm.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: 200ms}",
        ""));
    ClymeneProcess p = ClymeneProcess.start("scripts/clymene", dir.resolve(name + ".log"), "--role", "gateway",
        "--config", cfg.toString(), "--data_dir=" + dir.resolve(name + "-data"));
    p.await(name + " ready", Duration.ofSeconds(60),
        () -> Http.get("http://127.0.0.1:" + admin + "/ready").statusCode() == 200 ? true : null);
    return new Gateway(p, admin, grpc);
  }

  @Test
  void killingOneGatewayMovesTrafficToTheOtherWithoutLoss() throws Exception {
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());
    try (Gateway g1 = gateway("gateway-1"); Gateway g2 = gateway("gateway-2")) {
      Path prom = dir.resolve("prometheus.yml");
      Files.writeString(prom, String.join("\n",
          "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
          "scrape_configs:",
          "  - job_name: failover",
          "    static_configs: [{targets: ['" + target.address() + "']}]",
          ""));
      Path agentCfg = dir.resolve("agent.yaml");
      int agentAdmin = Ports.free();
      Files.writeString(agentCfg, String.join("\n",
          "admin: {host: 127.0.0.1, port: " + agentAdmin + "}",
          "agent:",
          "  output: gateway",
          "  gateway:",
          "    endpoints: ['127.0.0.1:" + g1.grpc() + "', '127.0.0.1:" + g2.grpc() + "']",
          "    timeout: 2s",
          "    queue: {batch_send_deadline: 200ms, min_backoff: 100ms}",
          ""));
      try (ClymeneProcess agent = ClymeneProcess.start("scripts/clymene", dir.resolve("agent.log"), "--role", "agent",
          "--config", agentCfg.toString(), "--config.file", prom.toString(), "--data_dir=" + dir.resolve("agent-data"))) {
        agent.await("both gateways used and every series stored", Duration.ofSeconds(60), () -> {
          var got = api.export(target.metric());
          return got != null && target.bySeries(got).size() == SERIES && g1.received() > 0 && g2.received() > 0
              ? Boolean.TRUE : null;
        });
        Thread.sleep(5_000);
        long killedAt = System.currentTimeMillis();
        long killedValue = target.served();
        g1.process().signal("KILL");
        assertThat(g1.process().awaitExit(Duration.ofSeconds(10))).as("gateway-1 killed").isNotNull();

        // everything scraped from 5 s after the kill on reaches the receiver through gateway-2, promptly
        agent.await("5 s after the kill", Duration.ofSeconds(10),
            () -> System.currentTimeMillis() >= killedAt + 5_000 ? true : null);
        long v5 = target.served();
        long servedAt = target.servedAt(v5);
        agent.await("the value served 5 s after the kill in VictoriaMetrics", Duration.ofSeconds(5), () -> {
          var got = api.export(target.metric() + "{series=\"s0000\"}");
          return got != null && got.values().stream().flatMap(List::stream).anyMatch(s -> s.value() == v5)
              ? Boolean.TRUE : null;
        });
        long deliveredAfter = System.currentTimeMillis() - servedAt;
        double g2Before = g2.received();
        Thread.sleep(10_000);
        assertThat(g2.received() - g2Before).as("gateway-2 takes every scrape now: ~10 rounds of %d", SERIES)
            .isGreaterThanOrEqualTo(8.0 * SERIES);

        Map<String, Long> n = target.stop();
        SortedSet<Long> failedScrapes = new TreeSet<>();
        Map<String, List<RawSample>> delivered = agent.await("every value in VictoriaMetrics", Duration.ofSeconds(60),
            () -> target.completeIn(api, "failover", n, failedScrapes));
        assertThat(CounterTarget.check(delivered, n, failedScrapes::contains)).isEmpty();
        assertThat(failedScrapes).hasSizeLessThanOrEqualTo(2);
        Exposition agentMetrics = Exposition.fetch("http://127.0.0.1:" + agentAdmin + "/metrics");
        System.out.printf("gateway failover: killed gateway-1 at value %d; the value served 5 s later was in "
                + "VictoriaMetrics %d ms after it was served; %d values per series delivered, none missing; "
                + "failovers: %.0f%n", killedValue, deliveredAfter, n.values().iterator().next(),
            agentMetrics.sum("clymene_gateway_failovers_total"));
        assertThat(agentMetrics.sum("clymene_dropped_samples_total")).as("dropped by the agent").isZero();
      }
    }
  }
}
