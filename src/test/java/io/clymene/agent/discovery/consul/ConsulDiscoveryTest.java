package io.clymene.agent.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.model.Labels;
import io.clymene.testing.Await;
import io.clymene.testing.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Consul service discovery against Consul's HTTP API. Consul cannot run on this machine, so the test
 * serves Consul's documented API itself ({@link FakeConsul}: agent, catalog and health endpoints with
 * realistic answers, {@code X-Consul-Index}, blocking {@code index}/{@code wait} queries, tag, node-meta
 * and datacenter filters, ACL tokens). Covered: the first groups with Prometheus' exact labels; services
 * and instances added, changed and removed; the query parameters and headers Consul's Go client sends
 * for services, tags, node_meta, token, datacenter, namespace, partition and path_prefix; HTTPS with
 * tls_config's CA and username/password sent as basic auth; Consul down at start and while running,
 * refused tokens and broken answers reported with the URL while the last groups are kept, and recovery;
 * Prometheus' 2-minute blocking queries aborted by stop.
 */
@Timeout(30)
class ConsulDiscoveryTest {
  /** Short waits so that a test need not sit through Prometheus' 2 minutes and 15 seconds. */
  private static final ConsulDiscoverer.Timing FAST =
      new ConsulDiscoverer.Timing(Duration.ofSeconds(1), Duration.ofMillis(200));
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private Vertx vertx;
  private FakeConsul consul;
  private DiscoveryContext context;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Discoverer> started = new ArrayList<>();
  private final List<List<TargetGroup>> updates = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    consul = new FakeConsul(vertx, "dc1", List.of("dc1", "dc2"), "").start(0);
    context = new DiscoveryContext(vertx, registry, "consul-job", "consul_sd_configs[0]", "consul");
    JsonObject nodeAMeta = new JsonObject().put("rack-name", "r1").put("env", "prod");
    consul.register(FakeConsul.entry("node-a", "10.0.0.1", nodeAMeta, "web", "web-1", "", 8080,
        List.of("http", "v1"), new JsonObject().put("version", "1.2").put("team.name", "core"), "passing"));
    consul.register(FakeConsul.entry("node-b", "10.0.0.2", new JsonObject().put("rack-name", "r2"),
        "web", "web-2", "10.9.0.2", 9090, List.of("http"), new JsonObject(), "warning"));
    consul.register(FakeConsul.entry("node-c", "10.0.0.3", new JsonObject(),
        "db", "db-1", "2001:db8::5", 5432, List.of(), new JsonObject(), "passing", "maintenance"));
    consul.register(FakeConsul.entry("consul-server-1", "10.0.0.10", new JsonObject(),
        "consul", "consul", "", 8300, List.of(), new JsonObject()));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Discoverer d : started) {
      d.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void firstUpdateHoldsEveryServiceWithPrometheusLabels() {
    start("server: 127.0.0.1:" + consul.port() + "\nrefresh_interval: 100ms\n");
    List<TargetGroup> first = firstUpdate();

    Map<String, TargetGroup> groups = bySource(first);
    assertThat(groups).containsOnlyKeys("web", "db", "consul");
    TargetGroup web = groups.get("web");
    assertThat(web.labels()).isEqualTo(Labels.of("__meta_consul_service", "web", "__meta_consul_dc", "dc1"));
    assertThat(web.targets()).containsExactlyInAnyOrder(
        Labels.of(Map.ofEntries(
            Map.entry("__address__", "10.0.0.1:8080"),
            Map.entry("__meta_consul_address", "10.0.0.1"),
            Map.entry("__meta_consul_node", "node-a"),
            Map.entry("__meta_consul_namespace", "default"),
            Map.entry("__meta_consul_partition", "default"),
            Map.entry("__meta_consul_tags", ",http,v1,"),
            Map.entry("__meta_consul_service_address", ""),
            Map.entry("__meta_consul_service_port", "8080"),
            Map.entry("__meta_consul_service_id", "web-1"),
            Map.entry("__meta_consul_health", "passing"),
            Map.entry("__meta_consul_metadata_rack_name", "r1"),
            Map.entry("__meta_consul_metadata_env", "prod"),
            Map.entry("__meta_consul_service_metadata_version", "1.2"),
            Map.entry("__meta_consul_service_metadata_team_name", "core"),
            Map.entry("__meta_consul_tagged_address_lan", "10.0.0.1"),
            Map.entry("__meta_consul_tagged_address_lan_ipv4", "10.0.0.1"),
            Map.entry("__meta_consul_tagged_address_wan", "10.0.0.1"),
            Map.entry("__meta_consul_tagged_address_wan_ipv4", "10.0.0.1"))),
        Labels.of(Map.ofEntries(
            // the service's own address wins over the node's
            Map.entry("__address__", "10.9.0.2:9090"),
            Map.entry("__meta_consul_address", "10.0.0.2"),
            Map.entry("__meta_consul_node", "node-b"),
            Map.entry("__meta_consul_namespace", "default"),
            Map.entry("__meta_consul_partition", "default"),
            Map.entry("__meta_consul_tags", ",http,"),
            Map.entry("__meta_consul_service_address", "10.9.0.2"),
            Map.entry("__meta_consul_service_port", "9090"),
            Map.entry("__meta_consul_service_id", "web-2"),
            Map.entry("__meta_consul_health", "warning"),
            Map.entry("__meta_consul_metadata_rack_name", "r2"),
            Map.entry("__meta_consul_tagged_address_lan", "10.0.0.2"),
            Map.entry("__meta_consul_tagged_address_lan_ipv4", "10.0.0.2"),
            Map.entry("__meta_consul_tagged_address_wan", "10.0.0.2"),
            Map.entry("__meta_consul_tagged_address_wan_ipv4", "10.0.0.2"))));
    Labels db = groups.get("db").targets().get(0);
    assertThat(db.get("__address__")).isEqualTo("[2001:db8::5]:5432");
    assertThat(db.get("__meta_consul_tags")).isEqualTo(",,");
    assertThat(db.get("__meta_consul_health")).isEqualTo("maintenance");
    assertThat(groups.get("consul").targets().get(0).get("__address__")).isEqualTo("10.0.0.10:8300");

    // the datacenter came from the agent; no token, no dc parameter (the agent's own is implied)
    assertThat(consul.requests("/v1/agent/self")).hasSize(1);
    assertThat(consul.requests("/v1/catalog/services").get(0).uri())
        .isEqualTo("/v1/catalog/services?stale=&wait=1000ms");
    assertThat(consul.requests("/v1/health/service/web").get(0).uri())
        .isEqualTo("/v1/health/service/web?stale=&wait=1000ms");
    assertThat(consul.requests()).allSatisfy(r ->
        assertThat(r.headers().contains("X-Consul-Token")).isFalse());
    assertThat(context.lastError()).isNull();
  }

  @Test
  void followsServicesAndInstancesAddedChangedAndRemoved() {
    start("server: 127.0.0.1:" + consul.port() + "\nrefresh_interval: 100ms\n");
    Await.until("first update", DEADLINE, () -> !updates.isEmpty());

    consul.register(FakeConsul.entry("node-d", "10.0.0.4", new JsonObject(), "web", "web-3", "", 8080,
        List.of("http"), new JsonObject(), "critical"));
    Await.until("a third web instance", DEADLINE, () -> current().get("web").targets().size() == 3);
    assertThat(current().get("web").targets()).anySatisfy(t -> {
      assertThat(t.get("__meta_consul_service_id")).isEqualTo("web-3");
      assertThat(t.get("__meta_consul_health")).isEqualTo("critical");
    });
    // later updates carry only the changed group
    assertThat(updates.get(updates.size() - 1)).extracting(TargetGroup::source).containsExactly("web");

    consul.register(FakeConsul.entry("node-b", "10.0.0.2", new JsonObject().put("rack-name", "r2"),
        "web", "web-2", "10.9.0.2", 9090, List.of("http", "canary"), new JsonObject(), "passing"));
    Await.until("web-2 with its new tag", DEADLINE, () -> current().get("web").targets().stream()
        .anyMatch(t -> t.get("__meta_consul_tags").equals(",http,canary,")
            && t.get("__meta_consul_health").equals("passing")));

    consul.register(FakeConsul.entry("node-a", "10.0.0.1", new JsonObject(), "cache", "cache-1", "", 6379,
        List.of("redis"), new JsonObject().put("engine", "redis")));
    TargetGroup cache = Await.until("the new cache service", DEADLINE, () -> current().get("cache"));
    assertThat(cache.labels())
        .isEqualTo(Labels.of("__meta_consul_service", "cache", "__meta_consul_dc", "dc1"));
    assertThat(cache.targets()).singleElement().satisfies(t -> {
      assertThat(t.get("__address__")).isEqualTo("10.0.0.1:6379");
      assertThat(t.get("__meta_consul_service_metadata_engine")).isEqualTo("redis");
    });

    consul.deregister("db", "db-1");
    Await.until("db removed", DEADLINE,
        () -> updates.stream().anyMatch(u -> u.contains(TargetGroup.removed("db"))));
    assertThat(current()).containsOnlyKeys("web", "consul", "cache");
    assertThat(context.lastError()).isNull();
  }

  @Test
  void sendsServicesTagsNodeMetaTokenAndDatacenterAsConsulsClientDoes() {
    consul.requireToken("s3cr3t-token");
    start("""
        server: 127.0.0.1:%d
        token: s3cr3t-token
        datacenter: dc2
        services: [web, db]
        tags: [http]
        node_meta: {rack-name: r1}
        refresh_interval: 100ms
        """.formatted(consul.port()));
    List<TargetGroup> first = firstUpdate();

    // only web is watched: consul is not named, db has no instance on rack r1; the node filter leaves web-1
    assertThat(first).singleElement().satisfies(g -> {
      assertThat(g.source()).isEqualTo("web");
      assertThat(g.labels()).isEqualTo(Labels.of("__meta_consul_service", "web", "__meta_consul_dc", "dc2"));
      assertThat(g.targets()).extracting(t -> t.get("__meta_consul_service_id")).containsExactly("web-1");
    });
    assertThat(consul.requests("/v1/agent/self")).isEmpty();
    assertThat(consul.requests("/v1/health/service/db")).isEmpty();
    assertThat(consul.requests("/v1/catalog/services").get(0).uri())
        .isEqualTo("/v1/catalog/services?dc=dc2&node-meta=rack-name%3Ar1&stale=&wait=1000ms");
    assertThat(consul.requests("/v1/health/service/web").get(0).uri())
        .isEqualTo("/v1/health/service/web?dc=dc2&node-meta=rack-name%3Ar1&stale=&tag=http&wait=1000ms");
    assertThat(consul.requests())
        .allSatisfy(r -> assertThat(r.headers().get("X-Consul-Token")).isEqualTo("s3cr3t-token"));

    // blocking queries go on from the index Consul gave
    consul.register(FakeConsul.entry("node-e", "10.0.0.5", new JsonObject().put("rack-name", "r1"), "web",
        "web-4", "", 8080, List.of("http"), new JsonObject(), "passing"));
    Await.until("web-4", DEADLINE, () -> current().get("web").targets().size() == 2);
    assertThat(consul.requests("/v1/health/service/web")).anySatisfy(r -> {
      assertThat(r.params().get("index")).matches("\\d+");
      assertThat(r.params().getAll("tag")).containsExactly("http");
    });
    assertThat(context.lastError()).isNull();
  }

  @Test
  void namedServicesWithoutTagsSkipTheCatalogAndUseEnterpriseParameters() throws Exception {
    consul.stop();
    consul = new FakeConsul(vertx, "dc1", List.of("dc1"), "/consul").start(0);
    consul.register(FakeConsul.entry("node-a", "10.0.0.1", new JsonObject(), "web", "web-1", "", 8080,
        List.of("http"), new JsonObject(), "passing"));
    start("""
        server: http://127.0.0.1:%d
        path_prefix: /consul/
        namespace: team-a
        partition: part-1
        allow_stale: false
        tag_separator: "|"
        services: [web, missing]
        refresh_interval: 100ms
        """.formatted(consul.port()));
    List<TargetGroup> first = firstUpdate();

    // a service Consul does not know has no instances, hence no group
    assertThat(first).extracting(TargetGroup::source).containsExactly("web");
    assertThat(first.get(0).targets().get(0).get("__meta_consul_tags")).isEqualTo("|http|");
    assertThat(consul.requests("/v1/catalog/services")).isEmpty();
    assertThat(consul.requests("/v1/agent/self").get(0).uri())
        .isEqualTo("/consul/v1/agent/self?ns=team-a&partition=part-1");
    assertThat(consul.requests("/v1/health/service/web").get(0).uri())
        .isEqualTo("/consul/v1/health/service/web?ns=team-a&partition=part-1&wait=1000ms");
    assertThat(consul.requests("/v1/health/service/missing")).isNotEmpty();
  }

  @Test
  void speaksHttpsWithTheTlsConfigAndSendsBasicAuth() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    consul.stop();
    FakeConsul tls = new FakeConsul(vertx, "dc1", List.of("dc1"), "")
        .start(0, new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()));
    tls.register(FakeConsul.entry("node-a", "10.0.0.1", new JsonObject(), "web", "web-1", "", 8080,
        List.of(), new JsonObject(), "passing"));
    start("""
        server: https://localhost:%d
        username: alice
        password: s3cret
        tls_config: {ca_file: '%s'}
        refresh_interval: 100ms
        """.formatted(tls.port(), cert.certificatePath()));

    assertThat(firstUpdate()).extracting(TargetGroup::source).containsExactly("web");
    String basic = "Basic "
        + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(tls.requests()).isNotEmpty()
        .allSatisfy(r -> assertThat(r.headers().get("Authorization")).isEqualTo(basic))
        .allSatisfy(r -> assertThat(r.headers().get("Host")).isEqualTo("localhost:" + tls.port()));
  }

  @Test
  void keepsTheLastGroupsWhileConsulIsDownAndRecovers() throws Exception {
    int port = consul.port();
    start("server: 127.0.0.1:" + port + "\nrefresh_interval: 100ms\n");
    Await.until("first update", DEADLINE, () -> !updates.isEmpty());
    Map<String, TargetGroup> before = current();
    int count = updates.size();

    consul.stop();
    String error = Await.until("the failure reported", DEADLINE, () -> context.lastError());
    assertThat(error).contains("http://127.0.0.1:" + port + "/v1/");
    // several rounds of failures of every watch, none of which may drop a group
    Await.until("repeated failures", DEADLINE, () -> failures() >= 12);
    assertThat(updates).hasSize(count);
    assertThat(current()).isEqualTo(before);

    consul.start(port);
    consul.register(FakeConsul.entry("node-d", "10.0.0.4", new JsonObject(), "web", "web-3", "", 8080,
        List.of(), new JsonObject(), "passing"));
    Await.until("the change after recovery", DEADLINE, () -> current().get("web").targets().size() == 3);
    Await.until("recovered", DEADLINE, () -> context.lastError() == null);
    assertThat(current().keySet()).containsExactlyInAnyOrderElementsOf(before.keySet());
  }

  @Test
  void startsWhileConsulIsDown() throws Exception {
    consul.stop();
    int port = Ports.free();
    start("server: 127.0.0.1:" + port + "\nrefresh_interval: 100ms\n");

    List<TargetGroup> first = firstUpdate();
    assertThat(first).isEmpty();
    assertThat(context.lastError()).contains("datacenter")
        .contains("GET http://127.0.0.1:" + port + "/v1/agent/self");

    consul.start(port);
    Await.until("groups once Consul is up", DEADLINE,
        () -> current().keySet().containsAll(List.of("web", "db")));
    Await.until("recovered", DEADLINE, () -> context.lastError() == null);
  }

  @Test
  void refusedTokenIsReportedWithTheStatus() {
    consul.requireToken("right");
    start("server: 127.0.0.1:" + consul.port() + "\ntoken: wrong\ndatacenter: dc1\n"
        + "refresh_interval: 100ms\n");

    List<TargetGroup> first = firstUpdate();
    assertThat(first).isEmpty();
    assertThat(context.lastError())
        .contains("GET http://127.0.0.1:" + consul.port() + "/v1/catalog/services?dc=dc1")
        .contains("403").contains("ACL not found");
  }

  @Test
  void brokenAnswersAreFailuresNamingTheUrlAndKeepTheGroup() {
    start("server: 127.0.0.1:" + consul.port() + "\nrefresh_interval: 100ms\n");
    Await.until("first update", DEADLINE, () -> !updates.isEmpty());
    TargetGroup web = current().get("web");
    int count = updates.size();

    consul.breakHealth("web", "{\"truncated");
    String error = Await.until("bad JSON reported", DEADLINE, () -> context.lastError());
    assertThat(error).contains("GET http://127.0.0.1:" + consul.port() + "/v1/health/service/web?")
        .contains("not JSON");

    consul.breakHealth("web", "[{\"Node\": {\"Address\": \"10.0.0.1\"}, \"Service\": {\"Port\": \"80\"}}]");
    Await.until("bad port reported", DEADLINE,
        () -> context.lastError().contains("expected a port number at [0].Service.Port"));
    assertThat(updates).hasSize(count);
    assertThat(current().get("web")).isEqualTo(web);

    consul.breakHealth("web", null);
    Await.until("recovered", DEADLINE, () -> context.lastError() == null);
    assertThat(current().get("web")).isEqualTo(web);
  }

  @Test
  void prometheusTimingBlocksTwoMinutesAndStopAbortsIt() throws Exception {
    ConsulSdConfig config = parse("server: 127.0.0.1:" + consul.port() + "\nrefresh_interval: 100ms\n");
    List<List<TargetGroup>> seen = new CopyOnWriteArrayList<>();
    Discoverer d = config.create(context);
    d.start(seen::add);
    Await.until("first update", DEADLINE, () -> !seen.isEmpty());
    assertThat(bySource(seen.get(0))).containsOnlyKeys("web", "db", "consul");
    // the exact query of Prometheus' own Consul test
    assertThat(consul.requests("/v1/catalog/services").get(0).uri())
        .isEqualTo("/v1/catalog/services?stale=&wait=120000ms");
    FakeConsul.Request blocked = Await.until("a blocking catalog query", DEADLINE,
        () -> consul.requests("/v1/catalog/services").stream().filter(r -> r.params().contains("index"))
            .findFirst().orElse(null));
    assertThat(blocked.params().get("wait")).isEqualTo("120000ms");

    d.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    // a change now would answer a still-open blocking query at once; a second discoverer shows it went by
    consul.register(FakeConsul.entry("node-d", "10.0.0.4", new JsonObject(), "web", "web-3", "", 8080,
        List.of(), new JsonObject(), "passing"));
    start("server: 127.0.0.1:" + consul.port() + "\nrefresh_interval: 100ms\n");
    Await.until("the witness sees web-3", DEADLINE, () -> current().get("web").targets().size() == 3);
    assertThat(seen).hasSize(1);
  }

  private List<TargetGroup> firstUpdate() {
    return Await.until("first update", DEADLINE, () -> updates.isEmpty() ? null : updates.get(0));
  }

  private void start(String yaml) {
    Discoverer d = new ConsulDiscoverer(parse(yaml), context, FAST);
    started.add(d);
    d.start(updates::add);
  }

  private static ConsulSdConfig parse(String yaml) {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    JsonObject raw = (JsonObject) ConsulSdConfig.schema()
        .normalize(new JsonObject(map), "consul_sd_configs[0]", new ArrayList<>());
    return ConsulSdConfig.parse(raw, "consul_sd_configs[0]", null);
  }

  /** The groups as a job holds them after every update so far. */
  private Map<String, TargetGroup> current() {
    Map<String, TargetGroup> out = new LinkedHashMap<>();
    for (List<TargetGroup> u : updates) {
      for (TargetGroup g : u) {
        if (g.targets().isEmpty()) {
          out.remove(g.source());
        } else {
          out.put(g.source(), g);
        }
      }
    }
    return out;
  }

  private double failures() {
    return registry.get("clymene.sd.refresh.failures").counter().count();
  }

  private static Map<String, TargetGroup> bySource(List<TargetGroup> groups) {
    Map<String, TargetGroup> out = new LinkedHashMap<>();
    groups.forEach(g -> out.put(g.source(), g));
    return out;
  }
}
