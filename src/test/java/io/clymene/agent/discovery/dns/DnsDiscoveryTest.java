package io.clymene.agent.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.model.Labels;
import io.clymene.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DNS discovery against a real dnsmasq on loopback: the exact targets and labels of A, AAAA, SRV and MX
 * lookups, records that change between refreshes, and names or servers that fail.
 */
@Timeout(20)
class DnsDiscoveryTest {
  private static final DnsRecords RECORDS = DnsRecords.local("example.test")
      .a("a.example.test", "192.0.2.1")
      .a("a.example.test", "192.0.2.2")
      .aaaa("six.example.test", "2001:db8::1")
      .aaaa("six.example.test", "2001:db8:0:1:1:1:1:1")
      .a("web1.example.test", "192.0.2.10")
      .srv("_http._tcp.example.test", "web1.example.test", 8080, 10, 5)
      .srv("_http._tcp.example.test", "web2.example.test", 8081)
      .mx("example.test", "mail.example.test", 10)
      .mx("example.test", "mx2.example.test", 20)
      .cname("alias.example.test", "a.example.test")
      .srv("single", "web1.example.test", 80)
      .srv("two.test", "web1.example.test", 80);
  private static Dnsmasq shared;

  private Vertx vertx;
  private final List<Dnsmasq> own = new ArrayList<>();
  private final List<Discoverer> discoverers = new ArrayList<>();

  @BeforeAll
  static void startDnsmasq() throws IOException {
    shared = Dnsmasq.start(RECORDS);
  }

