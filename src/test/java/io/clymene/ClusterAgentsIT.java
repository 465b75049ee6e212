package io.clymene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.NetNamespaces;
import io.clymene.testing.Ports;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three packaged agent processes, each in its own network namespace (its own address, all on the same ports;
 * where namespaces cannot be made, on distinct ports of 127.0.0.1), form a cluster (TCP-IP member list) and
 * share {@value #TARGETS} file-SD targets, writing to a real VictoriaMetrics. Each agent adds its own external
 * label {@code agent}, so the receiver tells who scraped what. Checked at the receiver: in a steady window
 * every target's series come from exactly one agent and none is missing; after {@code kill -9} of one agent,
 * every one of its targets has a sample from another agent within two scrape intervals; after its restart the
 * targets rebalance (it gets back exactly the targets it had: member names are stable) and again each target
 * comes from exactly one agent. Last, a graceful stop (SIGTERM) of another agent: it announces the stop, and
 * its targets are scraped by the others within two intervals.
 */
@Timeout(300)
class ClusterAgentsIT {
  private static final int TARGETS = 300;
  private static final long INTERVAL_MS = 3_000;

  private ExternalServer vm;
  private NetNamespaces hosts;
  /** Where the agents reach the test's servers: the bridge's address with namespaces, else loopback. */
  private String here = "127.0.0.1";
  private Vertx vertx;
  private HttpServer targets;
  private Path dir;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    hosts = NetNamespaces.tryCreate(3);
    if (hosts != null) {
      here = hosts.hostAddress();
      vm = ExternalServer.victoriaMetricsWith(0, "-httpListenAddr=0.0.0.0:{port}");
    } else {
      System.out.println("cluster test: no network namespaces here (" + NetNamespaces.whyNot()
          + "); the agents use distinct ports on 127.0.0.1");
      vm = ExternalServer.victoriaMetrics();
    }
    vertx = Vertx.vertx();
    targets = vertx.createHttpServer().requestHandler(req -> {
      String n = req.path().substring(req.path().lastIndexOf('/') + 1);
      req.response().putHeader("Content-Type", "text/plain; version=0.0.4")
          .end("# TYPE cluster_test_value gauge\ncluster_test_value " + n + "\n");
    }).listen(0, here).toCompletionStage().toCompletableFuture().get();
    dir = Files.createTempDirectory("clymene-cluster-");
    JsonArray groups = new JsonArray();
    for (int i = 0; i < TARGETS; i++) {
      groups.add(new JsonObject().put("targets", new JsonArray().add(here + ":" + targets.actualPort()))
          .put("labels", new JsonObject().put("__metrics_path__", "/metrics/" + i).put("target", "t" + i)));
    }
    Files.writeString(dir.resolve("targets.json"), groups.encodePrettily());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Agent a : agents) {
      a.process.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    vm.close();
    if (hosts != null) {
      hosts.close();
    }
    TempDirs.delete(dir);
  }

  /**
   * One agent: its host (namespace index, or -1 for loopback), address, admin port, cluster port (its member
   * name is address:port) and label.
   */
  private static final class Agent {
    final String name;
    final int host;
    final String address;
    final int admin;
    final int clusterPort;
    ClymeneProcess process;

    Agent(String name, int host, String address, int admin, int clusterPort) {
      this.name = name;
      this.host = host;
      this.address = address;
      this.admin = admin;
      this.clusterPort = clusterPort;
    }

    String member() {
      return address + ":" + clusterPort;
    }

    /** The targets API's data, or null while the agent does not answer. */
    JsonObject targetsApi() {
      String body = Http.body("http://" + address + ":" + admin + "/api/v1/targets");
      return body == null ? null : new JsonObject(body).getJsonObject("data");
    }

    /** The {@code target} labels this agent scrapes now, or null. */
    Set<String> scraping() {
      JsonObject d = targetsApi();
      if (d == null) {
        return null;
      }
      Set<String> out = new TreeSet<>();
      d.getJsonArray("activeTargets").forEach(t -> out.add(((JsonObject) t).getJsonObject("labels").getString("target")));
      return out;
    }

    int members() {
      JsonObject d = targetsApi();
      return d == null || d.getJsonObject("cluster") == null ? -1 : d.getJsonObject("cluster").getJsonArray("members").size();
    }
  }

  private void start(Agent a, List<Agent> all) throws Exception {
    start(a, all, "");
  }

  private void start(Agent a, List<Agent> all, String extraClusterKeys) throws Exception {
    List<String> members = new ArrayList<>();
    all.forEach(o -> members.add("'" + o.member() + "'"));
    start(a, "  members: [" + String.join(", ", members) + "]\n" + extraClusterKeys);
  }

  /** Starts an agent with these keys (a join method and more) in its {@code cluster} section. */
  private void start(Agent a, String clusterKeys) throws Exception {
    Path prom = dir.resolve(a.name + ".yml");
    Files.writeString(prom, String.join("\n",
        "global:",
        "  scrape_interval: " + INTERVAL_MS / 1000 + "s",
        "  scrape_timeout: 2s",
        "  external_labels: {agent: " + a.name + "}",
        "scrape_configs:",
        "  - job_name: cluster",
        "    file_sd_configs: [{files: ['" + dir.resolve("targets.json") + "']}]",
        ""));
    Path cfg = dir.resolve(a.name + ".yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: " + a.address + ", port: " + a.admin + "}",
        "storage:",
        "  - type: prometheus",
        "    name: vm",
        "    url: " + vm.url().replace("127.0.0.1", here) + "/api/v1/write",
        "    queue: {batch_send_deadline: 300ms}",
        "cluster:",
        "  host: " + a.address,
        "  port: " + a.clusterPort,
        clusterKeys,
        ""));
    a.process = ClymeneProcess.start(a.host < 0 ? List.of() : hosts.exec(a.host), "scripts/clymene",
        dir.resolve(a.name + ".log"), "--role", "agent", "--cluster",
        "--config", cfg.toString(), "--config.file", prom.toString(), "--data_dir=" + dir.resolve(a.name + "-data"));
  }

  /** Waits until the live agents see {@code live.size()} members and together scrape every target once. */
  private Map<String, Set<String>> awaitBalanced(List<Agent> live, Duration timeout) {
    return live.get(0).process.await(live.size() + " agents sharing " + TARGETS + " targets", timeout, () -> {
      Map<String, Set<String>> byAgent = new TreeMap<>();
      int sum = 0;
      Set<String> union = new TreeSet<>();
      for (Agent a : live) {
        Set<String> s = a.scraping();
        if (s == null || a.members() != live.size()) {
          return null;
        }
        byAgent.put(a.name, s);
        sum += s.size();
        union.addAll(s);
      }
      return sum == TARGETS && union.size() == TARGETS ? byAgent : null;
    });
  }

  /** For each target, the agents whose samples of it VictoriaMetrics holds with from <= timestamp < to. */
  private Map<String, Set<String>> sendersAt(long from, long to) {
    Http.get(vm.url() + "/internal/force_flush");
    Map<Map<String, String>, List<RawSample>> got = new VictoriaMetricsApi(vm.url()).export("cluster_test_value");
    Map<String, Set<String>> senders = new TreeMap<>();
    got.forEach((labels, samples) -> {
      if (samples.stream().anyMatch(s -> s.timestamp() >= from && s.timestamp() < to)) {
        senders.computeIfAbsent(labels.get("target"), k -> new TreeSet<>()).add(labels.get("agent"));
      }
    });
    return senders;
  }

  /** The first sample time per target from any agent but {@code except} after {@code after}. */
  private Map<String, Long> firstFromOthers(String except, long after) {
    Http.get(vm.url() + "/internal/force_flush");
    Map<String, Long> first = new HashMap<>();
    new VictoriaMetricsApi(vm.url()).export("cluster_test_value").forEach((labels, samples) -> {
      if (!labels.get("agent").equals(except)) {
        samples.stream().mapToLong(RawSample::timestamp).filter(t -> t > after).min()
            .ifPresent(t -> first.merge(labels.get("target"), t, Math::min));
      }
    });
    return first;
  }

  private void assertEachTargetFromExactlyOne(long from, long to, String when) {
    Map<String, Set<String>> senders = sendersAt(from, to);
    assertThat(senders).as("%s: every target has samples at the receiver", when).hasSize(TARGETS);
    List<String> shared = new ArrayList<>();
    senders.forEach((t, s) -> {
      if (s.size() != 1) {
        shared.add(t + "=" + s);
      }
    });
    assertThat(shared).as("%s: targets whose series came from more than one agent", when).isEmpty();
  }

  @Test
  void withReplicationFactorTwoEveryTargetComesFromBothAgentsWithTheirReplicaLabel() throws Exception {
    agents.add(new Agent("a1", -1, "127.0.0.1", Ports.free(), Ports.free()));
    agents.add(new Agent("a2", -1, "127.0.0.1", Ports.free(), Ports.free()));
    for (Agent a : agents) {
      start(a, agents, "  replication_factor: 2\n  replica_label: clymene_replica");
    }
    agents.get(0).process.await("both agents scraping all " + TARGETS + " targets", Duration.ofSeconds(120), () -> {
      for (Agent a : agents) {
        Set<String> s = a.scraping();
        if (s == null || s.size() != TARGETS || a.members() != 2) {
          return null;
        }
      }
      return true;
    });
    long from = System.currentTimeMillis() + INTERVAL_MS;
    sleepUntil(from + 2 * INTERVAL_MS + 1_500);
    Map<String, Set<String>> replicas = new TreeMap<>();
    Http.get(vm.url() + "/internal/force_flush");
    new VictoriaMetricsApi(vm.url()).export("cluster_test_value").forEach((labels, samples) -> {
      if (samples.stream().anyMatch(x -> x.timestamp() >= from && x.timestamp() < from + 2 * INTERVAL_MS)) {
        replicas.computeIfAbsent(labels.get("target"), k -> new TreeSet<>())
            .add(labels.get("agent") + "@" + labels.get("clymene_replica"));
      }
    });
    assertThat(replicas).hasSize(TARGETS);
    Set<String> both = Set.of("a1@" + agents.get(0).member(), "a2@" + agents.get(1).member());
    replicas.forEach((t, r) -> assertThat(r).as("replicas of %s", t).isEqualTo(both));
  }

  @Test
  void membersFindEachOtherThroughServiceDnsAsInKubernetes() throws Exception {
    assumeTrue(hosts != null, "DNS discovery needs one address per member (network namespaces): "
        + NetNamespaces.whyNot());
    // as a headless Service's name resolves to its pods: one name, every member's address, the same port
    hosts.resolve("clymene-agent-cluster.monitoring.test", 0, 1);
    agents.add(new Agent("a1", 0, hosts.address(0), 15691, 5801));
    agents.add(new Agent("a2", 1, hosts.address(1), 15691, 5801));
    for (Agent a : agents) {
      start(a, "  kubernetes: {service_dns: clymene-agent-cluster.monitoring.test}\n  member_name: " + a.name);
    }
    Map<String, Set<String>> shares = awaitBalanced(agents, Duration.ofSeconds(120));
    assertThat(shares.keySet()).containsExactly("a1", "a2");
    shares.forEach((a, s) -> assertThat(s).as("%s's share", a).hasSizeGreaterThan(TARGETS / 4));
    JsonObject cluster = agents.get(0).targetsApi().getJsonObject("cluster");
    assertThat(cluster.getString("member")).isEqualTo("a1");
    assertThat(cluster.getJsonArray("members").getList()).containsExactly("a1", "a2");
  }

  private static void sleepUntil(long millis) throws InterruptedException {
    long d = millis - System.currentTimeMillis();
    if (d > 0) {
      Thread.sleep(d);
    }
  }

  @Test
  void threeAgentsShareTargetsTakeOverFromAKilledOneAndRebalanceWhenItReturns() throws Exception {
    for (int i = 0; i < 3; i++) {
      agents.add(hosts != null ? new Agent("a" + (i + 1), i, hosts.address(i), 15691, 5801)
          : new Agent("a" + (i + 1), -1, "127.0.0.1", Ports.free(), Ports.free()));
    }
    for (Agent a : agents) {
      start(a, agents);
    }
    Map<String, Set<String>> before = awaitBalanced(agents, Duration.ofSeconds(120));
    before.forEach((a, s) -> assertThat(s).as("%s's share of %d targets", a, TARGETS).hasSizeGreaterThan(TARGETS / 6));

    // steady state: each target from exactly one agent, the one the targets API names
    long from = System.currentTimeMillis() + INTERVAL_MS;
    sleepUntil(from + 3 * INTERVAL_MS + 1_500);
    assertEachTargetFromExactlyOne(from, from + 3 * INTERVAL_MS, "three agents");
    Map<String, Set<String>> senders = sendersAt(from, from + 3 * INTERVAL_MS);
    before.forEach((agent, owned) -> owned.forEach(t -> assertThat(senders.get(t)).as("sender of %s", t)
        .containsExactly(agent)));

    // kill -9 a2: within two intervals, each of its targets is scraped by another agent
    Agent a2 = agents.get(1);
    Set<String> a2Targets = before.get("a2");
    long killedAt = System.currentTimeMillis();
    a2.process.signal("KILL");
    assertThat(a2.process.awaitExit(Duration.ofSeconds(10))).as("a2 killed").isNotNull();
    List<Agent> survivors = List.of(agents.get(0), agents.get(2));
    Map<String, Set<String>> after = awaitBalanced(survivors, Duration.ofSeconds(30));
    // when each of a2's targets was first scraped by another agent (read once all have been)
    Map<String, Long> taken = agents.get(0).process.await("a2's targets scraped by others", Duration.ofSeconds(30),
        () -> {
          Map<String, Long> t = firstFromOthers("a2", killedAt);
          return t.keySet().containsAll(a2Targets) ? t : null;
        });
    List<String> late = new ArrayList<>();
    long latest = 0;
    for (String t : a2Targets) {
      Long at = taken.get(t);
      if (at == null || at > killedAt + 2 * INTERVAL_MS) {
        late.add(t + (at == null ? " (none yet)" : " (+" + (at - killedAt) + " ms)"));
      } else {
        latest = Math.max(latest, at - killedAt);
      }
    }
    assertThat(late).as("a2's %d targets scraped by another agent within two intervals (%d ms) of the kill",
        a2Targets.size(), 2 * INTERVAL_MS).isEmpty();
    long from2 = System.currentTimeMillis() + INTERVAL_MS;
    sleepUntil(from2 + 2 * INTERVAL_MS + 1_500);
    assertEachTargetFromExactlyOne(from2, from2 + 2 * INTERVAL_MS, "two agents after the kill");
    after.forEach((a, s) -> assertThat(s).as("%s kept its own targets", a).containsAll(before.get(a)));

    // restart a2 under the same name: it gets back exactly its targets, each target again from one agent
    long restartedAt = System.currentTimeMillis();
    start(a2, agents);
    Map<String, Set<String>> rebalanced = awaitBalanced(agents, Duration.ofSeconds(120));
    long balancedAt = System.currentTimeMillis();
    assertThat(rebalanced).as("the same division as before the kill").isEqualTo(before);
    long from3 = balancedAt + INTERVAL_MS;
    sleepUntil(from3 + 3 * INTERVAL_MS + 1_500);
    assertEachTargetFromExactlyOne(from3, from3 + 3 * INTERVAL_MS, "three agents after the restart");
    // a graceful stop (SIGTERM) of a3: it announces the stop, the others take its targets over at once
    Agent a3 = agents.get(2);
    Set<String> a3Targets = rebalanced.get("a3");
    long stoppedAt = System.currentTimeMillis();
    a3.process.signal("TERM");
    Map<String, Long> takenFromA3 = a3.process.await("a3's targets scraped by others", Duration.ofSeconds(30), () -> {
      Map<String, Long> t = firstFromOthers("a3", stoppedAt);
      return t.keySet().containsAll(a3Targets) ? t : null;
    });
    long latestA3 = 0;
    for (String t : a3Targets) {
      latestA3 = Math.max(latestA3, takenFromA3.get(t) - stoppedAt);
    }
    assertThat(latestA3).as("a3's targets taken over after its SIGTERM (ms)").isLessThanOrEqualTo(2 * INTERVAL_MS);
    assertThat(a3.process.awaitExit(Duration.ofSeconds(10))).as("a3 stopped").isNotNull();
    System.out.printf("cluster (%s): %s; a2's %d targets taken over within %d ms of kill -9 (two intervals: %d ms); "
        + "rebalanced %d ms after the restart; a3's %d targets taken over within %d ms of its SIGTERM%n", hosts != null ? "network namespaces" : "127.0.0.1",
        before.entrySet().stream().map(e -> e.getKey() + "="
        + e.getValue().size()).toList(), a2Targets.size(), latest, 2 * INTERVAL_MS, balancedAt - restartedAt,
        a3Targets.size(), latestA3);
  }
}
