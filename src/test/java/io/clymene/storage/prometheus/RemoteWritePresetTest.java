package io.clymene.storage.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.Types;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.testing.OnContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

/**
 * {@code preset: cortex|mimir|thanos} and {@code tenant_header} against a capture server: Cortex, Mimir and
 * Thanos Receive cannot run in this environment (no packages), so the test asserts what they would
 * receive (method, path, tenant header) and that the body decodes as a remote-write 1.0 request with the
 * batch's series. Real remote writes stay covered by the VictoriaMetrics and Prometheus tests.
 */
@Timeout(30)
class RemoteWritePresetTest {
  private Vertx vertx;
  private HttpServer server;
  private Context context;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final List<MultiMap> headers = Collections.synchronizedList(new ArrayList<>());
  private final List<Remote.WriteRequest> requests = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      try {
        requests.add(Remote.WriteRequest.parseFrom(Snappy.uncompress(b.getBytes())));
      } catch (Exception e) {
        req.response().setStatusCode(400).end(e.toString());
        return;
      }
      lines.add(req.method() + " " + req.uri());
      headers.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void cortexAndMimirPushWithXScopeOrgId() throws Exception {
    send(new JsonObject().put("preset", "cortex").put("tenant", "team-a"), "");
    send(new JsonObject().put("preset", "mimir").put("tenant", "team-b"), "/");

    assertThat(lines).containsExactly("POST /api/v1/push", "POST /api/v1/push");
    assertThat(headers).extracting(h -> h.get("X-Scope-OrgID")).containsExactly("team-a", "team-b");
    assertDecodes();
  }

  @Test
  void thanosReceivesWithThanosTenant() throws Exception {
    send(new JsonObject().put("preset", "thanos").put("tenant", "team-c"), "");

    assertThat(lines).containsExactly("POST /api/v1/receive");
    assertThat(headers.get(0).get("THANOS-TENANT")).isEqualTo("team-c");
    assertThat(headers.get(0).get("X-Scope-OrgID")).isNull();
    assertThat(headers.get(0).get("Content-Encoding")).isEqualTo("snappy");
    assertThat(headers.get(0).get("X-Prometheus-Remote-Write-Version")).isEqualTo("0.1.0");
    assertDecodes();
  }

  @Test
  void anExplicitPathAndTenantHeaderWin() throws Exception {
    send(new JsonObject().put("preset", "thanos").put("tenant", "t").put("tenant_header", "X-Tenant"), "/receive/x");
    send(new JsonObject().put("tenant", "u"), "/api/v1/write");

    assertThat(lines).containsExactly("POST /receive/x", "POST /api/v1/write");
    assertThat(headers.get(0).get("X-Tenant")).isEqualTo("t");
    assertThat(headers.get(0).get("THANOS-TENANT")).isNull();
    assertThat(headers.get(1).get("X-Scope-OrgID")).isEqualTo("u");
  }

  @Test
  void checkRejectsABadHeaderName() {
    StorageEntry e = entry(new JsonObject().put("url", "http://h:1").put("tenant_header", "X Tenant"));
    assertThatThrownBy(() -> new RemoteWriteProvider().check(e)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage[0].tenant_header").hasMessageContaining("'X Tenant'");
  }

  private void assertDecodes() {
    assertThat(requests).allSatisfy(r -> {
      assertThat(r.getTimeseriesList()).extracting(ts -> ts.getLabels(0).getValue()).containsExactly("a", "b");
      assertThat(r.getTimeseries(0).getSamplesList()).extracting(Types.Sample::getValue).containsExactly(1.0, 2.0);
    });
  }

  private void send(JsonObject json, String path) throws Exception {
    StorageEntry entry = entry(json.put("url", "http://127.0.0.1:" + server.actualPort() + path));
    RemoteWriteProvider provider = new RemoteWriteProvider();
    provider.check(entry);
    StorageWriter w = provider.create(new WriterContext(vertx, new SimpleMeterRegistry(), "test", null), entry);
    OnContext.await(context, Duration.ofSeconds(10), w::start);
    assertThat(OnContext.write(context, Duration.ofSeconds(10), w, RemoteWriteWriterTest.batch())).isNull();
    OnContext.await(context, Duration.ofSeconds(10), w::stop);
  }

  private static StorageEntry entry(JsonObject json) {
    return StorageEntry.from(json.put("type", "prometheus"), "storage[0]", "rw",
        new RemoteWriteProvider().defaultQueueOptions());
  }
}
