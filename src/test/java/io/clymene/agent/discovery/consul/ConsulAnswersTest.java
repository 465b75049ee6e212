package io.clymene.agent.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pieces that must match Consul's Go client and Prometheus exactly: aggregated health, label name
 * sanitising, query strings and paths, the ticker's pace, and what an answer may hold.
 */
class ConsulAnswersTest {

  @Test
  void aggregatesHealthLikeConsulsClient() {
    assertThat(ConsulAnswers.health(null, "c")).isEqualTo("passing");
    assertThat(ConsulAnswers.health(checks(), "c")).isEqualTo("passing");
    assertThat(ConsulAnswers.health(checks("serfHealth", "passing", "service:a", "warning"), "c"))
        .isEqualTo("warning");
    assertThat(ConsulAnswers.health(checks("a", "warning", "b", "critical", "c", "passing"), "c"))
        .isEqualTo("critical");
    assertThat(ConsulAnswers.health(checks("a", "critical", "_node_maintenance", "critical"), "c"))
        .isEqualTo("maintenance");
    assertThat(ConsulAnswers.health(checks("_service_maintenance:web-1", "critical"), "c"))
        .isEqualTo("maintenance");
    // a status Consul's client does not know makes the whole thing unknown, even with maintenance
    assertThat(ConsulAnswers.health(checks("_node_maintenance", "critical", "a", "unknown"), "c")).isEmpty();
  }

  @Test
  void sanitizesLabelNamesLikePrometheus() {
    assertThat(ConsulAnswers.sanitize("rack-name")).isEqualTo("rack_name");
    assertThat(ConsulAnswers.sanitize("a.b/c d")).isEqualTo("a_b_c_d");
    assertThat(ConsulAnswers.sanitize("Ünïcode_9")).isEqualTo("_n_code_9");
    assertThat(ConsulAnswers.sanitize("")).isEmpty();
  }

  @Test
  void writesQueriesAndPathsLikeGo() {
    ConsulQuery q = new ConsulQuery().set("wait", "120000ms").set("stale", "").add("tag", "b").add("tag", "a")
        .add("node-meta", "rack name:r/1").set("dc", "dc1");
    assertThat(q.encode()).isEqualTo("?dc=dc1&node-meta=rack+name%3Ar%2F1&stale=&tag=b&tag=a&wait=120000ms");
    assertThat(new ConsulQuery().encode()).isEmpty();
    assertThat(ConsulEndpoint.escapePath("my service/x?y")).isEqualTo("my%20service/x%3Fy");
    assertThat(ConsulEndpoint.joinHostPort("2001:db8::1", 80)).isEqualTo("[2001:db8::1]:80");
    assertThat(ConsulEndpoint.joinHostPort("10.0.0.1", 0)).isEqualTo("10.0.0.1:0");
  }

  @Test
  void ticksLikeAGoTicker() {
    long s = 1_000_000_000L;
    Ticker t = new Ticker(Duration.ofSeconds(30), 0);
    // a quick query waits for the next tick
    assertThat(t.takeMillis(2 * s)).isEqualTo(28_000);
    // a query that outlasts a tick goes again at once, but only once for several missed ticks
    assertThat(t.takeMillis(100 * s)).isEqualTo(0);
    assertThat(t.takeMillis(101 * s)).isEqualTo(19_000);
  }

  @Test
  void readsTheCatalogAndTheAgent() {
    assertThat(ConsulAnswers.services(Buffer.buffer("{\"consul\":[],\"web\":[\"a\",\"b\"],\"x\":null}")))
        .containsExactly(Map.entry("consul", List.of()), Map.entry("web", List.of("a", "b")),
            Map.entry("x", List.of()));
    assertThat(ConsulAnswers.services(Buffer.buffer("null"))).isEmpty();
    assertThat(ConsulAnswers.datacenter(Buffer.buffer("{\"Config\":{\"Datacenter\":\"dc7\"}}")))
        .isEqualTo("dc7");
    assertThatThrownBy(() -> ConsulAnswers.datacenter(Buffer.buffer("{\"Config\":{\"Nope\":\"x\"}}")))
        .hasMessage("invalid value '<nil>' for Config.Datacenter");
    assertThatThrownBy(() -> ConsulAnswers.services(Buffer.buffer("[1]")))
        .hasMessageContaining("expected an object of service names to tags, got a list");
    assertThatThrownBy(() -> ConsulAnswers.services(Buffer.buffer("{\"web\":\"a\"}")))
        .hasMessageContaining("expected a list of strings at web");
  }

  @Test
  void readsSparseEntriesAsGoDoes() {
    // absent fields are empty; a service without an address uses the node's
    JsonArray body = new JsonArray().add(new JsonObject()
        .put("Node", new JsonObject().put("Node", "n1").put("Address", "10.1.1.1"))
        .put("Service", new JsonObject().put("ID", "s1").put("Port", 80)));
    var g = ConsulAnswers.group("svc", "svc", "dc1", ",", body.toBuffer());
    assertThat(g.targets()).singleElement().satisfies(t -> {
      assertThat(t.get("__address__")).isEqualTo("10.1.1.1:80");
      assertThat(t.get("__meta_consul_tags")).isEqualTo(",,");
      assertThat(t.get("__meta_consul_health")).isEqualTo("passing");
      assertThat(t.size()).isEqualTo(7);
    });
    assertThat(ConsulAnswers.group("svc", "svc", "dc1", ",", Buffer.buffer("[]")).targets()).isEmpty();
    assertThatThrownBy(() -> ConsulAnswers.group("svc", "svc", "dc1", ",", Buffer.buffer(
        "[{\"Node\":{\"Meta\":{\"a\":1}},\"Service\":{}}]")))
        .hasMessageContaining("expected a string at [0].Node.Meta.a");
  }

  private static JsonArray checks(String... idStatus) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < idStatus.length; i += 2) {
      a.add(new JsonObject().put("CheckID", idStatus[i]).put("Status", idStatus[i + 1]));
    }
    return a;
  }
}
