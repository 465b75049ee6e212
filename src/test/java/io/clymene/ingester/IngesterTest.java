package io.clymene.ingester;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.model.SeriesBatch;
import io.clymene.testing.Await;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.KafkaBroker;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.clymene.transport.kafka.KafkaEncoding;
import io.clymene.transport.kafka.KafkaRecordEncoder;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ingester role against a real in-process Kafka broker and a real VictoriaMetrics: records of both
 * encodings (with and without the encoding header, as the Go Clymene writes them) arrive; an undecodable
 * record goes to the dead-letter topic with the error and its partition keeps flowing; while the receiver
 * is down the partition is paused, the lag grows and no offset past what was written is committed, and
 * afterwards everything arrives; a broker restart in the middle of agent → Kafka → ingester loses nothing.
 */
@Timeout(240)
class IngesterTest {
  static KafkaBroker broker;
  static ExternalServer vm;
  static VictoriaMetricsApi api;
  static Vertx vertx;
  static Path dir;
  static KafkaProducer<byte[], byte[]> producer;
  static final AtomicInteger INSTANCES = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    vm = ExternalServer.victoriaMetrics();
    api = new VictoriaMetricsApi(vm.url());
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("ingester-");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
  }

  @AfterAll
  static void stop() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    if (vm != null) {
      vm.close();
    }
    if (broker != null) {
      broker.close();
    }
    TempDirs.delete(dir);
  }

  private static Launcher ingester(String name, String topic, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--role", "ingester", "--admin.host=127.0.0.1", "--admin.port=0",
        "--data_dir=" + dir.resolve(name + "-" + INSTANCES.incrementAndGet()), "--kafka.brokers=" + broker.bootstrapServers(), "--kafka.topic=" + topic,
        "--kafka.consumer.group_id=" + name, "--kafka.consumer.commit_interval=200ms",
        "--storage[0].type=prometheus", "--storage[0].url=" + vm.url() + "/api/v1/write",
        "--storage[0].queue.batch_send_deadline=100ms"));
    args.addAll(List.of(more));
    Launcher l = Launcher.create(CommandLine.parse(args.toArray(String[]::new)));
    l.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    return l;
  }

  private static void stop(Launcher l) throws Exception {
    l.stop(Duration.ofSeconds(15)).toCompletionStage().toCompletableFuture().get();
  }

  /** A record of {@code series} series of {@code metric}, each with the one sample (ts, value). */
  private static SeriesBatch batch(String metric, int partition, int series, long ts, double value) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < series; s++) {
      b.beginSeries().label("__name__", metric).label("p", Integer.toString(partition)).label("s", Integer.toString(s))
          .sample(ts, value).endSeries();
    }
    return b.build();
  }

  private static long send(String topic, int partition, byte[] value, String encodingHeader) throws Exception {
    RecordHeaders h = new RecordHeaders();
    if (encodingHeader != null) {
      h.add(KafkaEncoding.HEADER, encodingHeader.getBytes(StandardCharsets.UTF_8));
    }
    return producer.send(new ProducerRecord<>(topic, partition, null, null, value, h)).get().offset();
  }

  /** The group's committed offsets by partition. */
  private static Map<Integer, Long> committed(String group) {
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get();
      Map<Integer, Long> out = new TreeMap<>();
      m.forEach((tp, o) -> out.put(tp.partition(), o.offset()));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Exposition metrics(Launcher l) {
    return Exposition.fetch("http://127.0.0.1:" + l.adminPort() + "/metrics");
  }

  /** How many partitions of {@code topic} an ingester owns (it has a lag gauge for each). */
  private static int owned(Launcher l, String topic) {
    Exposition m = metrics(l);
    int n = 0;
    for (int p = 0; p < 16; p++) {
      if (m.value("clymene_ingester_lag_records", "topic", topic, "partition", Integer.toString(p)) != null) {
        n++;
      }
    }
    return n;
  }

  /** Per series of {@code metric}: the values VictoriaMetrics holds, in time order. */
  private static Map<String, List<Double>> stored(String metric) {
    var got = api.export("{__name__=\"" + metric + "\"}");
    Map<String, List<Double>> out = new TreeMap<>();
    if (got != null) {
      got.forEach((labels, samples) -> out.put(labels.get("p") + "/" + labels.get("s"),
          samples.stream().map(RawSample::value).toList()));
    }
    return out;
  }

  @Test
  void recordsArriveAndAPoisonRecordGoesToTheDeadLetterTopicWhileItsPartitionFlows() throws Exception {
    broker.createTopic("ing-a", 2);
    long t0 = System.currentTimeMillis() - 60_000;
    KafkaRecordEncoder json = new KafkaRecordEncoder(KafkaEncoding.JSON);
    KafkaRecordEncoder proto = new KafkaRecordEncoder(KafkaEncoding.PROTOBUF);
    Map<Integer, Long> poison = new TreeMap<>();
    for (int k = 1; k <= 20; k++) {
      // partition 0: protobuf without a header (as the Go Clymene writes); partition 1: json with its header
      send("ing-a", 0, proto.encode(batch("ing_a", 0, 10, t0 + k * 1000L, k)), null);
      send("ing-a", 1, json.encode(batch("ing_a", 1, 10, t0 + k * 1000L, k)), "json");
      if (k == 5) {
        poison.put(0, send("ing-a", 0, "not a snappy block".getBytes(StandardCharsets.UTF_8), null));
        poison.put(1, send("ing-a", 1, "{}".getBytes(StandardCharsets.UTF_8), "avro"));
      }
    }
    Launcher l = ingester("g-a", "ing-a");
    try {
      Map<String, List<Double>> want = new TreeMap<>();
      List<Double> values = new ArrayList<>();
      for (int k = 1; k <= 20; k++) {
        values.add((double) k);
      }
      for (int p = 0; p < 2; p++) {
        for (int s = 0; s < 10; s++) {
          want.put(p + "/" + s, values);
        }
      }
      Await.until("every value of every series in VictoriaMetrics", Duration.ofSeconds(60),
          () -> stored("ing_a").equals(want) ? true : null);
      Await.until("offsets committed to the end of both partitions", Duration.ofSeconds(30),
          () -> committed("g-a").equals(Map.of(0, 21L, 1, 21L)) ? true : null);

      List<ConsumerRecord<byte[], byte[]>> dead = broker.records("ing-a.dlq");
      assertThat(dead).hasSize(2);
      Map<Integer, String> errors = new TreeMap<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        int partition = Integer.parseInt(header(r, "clymene-source-partition"));
        assertThat(header(r, "clymene-source-topic")).isEqualTo("ing-a");
        assertThat(Long.parseLong(header(r, "clymene-source-offset"))).isEqualTo(poison.get(partition));
        errors.put(partition, header(r, "clymene-error"));
      }
      assertThat(errors.get(0)).contains("protobuf");
      assertThat(errors.get(1)).contains("unknown clymene-encoding header 'avro'");
      assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isIn("not a snappy block", "{}");

      Exposition m = metrics(l);
      assertThat(m.require("clymene_ingester_records_total", "status", "dead_letter")).isEqualTo(2);
      assertThat(m.require("clymene_ingester_records_total", "status", "ok")).isEqualTo(40);
      assertThat(m.require("clymene_ingester_samples_total")).isEqualTo(400);
    } finally {
      stop(l);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    assertThat(h).as("header " + name).isNotNull();
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aReceiverOutagePausesThePartitionAndNothingUnwrittenIsCommitted() throws Exception {
    broker.createTopic("ing-b", 1);
    long t0 = System.currentTimeMillis() - 120_000;
    KafkaRecordEncoder proto = new KafkaRecordEncoder(KafkaEncoding.PROTOBUF);
    Launcher l = ingester("g-b", "ing-b", "--storage[0].queue.capacity=200", "--storage[0].queue.max_shards=1",
        "--storage[0].queue.min_shards=1", "--storage[0].queue.spill_max_bytes=0",
        "--storage[0].queue.max_backoff=500ms", "--kafka.consumer.max_pending_records=5");
    try {
      for (int k = 1; k <= 10; k++) {
        send("ing-b", 0, proto.encode(batch("ing_b", 0, 100, t0 + k * 1000L, k)), "protobuf");
      }
      Await.until("the first 10 records written and committed", Duration.ofSeconds(30),
          () -> committed("g-b").equals(Map.of(0, 10L)) ? true : null);
      Await.until("the first 10 values in VictoriaMetrics", Duration.ofSeconds(10),
          () -> stored("ing_b").getOrDefault("0/99", List.of()).size() == 10 ? true : null);

      vm.stop();
      for (int k = 11; k <= 70; k++) {
        send("ing-b", 0, proto.encode(batch("ing_b", 0, 100, t0 + k * 1000L, k)), "protobuf");
      }
      Await.until("the partition paused, its lag grown to the 60 unwritten records", Duration.ofSeconds(30), () -> {
        Exposition m = metrics(l);
        return m.require("clymene_ingester_paused_partitions") == 1
            && m.require("clymene_ingester_lag_records", "topic", "ing-b", "partition", "0") == 60 ? true : null;
      });
      Thread.sleep(2000); // several commit intervals with the receiver down
      assertThat(committed("g-b")).isEqualTo(Map.of(0, 10L));
      assertThat(metrics(l).sum("clymene_dropped_samples_total")).as("samples dropped by the writer").isZero();

      vm.start();
      Await.until("all 70 values of every series in VictoriaMetrics", Duration.ofSeconds(60),
          () -> stored("ing_b").values().stream().allMatch(v -> v.size() == 70) && stored("ing_b").size() == 100
              ? true : null);
      Await.until("offsets committed to the end, lag 0, the partition resumed", Duration.ofSeconds(30), () -> {
        Exposition m = metrics(l);
        return committed("g-b").equals(Map.of(0, 70L)) && m.require("clymene_ingester_paused_partitions") == 0
            && m.require("clymene_ingester_lag_records", "topic", "ing-b", "partition", "0") == 0 ? true : null;
      });
    } finally {
      if (!vm.isRunning()) {
        vm.start();
      }
      stop(l);
    }
  }

  @Test
  void aCleanRebalanceHandsPartitionsOverWithoutLossOrDuplicates() throws Exception {
    broker.createTopic("ing-d", 4);
    long t0 = System.currentTimeMillis() - 300_000;
    KafkaRecordEncoder proto = new KafkaRecordEncoder(KafkaEncoding.PROTOBUF);
    int[] sent = new int[1];
    AtomicBoolean feeding = new AtomicBoolean(true);
    Thread feeder = new Thread(() -> {
      try {
        for (int k = 1; feeding.get(); k++) {
          for (int p = 0; p < 4; p++) {
            send("ing-d", p, proto.encode(batch("ing_d", p, 20, t0 + k * 10L, k)), "protobuf");
          }
          sent[0] = k;
          Thread.sleep(20);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Launcher a = ingester("g-d", "ing-d");
    Launcher b = null;
    try {
      feeder.start();
      Thread.sleep(3000);
      b = ingester("g-d", "ing-d"); // joins: a gives up its partitions, committing first
      Launcher joined = b;
      Await.until("the partitions shared by both ingesters", Duration.ofSeconds(30),
          () -> owned(a, "ing-d") > 0 && owned(joined, "ing-d") > 0 ? true : null);
      Thread.sleep(2000);
      stop(a); // leaves: b takes everything over from a's last commit
      Thread.sleep(2000);
      feeding.set(false);
      feeder.join();
      int last = sent[0];
      Await.until("all " + last + " values of every series in VictoriaMetrics", Duration.ofSeconds(60), () -> {
        Map<String, List<Double>> got = stored("ing_d");
        return got.size() == 80 && got.values().stream().allMatch(v -> v.size() >= last) ? true : null;
      });
      Map<String, List<Double>> got = stored("ing_d");
      List<Double> want = new ArrayList<>();
      for (int k = 1; k <= last; k++) {
        want.add((double) k);
      }
      got.forEach((series, values) -> {
        List<Double> missing = new ArrayList<>(want);
        missing.removeAll(values);
        assertThat(values).as("series " + series + ": every value once, in order (missing " + missing + ", "
            + values.size() + " values for " + last + ")").isEqualTo(want);
      });
    } finally {
      feeding.set(false);
      if (b != null) {
        stop(b);
      }
    }
  }

  @Test
  void aBrokerRestartInTheMiddleOfAgentToKafkaToIngesterLosesNothing() throws Exception {
    broker.createTopic("ing-c", 4);
    CounterTarget target = CounterTarget.start(vertx, "through_kafka_total", 50);
    Path prom = dir.resolve("prometheus-c.yml");
    Files.writeString(prom, "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: c\n"
        + "    static_configs: [{targets: ['" + target.address() + "']}]\n");
    Launcher agent = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", prom.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("agent-c"), "--agent.output=kafka",
        "--kafka.brokers=" + broker.bootstrapServers(), "--kafka.topic=ing-c"));
    Launcher l = ingester("g-c", "ing-c");
    try {
      agent.start(Map.of()).toCompletionStage().toCompletableFuture().get();
      Await.until("values flowing to VictoriaMetrics", Duration.ofSeconds(30),
          () -> api.export("{__name__=\"through_kafka_total\"}") != null
              && !api.export("{__name__=\"through_kafka_total\"}").isEmpty() ? true : null);
      Thread.sleep(3000);
      broker.stopBroker();
      Thread.sleep(6000);
      broker.startBroker();
      long after = target.served();
      Await.until("scrapes after the restart", Duration.ofSeconds(30), () -> target.served() > after + 5 ? true : null);
      Map<String, Long> n = target.stop();
      TreeSet<Long> failed = new TreeSet<>();
      Map<String, List<RawSample>> got;
      try {
        got = Await.until("every value of every series in VictoriaMetrics", Duration.ofSeconds(60),
            () -> target.completeIn(api, "c", n, failed));
      } catch (AssertionError e) {
        List<String> problems = CounterTarget.check(target.bySeries(api.export("{job=\"c\"}")), n, failed::contains);
        throw new AssertionError(e.getMessage() + "; failed scrapes " + failed + "; " + problems.size() + " problems: "
            + problems.subList(0, Math.min(5, problems.size())) + "; ingester " + Exposition.fetch("http://127.0.0.1:"
            + l.adminPort() + "/metrics").sum("clymene_ingester_samples_total") + " samples", e);
      }
      assertThat(got).hasSize(50); // completeIn: every value of every series, except scrapes that failed (up 0)
    } finally {
      agent.stop(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().get();
      stop(l);
    }
  }
}