  @AfterAll
  static void stopDnsmasq() {
    shared.close();
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Discoverer d : discoverers) {
      d.stop().await(5, TimeUnit.SECONDS);
    }
    vertx.close().await(5, TimeUnit.SECONDS);
    own.forEach(Dnsmasq::close);
  }

  @Test
  void aRecordsGiveIpAndPort() {
    Run run = start(config(RecordType.A, 9100, "a.example.test", "a.example.test."), shared);
    List<TargetGroup> first = run.first();
    assertThat(first).extracting(TargetGroup::source).containsExactly("a.example.test", "a.example.test.");
    assertThat(first.get(0).labels()).isEqualTo(Labels.EMPTY);
    assertThat(first.get(0).targets()).containsExactlyInAnyOrder(
        Labels.of("__address__", "192.0.2.1:9100", "__meta_dns_name", "a.example.test"),
        Labels.of("__address__", "192.0.2.2:9100", "__meta_dns_name", "a.example.test"));
    assertThat(first.get(1).targets()).containsExactlyInAnyOrder(
        Labels.of("__address__", "192.0.2.1:9100", "__meta_dns_name", "a.example.test."),
        Labels.of("__address__", "192.0.2.2:9100", "__meta_dns_name", "a.example.test."));
    assertThat(run.context.lastError()).isNull();
  }

  @Test
  void aaaaRecordsGiveBracketedShortIpv6() {
    Run run = start(config(RecordType.AAAA, 9100, "six.example.test"), shared);
    assertThat(run.first()).singleElement().satisfies(g -> assertThat(g.targets()).containsExactlyInAnyOrder(
        Labels.of("__address__", "[2001:db8::1]:9100", "__meta_dns_name", "six.example.test"),
        Labels.of("__address__", "[2001:db8:0:1:1:1:1:1]:9100", "__meta_dns_name", "six.example.test")));
  }

  @Test
  void srvRecordsGiveTargetAndPortWithMetaLabelsKeepingTheDot() {
    Run run = start(config(RecordType.SRV, 0, "_http._tcp.example.test"), shared);
    TargetGroup g = run.first().get(0);
    assertThat(g.source()).isEqualTo("_http._tcp.example.test");
    assertThat(g.targets()).containsExactlyInAnyOrder(
        Labels.of("__address__", "web1.example.test:8080", "__meta_dns_name", "_http._tcp.example.test",
            "__meta_dns_srv_record_target", "web1.example.test.", "__meta_dns_srv_record_port", "8080"),
        Labels.of("__address__", "web2.example.test:8081", "__meta_dns_name", "_http._tcp.example.test",
            "__meta_dns_srv_record_target", "web2.example.test.", "__meta_dns_srv_record_port", "8081"));
  }

  @Test
  void mxRecordsGiveHostAndConfiguredPort() {
    Run run = start(config(RecordType.MX, 25, "example.test."), shared);
    assertThat(run.first()).singleElement().satisfies(g -> assertThat(g.targets()).containsExactlyInAnyOrder(
        Labels.of("__address__", "mail.example.test:25", "__meta_dns_name", "example.test.",
            "__meta_dns_mx_record_target", "mail.example.test."),
        Labels.of("__address__", "mx2.example.test:25", "__meta_dns_name", "example.test.",
            "__meta_dns_mx_record_target", "mx2.example.test.")));
  }

  @Test
  void aLookupFollowsCnames() {
    Run run = start(config(RecordType.A, 80, "alias.example.test"), shared);
    assertThat(run.first().get(0).targets()).containsExactlyInAnyOrder(
        Labels.of("__address__", "192.0.2.1:80", "__meta_dns_name", "alias.example.test"),
        Labels.of("__address__", "192.0.2.2:80", "__meta_dns_name", "alias.example.test"));
  }

  @Test
  void nxdomainAndNoRecordsGiveEmptyGroups() {
    Run run = start(config(RecordType.SRV, 0, "_none._tcp.example.test", "a.example.test"), shared);
    assertThat(run.first()).containsExactly(TargetGroup.removed("_none._tcp.example.test"),
        TargetGroup.removed("a.example.test"));
    assertThat(run.context.lastError()).isNull();
  }

  @Test
  void aRefusedNameIsReportedAndSendsNoGroupWhileOthersDo() {
    Run run = start(config(RecordType.A, 80, "a.example.test", "elsewhere.invalid"), shared);
    assertThat(run.first()).extracting(TargetGroup::source).containsExactly("a.example.test");
    Await.until("the failure", Duration.ofSeconds(5), () -> run.context.lastError() != null);
    assertThat(run.context.lastError()).isEqualTo("could not resolve A records of \"elsewhere.invalid\": "
        + "no DNS server gave a usable answer (" + shared.server() + " answered REFUSED)");
  }

  @Test
  void targetsAddedAndRemovedOnTheNextRefresh() throws IOException {
    Dnsmasq dns = own(DnsRecords.local("example.test")
        .srv("_x._tcp.example.test", "one.example.test", 1001)
        .srv("_x._tcp.example.test", "two.example.test", 1002));
    Run run = start(everySecond(config(RecordType.SRV, 0, "_x._tcp.example.test")), dns);
    assertThat(addresses(run.first().get(0))).containsExactlyInAnyOrder("one.example.test:1001",
        "two.example.test:1002");

    dns.update(DnsRecords.local("example.test")
        .srv("_x._tcp.example.test", "two.example.test", 1002)
        .srv("_x._tcp.example.test", "three.example.test", 1003));
    TargetGroup changed = run.awaitGroup("_x._tcp.example.test",
        g -> addresses(g).contains("three.example.test:1003"));
    assertThat(addresses(changed)).containsExactlyInAnyOrder("two.example.test:1002", "three.example.test:1003");

    dns.update(DnsRecords.local("example.test"));
    assertThat(run.awaitGroup("_x._tcp.example.test", g -> g.targets().isEmpty()))
        .isEqualTo(TargetGroup.removed("_x._tcp.example.test"));
    assertThat(run.context.lastError()).isNull();
  }

  @Test
  void serverDownKeepsTheLastGroupAndRecovers() throws IOException {
    Dnsmasq dns = own(DnsRecords.local("example.test").a("a.example.test", "192.0.2.1"));
    Run run = start(everySecond(config(RecordType.A, 80, "a.example.test")), dns);
    assertThat(addresses(run.first().get(0))).containsExactly("192.0.2.1:80");

    dns.stop();
    String error = Await.until("the failure", Duration.ofSeconds(10), run.context::lastError);
    assertThat(error).isEqualTo("could not resolve A records of \"a.example.test\": no DNS server gave a "
        + "usable answer (" + dns.server() + " did not answer within 2000 ms)");
    // the update of the failed refresh holds no group, so the job keeps the last one
    Await.until("the update after the failure", Duration.ofSeconds(5),
        () -> run.updates.stream().anyMatch(List::isEmpty));
    assertThat(run.updates).allSatisfy(u -> assertThat(u).allSatisfy(
        g -> assertThat(addresses(g)).containsExactly("192.0.2.1:80")));

    dns.update(DnsRecords.local("example.test").a("a.example.test", "192.0.2.2"));
    run.awaitGroup("a.example.test", g -> addresses(g).equals(List.of("192.0.2.2:80")));
    Await.until("recovery", Duration.ofSeconds(5), () -> run.context.lastError() == null);
  }

  /** Vert.x's SRV decoder fails on a name of one label (Prometheus takes these records); two are fine. */
  @Test
  void srvRecordsOfASingleLabelNameAreReportedAsUndecodable() {
    Run run = start(config(RecordType.SRV, 0, "single", "two.test"), shared);
    assertThat(run.first()).singleElement().satisfies(g -> assertThat(g.targets()).containsExactly(
        Labels.of("__address__", "web1.example.test:80", "__meta_dns_name", "two.test",
            "__meta_dns_srv_record_target", "web1.example.test.", "__meta_dns_srv_record_port", "80")));
    assertThat(Await.until("the failure", Duration.ofSeconds(5), run.context::lastError)).isEqualTo(
        "could not resolve SRV records of \"single\": no DNS server gave a usable answer (" + shared.server()
            + " answered SRV records that Vert.x cannot decode (their name has a single label))");
  }

  @Test
  void nextServerIsAskedWhenOneFails() throws IOException {
    Dnsmasq down = own(DnsRecords.none());
    down.stop();
    Run run = start(config(RecordType.A, 80, "a.example.test"), List.of(NameServer.parse(down.server()),
        NameServer.parse(shared.server())));
    assertThat(run.first().get(0).targets()).hasSize(2);
    assertThat(run.context.lastError()).isNull();
  }

  @Test
  void everyServerIsNamedWhenAllFail() throws IOException {
    Dnsmasq refusing = own(DnsRecords.none());
    Run run = start(config(RecordType.A, 80, "a.example.test"), List.of(NameServer.parse(refusing.server()),
        NameServer.parse(refusing.server())));
    assertThat(run.first()).isEmpty();
    assertThat(Await.until("the failure", Duration.ofSeconds(5), run.context::lastError)).isEqualTo(
        "could not resolve A records of \"a.example.test\": no DNS server gave a usable answer ("
            + refusing.server() + " answered REFUSED; " + refusing.server() + " answered REFUSED)");
  }

  @Test
  void serversComeFromTheSystemProperty() {
    DnsSdConfig config = config(RecordType.SRV, 0, "_http._tcp.example.test");
    DiscoveryContext context = context();
    System.setProperty(NameServers.PROPERTY, shared.server());
    try {
      Discoverer d = config.create(context);
      discoverers.add(d);
      Run run = new Run(context);
      d.start(run.updates::add);
      assertThat(addresses(run.first().get(0))).containsExactlyInAnyOrder("web1.example.test:8080",
          "web2.example.test:8081");
    } finally {
      System.clearProperty(NameServers.PROPERTY);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static DnsSdConfig config(RecordType type, int port, String... names) {
    return new DnsSdConfig(List.of(names), type, port, Duration.ofSeconds(30));
  }

  private static DnsSdConfig everySecond(DnsSdConfig c) {
    return new DnsSdConfig(c.names(), c.type(), c.port(), Duration.ofSeconds(1));
  }

  private Dnsmasq own(DnsRecords records) throws IOException {
    Dnsmasq d = Dnsmasq.start(records);
    own.add(d);
    return d;
  }

  private DiscoveryContext context() {
    return new DiscoveryContext(vertx, new SimpleMeterRegistry(), "dns-job", "dns_sd_configs[0]", "dns");
  }

  private Run start(DnsSdConfig config, Dnsmasq server) {
    return start(config, List.of(NameServer.parse(server.server())));
  }

  private Run start(DnsSdConfig config, List<NameServer> servers) {
    Run run = new Run(context());
    DnsDiscoverer d = new DnsDiscoverer(config, run.context, () -> Future.succeededFuture(servers));
    discoverers.add(d);
    d.start(run.updates::add);
    return run;
  }

  private static List<String> addresses(TargetGroup g) {
    return g.targets().stream().map(t -> t.get("__address__")).toList();
  }

  /** A running discoverer's updates and context. */
  private static final class Run {
    final DiscoveryContext context;
    final List<List<TargetGroup>> updates = new CopyOnWriteArrayList<>();

    Run(DiscoveryContext context) {
      this.context = context;
    }

    List<TargetGroup> first() {
      return Await.until("the first update", Duration.ofSeconds(10),
          () -> updates.isEmpty() ? null : updates.get(0));
    }

    TargetGroup awaitGroup(String source, java.util.function.Predicate<TargetGroup> test) {
      return Await.until("a group " + source + " as expected (updates: " + updates + ")", Duration.ofSeconds(10),
          () -> updates.stream().flatMap(List::stream)
              .filter(g -> g.source().equals(source) && test.test(g)).findFirst().orElse(null));
    }
  }
}
