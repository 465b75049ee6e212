package io.clymene.transport.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.gateway.EventBusReceiver;
import io.clymene.gateway.GatewayMetrics;
import io.clymene.gateway.GatewayOutput;
import io.clymene.gateway.OutputFullException;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.OnContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The eventbus writer, driven by a real {@link WriterQueue} on one clustered Vert.x, against the gateway's real
 * {@link EventBusReceiver} on another (two Hazelcast members in this JVM, TCP-IP on 127.0.0.1), in front of an
 * output that collects what it takes: every series, label and sample arrives; a full output (429) is retried
 * until it takes the data; undecodable data (400) is rejected and counted; with no consumer the writer retries
 * until one registers. Each test uses its own address.
 */
@Timeout(120)
class EventBusWriterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final long T0 = 1_700_000_000_000L;
  private static TestCluster cluster;

  private Vertx agent;
  private Vertx gateway;
  private Context context;
  private String address;
  private SimpleMeterRegistry registry;
  private SimpleMeterRegistry gatewayRegistry;
  private Collecting output;
  private final List<String> deployments = new ArrayList<>();
  private final List<WriterQueue> queues = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(2, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void setUp() {
    agent = cluster.member(0);
    gateway = cluster.member(1);
    context = agent.getOrCreateContext();
    address = "clymene.test." + UUID.randomUUID();
    registry = new SimpleMeterRegistry();
    gatewayRegistry = new SimpleMeterRegistry();
    output = new Collecting();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (WriterQueue q : queues) {
      await(q.flushAndStop(Duration.ofSeconds(2)));
    }
    for (String id : deployments) {
      await(gateway.undeploy(id));
    }
  }

  @Test
  void everySeriesLabelAndSampleArrivesThroughTheQueue() throws Exception {
    receiver();
    WriterQueue queue = queue(writer());
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      SeriesBatch.Builder b = new SeriesBatch.Builder();
      b.beginSeries().label("__name__", "up").label("instance", "host-" + i + ":9100").label("job", "node")
          .sample(T0 + i * 15_000L, 1).endSeries();
      b.beginSeries().label("__name__", "http_requests_total").label("code", "200").label("path", "/ä \"q\"\n")
          .sample(T0 + i, 12345.5 + i).sample(T0 + i + 1, Double.longBitsToDouble(0x7ff0000000000002L)) // stale marker
          .sample(T0 + i + 2, Double.NEGATIVE_INFINITY).endSeries();
      SeriesBatch batch = b.build();
      sent.addAll(flatten(batch));
      assertThat(queue.offer(batch)).isTrue();
    }
    Await.until("all 120 samples at the gateway", TIMEOUT, () -> output.samples().size() == sent.size());
    assertThat(output.samples()).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(requests("ok")).isPositive();
    assertThat(gatewayCounter("clymene.gateway.received.samples")).isEqualTo(120.0);
    assertThat(registry.get("clymene.eventbus.consumer.up").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void aFullOutputAnswers429AndTheQueueRetriesUntilItIsTaken() throws Exception {
    receiver();
    output.fullFor.set(3);
    StorageWriter w = writer();
    Throwable err = OnContext.write(context, TIMEOUT, w, batch("full", 2, 3));
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("is full (")
        .hasMessageContaining("writer disk filled up");
    assertThat(((WriteException) err).retryable()).isTrue();

    WriterQueue queue = queue(w);
    assertThat(queue.offer(batch("later", 5, 4))).isTrue();
    Await.until("the batch to be taken after the output had room again", TIMEOUT,
        () -> output.samples().size() == 20);
    assertThat(output.fullFor.get()).isNegative(); // answered full 3 times, then took it
    assertThat(requests("throttled")).isEqualTo(3.0);
    assertThat(gatewayRegistry.get("clymene.gateway.throttled.requests").tag("protocol", "eventbus").counter()
        .count()).isEqualTo(3.0);
    assertThat(dropped()).isZero();
  }

  @Test
  void dataTheGatewayCannotDecodeIsRejectedWith400NamingTheProblem() throws Exception {
    receiver();
    StorageWriter w = writer();
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("job", "x").sample(T0, 1).endSeries();
    SeriesBatch noName = b.build();
    Throwable err = OnContext.write(context, TIMEOUT, w, noName);
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("rejected 1 samples")
        .hasMessageContaining("__name__").hasMessageContaining("first series {job=\"x\"}");
    assertThat(((WriteException) err).retryable()).isFalse();

    WriterQueue queue = queue(w);
    assertThat(queue.offer(noName)).isTrue();
    Await.until("the rejected sample to be counted as dropped", TIMEOUT, () -> dropped() == 1.0);
    assertThat(output.samples()).isEmpty();

    // not protobuf at all, straight onto the bus
    Throwable raw = await(agent.eventBus().request(address, Buffer.buffer(new byte[] {(byte) 0xff, 1, 2})).mapEmpty())
        instanceof Throwable t ? t : null;
    assertThat(raw).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) raw).failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(((ReplyException) raw).failureCode()).isEqualTo(EventBusReceiver.BAD_REQUEST);
    assertThat(gatewayRegistry.get("clymene.gateway.requests").tag("protocol", "eventbus").tag("code", "400")
        .counter().count()).isEqualTo(3.0);
  }

  @Test
  void withNoConsumerTheWriterRetriesUntilAGatewayRegistersThenEverythingArrives() throws Exception {
    StorageWriter w = writer();
    Throwable err = OnContext.write(context, TIMEOUT, w, batch("none", 1, 1));
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("no gateway consumer on " + address);
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(registry.get("clymene.eventbus.consumer.up").gauge().value()).isZero();

    WriterQueue queue = queue(w);
    for (int i = 0; i < 10; i++) {
      assertThat(queue.offer(batch("wait" + i, 3, 2))).isTrue();
    }
    Await.until("a few retries with no consumer", TIMEOUT, () -> requests("no_handlers") >= 3);
    receiver();
    Await.until("all 60 samples once a consumer registered", TIMEOUT, () -> output.samples().size() == 60);
    assertThat(registry.get("clymene.eventbus.consumer.up").gauge().value()).isEqualTo(1.0);
    assertThat(dropped()).isZero();
  }

  @Test
  void theCompositeWritersLocalAddressIsNotReachableFromAnotherMember() throws Exception {
    String id = await(gateway.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.eventBus().localConsumer(Addresses.STORAGE_WRITE, m -> m.reply("local")).completion();
      }
    }));
    deployments.add(id);
    Object err = await(agent.eventBus().request(Addresses.STORAGE_WRITE, "x").map(m -> (Object) m.body()));
    assertThat(err).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) err).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
    Object local = await(gateway.eventBus().request(Addresses.STORAGE_WRITE, "x").map(m -> (Object) m.body()));
    assertThat(local).isEqualTo("local");
  }

  // --- helpers

  private void receiver() throws Exception {
    GatewayMetrics metrics = new GatewayMetrics(gatewayRegistry);
    deployments.add(await(gateway.deployVerticle(() -> new EventBusReceiver(address, 16 << 20, output, metrics),
        new DeploymentOptions().setInstances(2))));
  }

  private StorageWriter writer() throws Exception {
    EventBusProvider provider = new EventBusProvider();
    JsonObject json = new JsonObject().put("type", "eventbus").put("address", address).put("timeout", "5s");
    StorageEntry entry = StorageEntry.from(json, "agent.eventbus", "eventbus", provider.defaultQueueOptions());
    provider.check(entry);
    StorageWriter w = provider.create(new WriterContext(agent, registry, "test", null), entry);
    OnContext.await(context, TIMEOUT, w::start);
    return w;
  }

  private WriterQueue queue(StorageWriter w) {
    QueueOptions options = new QueueOptions().setMaxSamplesPerSend(50).setBatchSendDeadline(Duration.ofMillis(20))
        .setMinBackoff(Duration.ofMillis(50)).setMaxBackoff(Duration.ofMillis(200));
    WriterQueue q = new WriterQueue("eventbus", w, options, context, registry);
    queues.add(q);
    return q;
  }

  private double requests(String outcome) {
    Counter c = registry.find("clymene.eventbus.requests").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private double dropped() {
    return registry.find("clymene.dropped.samples").counters().stream().mapToDouble(Counter::count).sum();
  }

  private double gatewayCounter(String name) {
    return gatewayRegistry.get(name).tag("protocol", "eventbus").counter().count();
  }

  /** Waits for {@code f}; returns its result, or its failure as the value. */
  @SuppressWarnings("unchecked")
  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return (T) e.getCause();
    }
  }

  /** {@code series} series named {@code <name>_<i>}, {@code samples} samples each. */
  private static SeriesBatch batch(String name, int series, int samples) {
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

  /** Every sample as "labels timestamp raw-value-bits". */
  private static List<String> flatten(SeriesBatch batch) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        out.add(batch.labels(i) + " " + batch.timestamp(s) + " " + Long.toHexString(Double.doubleToRawLongBits(
            batch.value(s))));
      }
    }
    return out;
  }

  /** The gateway's output: collects what it takes; answers "full" while {@link #fullFor} is positive. */
  private static final class Collecting implements GatewayOutput {
    final AtomicInteger fullFor = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();

    @Override
    public Future<Void> write(SeriesBatch batch) {
      if (fullFor.getAndDecrement() > 0) {
        return Future.failedFuture(new OutputFullException("writer disk filled up"));
      }
      samples.addAll(flatten(batch));
      return Future.succeededFuture();
    }

    List<String> samples() {
      return new ArrayList<>(samples);
    }
  }
}
