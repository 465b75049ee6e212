package io.clymene.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.proto.prometheus.Types;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.OnContext;
import io.clymene.testing.Await;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway writer against real Vert.x gRPC servers implementing {@code ClymeneService} on 127.0.0.1
 * ({@link FakeGateway}): what arrives, round robin, failover and recovery, the status mapping, metadata,
 * TLS, unary calls, splitting, and the whole path through a {@link WriterQueue}. Writes run on one
 * Vert.x context, as the writer's queue calls them.
 */
@Timeout(60)
class GatewayWriterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final long T0 = 1_700_000_000_000L;

  private Vertx vertx;
  private Context context;
  private SimpleMeterRegistry registry;
  private final List<FakeGateway> gateways = new ArrayList<>();
  private final List<StorageWriter> writers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (StorageWriter w : writers) {
      onContext(w::stop);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void samplesArriveIntact() throws Exception {
    FakeGateway gw = gateway();
    StorageWriter w = writer(new JsonObject(), gw);
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "node").label("instance", "a:9100")
        .sample(T0, 1).sample(T0 + 15_000, Double.longBitsToDouble(0x7ff0000000000002L));
    b.endSeries();
    b.beginSeries().label("__name__", "http_requests_total").label("code", "200").sample(T0 + 1, 12345.5);
    b.endSeries();

    assertThat(write(w, b.build())).isNull();

    assertThat(gw.calls()).hasSize(1);
    FakeGateway.Call call = gw.calls().get(0);
    assertThat(call.method()).isEqualTo("StreamMetrics");
    assertThat(call.messages()).hasSize(1);
    List<Types.TimeSeries> series = call.messages().get(0).getTimeseriesList();
    assertThat(series).hasSize(2);
    assertThat(labels(series.get(0))).isEqualTo("__name__=up,instance=a:9100,job=node");
    assertThat(series.get(0).getSamplesList()).extracting(Types.Sample::getTimestamp).containsExactly(T0, T0 + 15_000);
    assertThat(series.get(0).getSamples(0).getValue()).isEqualTo(1.0);
    assertThat(Double.doubleToRawLongBits(series.get(0).getSamples(1).getValue())).isEqualTo(0x7ff0000000000002L);
    assertThat(labels(series.get(1))).isEqualTo("__name__=http_requests_total,code=200");
    assertThat(series.get(1).getSamples(0).getValue()).isEqualTo(12345.5);
    assertThat(series.get(1).getSamples(0).getTimestamp()).isEqualTo(T0 + 1);
    assertThat(counter("clymene.gateway.calls", gw, "OK")).isEqualTo(1.0);
  }

  @Test
  void roundRobinSpreadsOverTwoEndpoints() throws Exception {
    FakeGateway a = gateway();
    FakeGateway b = gateway();
    StorageWriter w = writer(new JsonObject(), a, b);
    for (int i = 0; i < 10; i++) {
      assertThat(write(w, batch("m", 2, 2))).isNull();
    }
    assertThat(a.calls()).hasSize(5);
    assertThat(b.calls()).hasSize(5);
  }

  @Test
  void aClosedGatewayIsMarkedDownAndWritesFailOverUntilItComesBack() throws Exception {
    FakeGateway a = gateway();
    FakeGateway b = gateway();
    StorageWriter w = writer(new JsonObject(), a, b);
    assertThat(write(w, batch("m", 1, 1))).isNull();
    assertThat(write(w, batch("m", 1, 1))).isNull();
    a.close();

    long start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      assertThat(write(w, batch("m", 2, 5))).isNull();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(b.samples()).isEqualTo(1 + 10 * 10);
    assertThat(up(a)).isZero();
    assertThat(up(b)).isEqualTo(1.0);
    assertThat(registry.get("clymene.gateway.failovers").tag("writer", "gw").counter().count()).isEqualTo(1.0);
    assertThat(counter("clymene.gateway.calls", a, "CONNECTION_ERROR")).isEqualTo(1.0);

    a.start(); // the same port
    Await.until("the restarted gateway to receive writes again", Duration.ofSeconds(10), () -> {
      assertThat(write(w, batch("m", 1, 1))).isNull();
      return a.samples() > 1;
    });
    assertThat(up(a)).isEqualTo(1.0);
    int before = a.calls().size();
    for (int i = 0; i < 4; i++) {
      assertThat(write(w, batch("m", 1, 1))).isNull();
    }
    assertThat(a.calls().size() - before).isEqualTo(2); // round robin again
  }

  @Test
  void whenEveryGatewayIsDownTheWriteFailsRetryableAndTheFirstToComeBackIsUsedAtOnce() throws Exception {
    FakeGateway a = gateway();
    FakeGateway b = gateway();
    StorageWriter w = writer(new JsonObject(), a, b);
    a.close();
    b.close();
    Throwable err = write(w, batch("m", 1, 1));
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining(a.endpoint())
        .hasMessageContaining(b.endpoint()).hasMessageContaining("connection error");
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(((WriteException) err).retryAfter()).isNull();
    assertThat(up(a)).isZero();
    assertThat(up(b)).isZero();

    b.start(); // well within the 1 s backoff: tried anyway, since every endpoint is down
    assertThat(write(w, batch("m", 1, 1))).isNull();
    assertThat(b.samples()).isEqualTo(1);
    assertThat(up(b)).isEqualTo(1.0);
  }

  @Test
  void aGatewayThatDoesNotAnswerRunsIntoTheDeadlineAndIsFailedOver() throws Exception {
    FakeGateway slow = gateway();
    FakeGateway ok = gateway();
    // the first calls of a fresh JVM (class loading) may take longer than the short deadline below
    StorageWriter warmUp = writer(new JsonObject().put("name", "warm-up"), slow, ok);
    assertThat(write(warmUp, batch("m", 1, 1))).isNull();
    assertThat(write(warmUp, batch("m", 1, 1))).isNull();
    StorageWriter w = writer(new JsonObject().put("timeout", "500ms"), slow, ok);
    assertThat(write(w, batch("m", 1, 1))).isNull();
    assertThat(write(w, batch("m", 1, 1))).isNull();
    slow.hang();
    long start = System.nanoTime();
    assertThat(write(w, batch("m", 1, 3))).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(slow.calls()).hasSize(3);
    assertThat(slow.calls().get(2).headers().get("grpc-timeout")).isNotNull();
    assertThat(ok.samples()).isEqualTo(5);
    assertThat(up(slow)).isZero();
    assertThat(counter("clymene.gateway.calls", slow, "DEADLINE_EXCEEDED")).isEqualTo(1.0);
  }

  @Test
  void resourceExhaustedIsThrottledWithTheGatewaysRetryAfterAndNotFailedOver() throws Exception {
    FakeGateway full = gateway();
    FakeGateway other = gateway();
    full.answer(GrpcStatus.RESOURCE_EXHAUSTED, "output full", "2");
    StorageWriter w = writer(new JsonObject(), full, other);
    Throwable err = write(w, batch("m", 1, 1));
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining(full.endpoint())
        .hasMessageContaining("RESOURCE_EXHAUSTED: output full");
    WriteException we = (WriteException) err;
    assertThat(we.retryable()).isTrue();
    assertThat(we.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(other.calls()).isEmpty();
    assertThat(up(full)).isEqualTo(1.0);

    full.answer(GrpcStatus.RESOURCE_EXHAUSTED, null, null);
    write(w, batch("m", 1, 1)); // round robin: this one goes to the other gateway
    err = write(w, batch("m", 1, 1));
    assertThat(((WriteException) err).retryAfter()).isNull();
  }

  @Test
  void invalidArgumentIsRejectedQuotingTheGateway() throws Exception {
    FakeGateway gw = gateway();
    gw.answer(GrpcStatus.INVALID_ARGUMENT, "series 1: label name \"1x\" is invalid (café)", null);
    StorageWriter w = writer(new JsonObject(), gw);
    Throwable err = write(w, batch("m", 2, 2));
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(err.getMessage()).isEqualTo("gateway " + gw.endpoint() + " rejected 4 samples (INVALID_ARGUMENT: "
        + "series 1: label name \"1x\" is invalid (café)); first series {__name__=\"m_0\", job=\"j\"}");

    gw.answer(GrpcStatus.UNAUTHENTICATED, "bad token", null);
    err = write(w, batch("m", 1, 1));
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(err).hasMessageContaining("UNAUTHENTICATED: bad token");
  }

  @Test
  void bearerTokenAndHeadersArriveAsMetadata() throws Exception {
    FakeGateway gw = gateway();
    StorageWriter w = writer(new JsonObject().put("bearer_token", "s3cret")
        .put("headers", new JsonObject().put("X-Scope-OrgID", "tenant-1")), gw);
    assertThat(write(w, batch("m", 1, 1))).isNull();
    var headers = gw.calls().get(0).headers();
    assertThat(headers.get("authorization")).isEqualTo("Bearer s3cret");
    assertThat(headers.get("x-scope-orgid")).isEqualTo("tenant-1");
    assertThat(headers.get("user-agent")).startsWith("Clymene/test");
  }

  @Test
  void unaryCallsCarryBasicAuth() throws Exception {
    FakeGateway gw = gateway();
    StorageWriter w = writer(new JsonObject().put("rpc", "unary")
        .put("basic_auth", new JsonObject().put("username", "agent").put("password", "pw")), gw);
    assertThat(write(w, batch("m", 3, 2))).isNull();
    assertThat(gw.calls()).hasSize(1);
    assertThat(gw.calls().get(0).method()).isEqualTo("RequestMetrics");
    assertThat(gw.samples()).isEqualTo(6);
    assertThat(gw.calls().get(0).headers().get("authorization")).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("agent:pw".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anOversizeWriteIsSplitIntoSeveralMessagesInOrder() throws Exception {
    FakeGateway gw = gateway();
    StorageWriter stream = writer(new JsonObject().put("max_message_size", 300), gw);
    assertThat(write(stream, batch("m", 20, 3))).isNull();
    assertThat(gw.calls()).hasSize(1);
    List<WriteRequest> messages = gw.calls().get(0).messages();
    assertThat(messages.size()).isGreaterThan(1);
    assertThat(messages).allMatch(m -> m.getSerializedSize() <= 300);
    assertThat(names(messages)).isEqualTo(expectedNames("m", 20));
    assertThat(gw.samples()).isEqualTo(60);

    StorageWriter unary = writer(new JsonObject().put("max_message_size", 300).put("rpc", "unary"), gw);
    assertThat(write(unary, batch("u", 20, 3))).isNull();
    List<FakeGateway.Call> unaryCalls = gw.calls().subList(1, gw.calls().size());
    assertThat(unaryCalls).hasSize(messages.size()).allMatch(c -> c.method().equals("RequestMetrics"));
    List<WriteRequest> all = new ArrayList<>();
    unaryCalls.forEach(c -> all.addAll(c.messages()));
    assertThat(names(all)).isEqualTo(expectedNames("u", 20));
  }

  @Test
  void tlsWithTheServerNameOfASelfSignedCertificate() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    FakeGateway gw = new FakeGateway(vertx, cert.keyCertOptions()).start();
    gateways.add(gw);
    StorageWriter w = writer(new JsonObject().put("tls", new JsonObject().put("ca_file", cert.certificatePath())
        .put("server_name", "localhost")), gw);
    assertThat(write(w, batch("m", 2, 2))).isNull();
    assertThat(gw.samples()).isEqualTo(4);

    // the certificate names localhost, not 127.0.0.1: without server_name the host name check fails
    StorageWriter noName = writer(new JsonObject().put("tls", new JsonObject().put("ca_file", cert.certificatePath())),
        gw);
    Throwable err = write(noName, batch("m", 1, 1));
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(gw.calls()).hasSize(1);

    StorageWriter skip = writer(new JsonObject().put("tls", new JsonObject().put("insecure_skip_verify", true)), gw);
    assertThat(write(skip, batch("m", 1, 1))).isNull();
    assertThat(gw.samples()).isEqualTo(5);
  }

  @Test
  void throughAQueueEverythingArrivesWhileOneOfTwoGatewaysDies() throws Exception {
    FakeGateway a = gateway();
    FakeGateway b = gateway();
    StorageWriter w = writer(new JsonObject(), a, b);
    QueueOptions options = new QueueOptions().setMaxSamplesPerSend(100)
        .setBatchSendDeadline(Duration.ofMillis(20)).setMinBackoff(Duration.ofMillis(10))
        .setMaxBackoff(Duration.ofMillis(200));
    WriterQueue queue = new WriterQueue("gw", w, options, context, registry);
    int batches = 40;
    for (int i = 0; i < batches; i++) {
      if (i == batches / 2) {
        Await.until("the first half to be sent", Duration.ofSeconds(10), () -> queue.length() == 0);
        a.close();
      }
      assertThat(queue.offer(batch("q" + i + "_", 5, 10))).isTrue();
      Thread.sleep(10);
    }
    Await.until("every series to arrive", Duration.ofSeconds(10), () -> {
      Set<String> got = new HashSet<>();
      for (FakeGateway g : List.of(a, b)) {
        g.calls().stream().filter(FakeGateway.Call::accepted).forEach(c -> got.addAll(names(c.messages())));
      }
      return got.size() == batches * 5;
    });
    assertThat(up(a)).isZero();
    queue.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // --- helpers

  private FakeGateway gateway() throws Exception {
    FakeGateway gw = new FakeGateway(vertx, null).start();
    gateways.add(gw);
    return gw;
  }

  private StorageWriter writer(JsonObject extra, FakeGateway... gws) throws Exception {
    JsonArray endpoints = new JsonArray();
    for (FakeGateway g : gws) {
      endpoints.add(g.endpoint());
    }
    JsonObject json = new JsonObject().put("type", "gateway").put("endpoints", endpoints).mergeIn(extra);
    GatewayProvider provider = new GatewayProvider();
    StorageEntry entry = StorageEntry.from(json, "storage[0]", "gw", provider.defaultQueueOptions());
    provider.check(entry);
    StorageWriter w = provider.create(new WriterContext(vertx, registry, "test", null), entry);
    onContext(w::start);
    writers.add(w);
    return w;
  }

  /** Writes on the test's context; returns the failure, or null on success. */
  private Throwable write(StorageWriter w, SeriesBatch batch) {
    return OnContext.write(context, TIMEOUT, w, batch);
  }

  private void onContext(Supplier<Future<Void>> action) throws Exception {
    OnContext.await(context, TIMEOUT, action);
  }

  /** {@code series} series named {@code <name>_<i>}, {@code samples} samples each. */
  static SeriesBatch batch(String name, int series, int samples) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < series; i++) {
      b.beginSeries().label("__name__", name + "_" + i).label("job", "j");
      for (int s = 0; s < samples; s++) {
        b.sample(T0 + s * 1000L, i * 100 + s);
      }
      b.endSeries();
    }
    return b.build();
  }

  private static String labels(Types.TimeSeries ts) {
    List<String> out = new ArrayList<>();
    ts.getLabelsList().forEach(l -> out.add(l.getName() + "=" + l.getValue()));
    return String.join(",", out);
  }

  private static List<String> names(List<WriteRequest> messages) {
    List<String> out = new ArrayList<>();
    for (WriteRequest r : messages) {
      for (Types.TimeSeries ts : r.getTimeseriesList()) {
        out.add(ts.getLabels(0).getValue());
      }
    }
    return out;
  }

  private static List<String> expectedNames(String name, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(name + "_" + i);
    }
    return out;
  }

  private double up(FakeGateway gw) {
    Gauge g = registry.get("clymene.gateway.endpoint.up").tag("writer", "gw").tag("endpoint", gw.endpoint()).gauge();
    return g.value();
  }

  private double counter(String name, FakeGateway gw, String status) {
    Counter c = registry.find(name).tag("writer", "gw").tag("endpoint", gw.endpoint()).tag("status", status).counter();
    return c == null ? 0 : c.count();
  }
}
