package io.clymene.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Endpoint choice with an injected clock (round robin, backoff 1 s doubling to 30 s, one probe at a
 * time, every endpoint down), the splitting of encoded requests, and the provider's config checks.
 */
class GatewayEndpointsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final GatewayEndpoint a = GatewayEndpoint.parse("a:1");
  private final GatewayEndpoint b = GatewayEndpoint.parse("b:2");
  private final GatewayEndpoints endpoints = new GatewayEndpoints(List.of(a, b), now::get);

  @Test
  void roundRobinSkipsADownEndpointUntilItsBackoffPasses() {
    assertThat(pick().endpoint()).isSameAs(a);
    assertThat(pick().endpoint()).isSameAs(b);
    assertThat(a.markDown(now.get(), false)).isTrue();
    assertThat(a.markDown(now.get(), false)).isFalse(); // a second in-flight failure changes nothing
    assertThat(a.backoff()).isEqualTo(Duration.ofSeconds(1));
    for (int i = 0; i < 4; i++) {
      assertThat(pick().endpoint()).isSameAs(b);
    }
    advance(Duration.ofMillis(1000));
    GatewayEndpoints.Pick probe = pick();
    assertThat(probe.endpoint()).isSameAs(a);
    assertThat(probe.probe()).isTrue();
    assertThat(pick().endpoint()).isSameAs(b); // one probe at a time
    assertThat(pick().endpoint()).isSameAs(b);
    a.markDown(now.get(), true);
    assertThat(a.backoff()).isEqualTo(Duration.ofSeconds(2));
    for (int i = 0; i < 10; i++) {
      advance(a.backoff().minusMillis(1));
      assertThat(pick().endpoint()).isSameAs(b);
      assertThat(pick().endpoint()).isSameAs(b);
      advance(Duration.ofMillis(1));
      assertThat(probeOfA().probe()).isTrue();
      a.markDown(now.get(), true);
    }
    assertThat(a.backoff()).isEqualTo(Duration.ofSeconds(30));
    advance(a.backoff());
    assertThat(probeOfA().probe()).isTrue();
    assertThat(a.markUp()).isTrue();
    List<GatewayEndpoint> next = List.of(pick().endpoint(), pick().endpoint());
    assertThat(next).containsExactlyInAnyOrder(a, b);
  }

  /** Picks until a comes (b may come first, by round robin). */
  private GatewayEndpoints.Pick probeOfA() {
    GatewayEndpoints.Pick p = pick();
    return p.endpoint() == a ? p : pick();
  }

  @Test
  void failoverTriesEachEndpointOnceAndEveryEndpointDownStillTriesTheSoonest() {
    List<GatewayEndpoint> tried = new ArrayList<>();
    GatewayEndpoints.Pick first = endpoints.next(tried);
    tried.add(first.endpoint());
    first.endpoint().markDown(now.get(), first.probe());
    GatewayEndpoints.Pick second = endpoints.next(tried);
    assertThat(second.endpoint()).isNotSameAs(first.endpoint());
    tried.add(second.endpoint());
    advance(Duration.ofMillis(10));
    second.endpoint().markDown(now.get(), second.probe());
    assertThat(endpoints.next(tried)).isNull();

    // a new write: nothing is due, but every endpoint is down, so the one due soonest is probed
    GatewayEndpoints.Pick forced = endpoints.next(new ArrayList<>());
    assertThat(forced.endpoint()).isSameAs(first.endpoint());
    assertThat(forced.probe()).isTrue();
    GatewayEndpoints.Pick alsoForced = endpoints.next(List.of(first.endpoint()));
    assertThat(alsoForced.endpoint()).isSameAs(second.endpoint());
  }

  @Test
  void anInternalErrorFailsOverWithoutMarkingDownWhileAnotherIsUp() {
    List<GatewayEndpoint> tried = new ArrayList<>(List.of(a));
    assertThat(endpoints.next(tried).endpoint()).isSameAs(b);
    tried.add(b);
    assertThat(endpoints.next(tried)).isNull(); // both tried and up: back to the queue
  }

  @Test
  void splitCutsBetweenSeriesAndKeepsEverything() {
    byte[] encoded = new io.clymene.storage.prometheus.RemoteWriteEncoder()
        .encode(List.of(GatewayWriterTest.batch("s", 50, 4)));
    List<Buffer> parts = WriteRequestSplitter.split(encoded, 256);
    assertThat(parts.size()).isGreaterThan(5);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (Buffer p : parts) {
      assertThat(p.length()).isLessThanOrEqualTo(256);
      joined.writeBytes(p.getBytes());
    }
    assertThat(joined.toByteArray()).isEqualTo(encoded);
    assertThat(WriteRequestSplitter.split(encoded, encoded.length)).hasSize(1);
    // a series larger than the limit goes alone
    assertThat(WriteRequestSplitter.split(encoded, 10)).hasSize(50);
  }

  @Test
  void retryAfterAndStatusMessagesAreDecoded() {
    assertThat(GatewayCall.parseRetryAfter("3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(GatewayCall.parseRetryAfter("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(GatewayCall.parseRetryAfter("soon")).isNull();
    assertThat(GatewayCall.percentDecode("a%20b+c%C3%A9%")).isEqualTo("a b+cé%");
  }

  @Test
  void configChecksNameTheKey() {
    assertThatThrownBy(() -> check(new JsonObject())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage[0].endpoints");
    assertThatThrownBy(() -> check(new JsonObject().put("endpoints", new JsonArray().add("a:1").add("nohost"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].endpoints[1]")
        .hasMessageContaining("'nohost'");
    assertThatThrownBy(() -> check(new JsonObject().put("endpoints", new JsonArray().add("a:1").add("a:1"))))
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> check(new JsonObject().put("endpoints", new JsonArray().add("a:99999"))))
        .hasMessageContaining("port");
    assertThatThrownBy(() -> check(new JsonObject().put("endpoints", new JsonArray().add("a:1"))
        .put("max_message_size", 0L))).hasMessageContaining("storage[0].max_message_size");
    check(new JsonObject().put("endpoints", new JsonArray().add("[::1]:15610").add("gw:15610")).put("rpc", "unary"));
    assertThat(GatewayEndpoint.parse("[::1]:15610").address().host()).isEqualTo("::1");
    assertThat(new GatewayProvider().schema().fields()).containsKeys("endpoints", "rpc", "max_message_size");
  }

  private static void check(JsonObject json) {
    json.put("type", "gateway");
    new GatewayProvider().check(StorageEntry.from(json, "storage[0]", "gw", new QueueOptions()));
  }

  private GatewayEndpoints.Pick pick() {
    return endpoints.next(List.of());
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }
}
