package io.clymene.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka (one combined broker and controller) in this JVM, on 127.0.0.1 ports
 * chosen by the test kit, in a temporary directory deleted on {@link #close()}; up in about 2 s.
 *
 * <p>{@link #stopBroker()} and {@link #startBroker()} shut the broker half down and start it again while
 * the controller keeps running: the test kit pre-binds its listener ports and binds the same port again on
 * restart, so clients reconnect to the same bootstrap address, and the topic data survives.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private KafkaBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Starts a broker; {@code config} are extra broker properties (e.g. {@code message.max.bytes}). */
  public static KafkaBroker start(Map<String, String> config) throws Exception {
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build());
    builder.setConfigProp("auto.create.topics.enable", "false");
    builder.setConfigProp("offsets.topic.replication.factor", "1");
    builder.setConfigProp("transaction.state.log.replication.factor", "1");
    builder.setConfigProp("group.initial.rebalance.delay.ms", "0");
    config.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new KafkaBroker(cluster);
  }

  /** Starts a broker with default settings (no automatic topic creation). */
  public static KafkaBroker start() throws Exception {
    return start(Map.of());
  }

  /** The bootstrap address, {@code localhost:port}. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates a topic with replication factor 1 and waits until it exists. */
  public void createTopic(String topic, int partitions) throws Exception {
    createTopic(topic, partitions, Map.of());
  }

  /** Creates a topic with topic-level settings (e.g. {@code max.message.bytes}). */
  public void createTopic(String topic, int partitions, Map<String, String> config) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(config)))
          .all().get(30, TimeUnit.SECONDS);
    }
    Await.until("topic " + topic + " to have " + partitions + " partitions", Duration.ofSeconds(30), () -> {
      try (KafkaConsumer<byte[], byte[]> c = consumer()) {
        List<PartitionInfo> p = c.partitionsFor(topic, Duration.ofSeconds(5));
        return p != null && p.size() == partitions && p.stream().allMatch(i -> i.leader() != null);
      }
    });
  }

  /** Every record of a topic, partition by partition, each in offset order (read until the end offsets). */
  public List<ConsumerRecord<byte[], byte[]>> records(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(10))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(10));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!reached(c, end, partitions)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " up to " + end + " within 30 s");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
          : Long.compare(a.offset(), b.offset()));
      return out;
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end,
                                 Collection<TopicPartition> partitions) {
    for (TopicPartition p : partitions) {
      if (c.position(p, Duration.ofSeconds(10)) < end.get(p)) {
        return false;
      }
    }
    return true;
  }

  /** Shuts the broker down (the controller keeps running); clients then fail to connect. */
  public void stopBroker() {
    for (BrokerServer b : cluster.brokers().values()) {
      b.shutdown();
      b.awaitShutdown();
    }
  }

  /** Starts the broker again on the same port, with its data, and waits until it is ready. */
  public void startBroker() throws Exception {
    for (BrokerServer b : cluster.brokers().values()) {
      b.startup();
    }
    cluster.waitForReadyBrokers();
  }

  /** An admin client for this broker; close it. */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(p);
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    return new KafkaConsumer<>(p);
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
