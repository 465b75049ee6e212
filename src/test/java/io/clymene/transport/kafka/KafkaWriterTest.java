package io.clymene.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.OnContext;
import io.clymene.testing.Await;
import io.clymene.testing.KafkaBroker;
import io.clymene.testing.Ports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kafka writer against a real in-process KRaft broker ({@link KafkaBroker}): what arrives in each
 * encoding, keys, headers and partition order, compression, oversized records, an unreachable broker,
 * a broker restart behind a {@link WriterQueue}, and the entry checks. Writes run on one Vert.x context,
 * as the writer's queue calls them. Each test writes to its own topic.
 */
@Timeout(120)
class KafkaWriterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long T0 = 1_700_000_000_000L;
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private static KafkaBroker broker;

  private Vertx vertx;
  private Context context;
  private SimpleMeterRegistry registry;
  private final List<StorageWriter> writers = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

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
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"protobuf", "json", "json-lines"})
  void eachEncodingRoundTripsWithKeyAndHeader(String encoding) throws Exception {
    String topic = topic(1);
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("encoding", encoding));
    SeriesBatch batch = targets(3, 2, 4, 0);

    assertThat(write(w, batch)).isNull();

    List<ConsumerRecord<byte[], byte[]>> records = broker.records(topic);
    assertThat(records).hasSize(3); // one record per target
    KafkaEncoding e = KafkaEncoding.fromConfig(encoding);
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(e);
    Map<String, List<String>> got = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Header h = r.headers().lastHeader(KafkaEncoding.HEADER);
      assertThat(h).isNotNull();
      assertThat(new String(h.value(), StandardCharsets.US_ASCII)).isEqualTo(encoding);
      SeriesBatch decoded = decoder.decode(r.value());
      for (int i = 0; i < decoded.size(); i++) {
        assertThat(r.key()).isEqualTo(RecordKeys.key(decoded, i));
      }
      got.putAll(series(decoded));
    }
    assertThat(got).isEqualTo(series(batch));
    assertThat(counter("clymene.kafka.records")).isEqualTo(3.0);
    assertThat(counter("clymene.kafka.bytes")).isGreaterThan(0.0);
  }

  @Test
  void everySeriesStaysInOnePartitionInOrderAcrossWrites() throws Exception {
    String topic = topic(4);
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("encoding", "json-lines"));
    int writes = 25;
    for (int k = 0; k < writes; k++) {
      assertThat(write(w, targets(12, 3, 1, k * 1000L))).isNull();
    }
    Map<String, Integer> partitionOf = new HashMap<>();
    Map<String, Long> last = new HashMap<>();
    Map<String, Integer> count = new HashMap<>();
    java.util.Set<Integer> used = new java.util.HashSet<>();
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.JSON_LINES);
    for (ConsumerRecord<byte[], byte[]> r : broker.records(topic)) {
      SeriesBatch b = decoder.decode(r.value());
      used.add(r.partition());
      for (int i = 0; i < b.size(); i++) {
        String s = b.labels(i).toString();
        Integer before = partitionOf.putIfAbsent(s, r.partition());
        assertThat(before == null ? r.partition() : before).as("partition of %s", s).isEqualTo(r.partition());
        for (int p = b.sampleStart(i); p < b.sampleEnd(i); p++) {
          Long prev = last.put(s, b.timestamp(p));
          assertThat(prev == null || prev < b.timestamp(p)).as("order of %s", s).isTrue();
          count.merge(s, 1, Integer::sum);
        }
      }
    }
    assertThat(count).hasSize(36);
    assertThat(count.values()).allMatch(n -> n == writes);
    assertThat(used).as("12 targets over 4 partitions").hasSizeGreaterThan(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
  void everyCompressionIsAccepted(String compression) throws Exception {
    String topic = topic(1);
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("encoding", "json")
        .put("compression", compression));
    SeriesBatch batch = targets(2, 5, 3, 0);
    assertThat(write(w, batch)).isNull();
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.JSON);
    Map<String, List<String>> got = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : broker.records(topic)) {
      got.putAll(series(decoder.decode(r.value())));
    }
    assertThat(got).isEqualTo(series(batch));
  }

  @Test
  void anUnreachableBrokerFailsRetryableWithinTheTimeout() throws Exception {
    StorageWriter w = writer(new JsonObject().put("brokers", "127.0.0.1:" + Ports.free()).put("timeout", "2s"));
    long start = System.nanoTime();
    Throwable err = write(w, targets(2, 1, 1, 0));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(ms).isLessThan(5_000);
  }

  @Test
  void aMissingTopicFailsRetryable() throws Exception {
    StorageWriter w = writer(new JsonObject().put("topic", "nobody-made-me").put("timeout", "2s"));
    Throwable err = write(w, targets(1, 1, 1, 0));
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(err.getMessage()).contains("nobody-made-me");
  }

  @Test
  void recordsOverMaxRequestSizeAreSplitBeforeSending() throws Exception {
    String topic = topic(1);
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("encoding", "json")
        .put("max_request_size", 4096));
    SeriesBatch batch = targets(1, 200, 2, 0); // one target: one record of ~30 KB unless split
    assertThat(write(w, batch)).isNull();
    Map<String, List<String>> got = new LinkedHashMap<>();
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.JSON);
    List<ConsumerRecord<byte[], byte[]>> records = broker.records(topic);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      assertThat(r.value().length).isLessThan(4096);
      got.putAll(series(decoder.decode(r.value())));
    }
    assertThat(records.size()).isGreaterThan(1);
    assertThat(got).isEqualTo(series(batch));
    assertThat(counter("clymene.kafka.splits")).isGreaterThan(0.0);
  }

  @Test
  void recordsTheBrokerFindsTooLargeAreSplitAndSentAgain() throws Exception {
    String topic = "small" + TOPICS.incrementAndGet();
    broker.createTopic(topic, 1, Map.of("max.message.bytes", "8192"));
    // batch_size under the topic's limit: Kafka's own split of a rejected batch aims at batch.size
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("encoding", "json")
        .put("compression", "none").put("batch_size", 4096));
    SeriesBatch batch = targets(1, 300, 2, 0); // ~45 KB: under max_request_size, over the topic's limit
    assertThat(write(w, batch)).isNull();
    Map<String, List<String>> got = new LinkedHashMap<>();
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.JSON);
    for (ConsumerRecord<byte[], byte[]> r : broker.records(topic)) {
      got.putAll(series(decoder.decode(r.value())));
    }
    assertThat(got).isEqualTo(series(batch));
    assertThat(registry.find("clymene.kafka.send.errors").tag("error", "RecordTooLargeException").counter())
        .isNotNull();
  }

  @Test
  void aSingleSampleTooLargeIsRejected() throws Exception {
    String topic = topic(1);
    // json: a protobuf value is snappy-compressed, and the label below would shrink to nothing
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("encoding", "json")
        .put("max_request_size", 2048));
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "big").label("job", "j").label("blob", "x".repeat(4000)).sample(T0, 1);
    b.endSeries();
    Throwable err = write(w, b.build());
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(err.getMessage()).contains("too large").contains("max_request_size");
  }

  @Test
  void throughAQueueEverythingArrivesAcrossABrokerRestart() throws Exception {
    String topic = topic(2);
    StorageWriter w = writer(new JsonObject().put("topic", topic).put("timeout", "3s"));
    QueueOptions options = new QueueOptions().setMaxSamplesPerSend(100)
        .setBatchSendDeadline(Duration.ofMillis(20)).setMinBackoff(Duration.ofMillis(50))
        .setMaxBackoff(Duration.ofMillis(500));
    WriterQueue queue = new WriterQueue("kafka", w, options, context, registry);
    int batches = 30;
    for (int i = 0; i < batches; i++) {
      if (i == batches / 3) {
        Await.until("the first third to be sent", Duration.ofSeconds(20), () -> queue.length() == 0);
        broker.stopBroker();
      }
      if (i == 2 * batches / 3) {
        broker.startBroker();
      }
      assertThat(queue.offer(targets(2, 2, 1, i * 1000L))).isTrue();
      Thread.sleep(20);
    }
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.PROTOBUF);
    Await.until("every sample to arrive", Duration.ofSeconds(60), () -> {
      java.util.Set<String> got = new java.util.HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : broker.records(topic)) {
        try {
          series(decoder.decode(r.value())).forEach((s, v) -> v.forEach(x -> got.add(s + x)));
        } catch (RecordDecodeException e) {
          throw new AssertionError(e);
        }
      }
      return got.size() == batches * 4; // at least once: duplicates collapse here
    });
    queue.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  // --- configuration

  @Test
  void producerPropertiesFollowTheEntry(@TempDir Path dir) throws Exception {
    Path pw = Files.writeString(dir.resolve("pw"), "s\"e\\cret\n");
    Properties p = config(new JsonObject().put("brokers", "a:9092,b:9093").put("encoding", "json")
        .put("acks", "1").put("linger", "20ms").put("batch_size", 65536).put("timeout", "10s")
        .put("sasl", new JsonObject().put("mechanism", "SCRAM-SHA-512").put("username", "u")
            .put("password_file", pw.toString()))
        .put("producer", new JsonObject().put("buffer.memory", 1048576).put("client.id", "mine")))
        .properties();
    assertThat(p).containsEntry("bootstrap.servers", "a:9092,b:9093").containsEntry("acks", "1")
        .containsEntry("enable.idempotence", "false").containsEntry("compression.type", "snappy")
        .containsEntry("linger.ms", "20").containsEntry("batch.size", "65536")
        .containsEntry("delivery.timeout.ms", "10000").containsEntry("max.block.ms", "5000")
        .containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("buffer.memory", "1048576").containsEntry("client.id", "mine");
    assertThat(p.getProperty("sasl.jaas.config")).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule"
        + " required username=\"u\" password=\"s\\\"e\\\\cret\";");
    KafkaProducerConfig defaults = config(new JsonObject().put("brokers", "k:9092"));
    assertThat(defaults.properties()).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
        .containsEntry("compression.type", "none").containsEntry("security.protocol", "PLAINTEXT");
    assertThat(defaults.topic()).isEqualTo("clymene");
    assertThat(config(new JsonObject().put("brokers", "k:9092").put("sasl", new JsonObject()
        .put("username", "u").put("password", "hunter2"))).toString()).doesNotContain("hunter2");
  }

  @Test
  void badEntriesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> config(new JsonObject())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage[0].brokers");
    assertThatThrownBy(() -> config(new JsonObject().put("brokers", "no-port"))).hasMessageContaining("brokers");
    assertThatThrownBy(() -> config(new JsonObject().put("brokers", "k:1").put("topic", "a b")))
        .hasMessageContaining("storage[0].topic");
    assertThatThrownBy(() -> config(new JsonObject().put("brokers", "k:1").put("acks", "2")))
        .hasMessageContaining("storage[0].acks");
    assertThatThrownBy(() -> config(new JsonObject().put("brokers", "k:1").put("acks", "1")
        .put("idempotence", true))).hasMessageContaining("storage[0].idempotence");
    assertThatThrownBy(() -> config(new JsonObject().put("brokers", "k:1")
        .put("sasl", new JsonObject().put("username", "u")))).hasMessageContaining("storage[0].sasl");
    assertThatThrownBy(() -> check(new JsonObject().put("brokers", "k:1")
        .put("basic_auth", new JsonObject().put("username", "u")))).hasMessageContaining("storage[0].basic_auth");
    assertThatThrownBy(() -> config(new JsonObject().put("brokers", "k:1")
        .put("tls", new JsonObject().put("cert_file", "c.pem")))).hasMessageContaining("storage[0].tls");
  }

  // --- helpers

  private static String topic(int partitions) throws Exception {
    String t = "t" + TOPICS.incrementAndGet();
    broker.createTopic(t, partitions);
    return t;
  }

  private static StorageEntry entry(JsonObject json) {
    JsonObject e = new JsonObject().put("type", "kafka").mergeIn(json);
    return StorageEntry.from(e, "storage[0]", "kafka", new KafkaProvider().defaultQueueOptions());
  }

  private static KafkaProducerConfig config(JsonObject json) {
    return new KafkaProducerConfig(entry(json));
  }

  private static void check(JsonObject json) {
    new KafkaProvider().check(entry(json));
  }

  private StorageWriter writer(JsonObject extra) throws Exception {
    JsonObject json = new JsonObject().put("brokers", broker.bootstrapServers()).put("timeout", "10s")
        .mergeIn(extra);
    KafkaProvider provider = new KafkaProvider();
    StorageEntry entry = entry(json);
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

  /**
   * {@code targets} targets (job/instance), each with {@code series} series of {@code samples} samples,
   * timestamps from {@code T0 + offset}.
   */
  static SeriesBatch targets(int targets, int series, int samples, long offset) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int t = 0; t < targets; t++) {
      for (int i = 0; i < series; i++) {
        b.beginSeries().label("__name__", "metric_" + i).label("job", "j").label("instance", "host-" + t + ":9100");
        for (int s = 0; s < samples; s++) {
          b.sample(T0 + offset + s, t * 1000 + i + s / 8.0 + (s == 3 ? Double.POSITIVE_INFINITY : 0));
        }
        b.endSeries();
      }
    }
    return b.build();
  }

  /** Series as labels to "timestamp=value bits" strings. */
  private static Map<String, List<String>> series(SeriesBatch b) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < b.size(); i++) {
      List<String> samples = new ArrayList<>();
      for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
        samples.add(b.timestamp(s) + "=" + Long.toHexString(Double.doubleToRawLongBits(b.value(s))));
      }
      out.computeIfAbsent(TestBatches.labels(b, i).toString(), k -> new ArrayList<>()).addAll(samples);
    }
    return out;
  }

  private double counter(String name) {
    Counter c = registry.find(name).tag("writer", "kafka").counter();
    return c == null ? 0 : c.count();
  }
}
