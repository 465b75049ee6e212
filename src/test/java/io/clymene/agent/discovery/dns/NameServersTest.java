package io.clymene.agent.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which DNS servers are asked: the property, the environment variable, or /etc/resolv.conf. */
@Timeout(10)
class NameServersTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void parsesAddressesWithAndWithoutPorts() {
    assertThat(NameServer.parse("127.0.0.1")).isEqualTo(new NameServer("127.0.0.1", 53));
    assertThat(NameServer.parse(" 127.0.0.1:5353 ")).isEqualTo(new NameServer("127.0.0.1", 5353));
    assertThat(NameServer.parse("::1")).isEqualTo(new NameServer("::1", 53));
    assertThat(NameServer.parse("[::1]")).isEqualTo(new NameServer("::1", 53));
    assertThat(NameServer.parse("[2001:db8::1]:5353")).isEqualTo(new NameServer("2001:db8::1", 5353));
    assertThat(NameServer.parse("[::1]:5353")).hasToString("[::1]:5353");
    assertThat(NameServer.parse("192.0.2.1")).hasToString("192.0.2.1:53");
  }

  @Test
  void rejectsHostNamesAndBadPorts() {
    assertThatThrownBy(() -> NameServers.parseList("127.0.0.1:5353,dns.example.test:53", "system property x"))
        .hasMessage("system property x: 'dns.example.test' is not an IP address (expected IP addresses with "
            + "optional ports, separated by commas, e.g. 127.0.0.1:5353,[::1]:53)");
    assertThatThrownBy(() -> NameServers.parseList("127.0.0.1:dns", "p"))
        .hasMessageStartingWith("p: 'dns' in '127.0.0.1:dns' is not a port number");
    assertThatThrownBy(() -> NameServers.parseList("127.0.0.1:70000", "p"))
        .hasMessageStartingWith("p: port 70000 is not between 1 and 65535");
    assertThatThrownBy(() -> NameServers.parseList(" , ", "p")).hasMessage("p lists no DNS server");
  }

  @Test
  void readsTheNameserversOfResolvConfInOrder() {
    String conf = """
        # generated
        search example.test
        nameserver 192.0.2.53
        ; nameserver 192.0.2.99
        nameserver   2001:db8::53   # second
        nameserver dns.example.test
        options ndots:2
        """;
    assertThat(NameServers.parseResolvConf(conf)).containsExactly(
        new NameServer("192.0.2.53", 53), new NameServer("2001:db8::53", 53));
  }

  @Test
  void propertyWinsOverEnvironmentWhichWinsOverResolvConf(@TempDir Path dir) throws Exception {
    Path conf = Files.writeString(dir.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
    assertThat(await(NameServers.configured("127.0.0.1:5353,[::1]:5354", "127.0.0.2", vertx, conf.toString())))
        .containsExactly(new NameServer("127.0.0.1", 5353), new NameServer("::1", 5354));
    assertThat(await(NameServers.configured(null, "127.0.0.2:99", vertx, conf.toString())))
        .containsExactly(new NameServer("127.0.0.2", 99));
    assertThat(await(NameServers.configured(" ", "", vertx, conf.toString())))
        .containsExactly(new NameServer("192.0.2.53", 53));
  }

  @Test
  void failsWhenNoServerIsKnown(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("resolv.conf"), "search example.test\n");
    assertThat(failure(NameServers.configured(null, null, vertx, empty.toString())))
        .isEqualTo("no nameserver in " + empty);
    assertThat(failure(NameServers.configured(null, null, vertx, dir.resolve("missing").toString())))
        .startsWith("cannot read " + dir.resolve("missing") + ": ")
        .endsWith("(or set clymene.dns.servers or CLYMENE_DNS_SERVERS)");
    assertThat(failure(NameServers.configured(null, "localhost", vertx, empty.toString())))
        .startsWith("environment variable CLYMENE_DNS_SERVERS: 'localhost' is not an IP address");
  }

  private static List<NameServer> await(Future<List<NameServer>> f) throws Exception {
    return f.await(5, TimeUnit.SECONDS);
  }

  private static String failure(Future<List<NameServer>> f) {
    try {
      f.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }
}
