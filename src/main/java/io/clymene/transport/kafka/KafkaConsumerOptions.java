package io.clymene.transport.kafka;

import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the ingester's Kafka clients need, from the top-level {@code kafka} section of {@code clymene.yaml}:
 *
 * <pre>
 * kafka:
 *   brokers: "k1:9092,k2:9092"
 *   topic: clymene
 *   encoding: protobuf          # for records without a clymene-encoding header (the Go Clymene sends none)
 *   sasl: {...}                 # and tls: {...}, as for the kafka writer
 *   consumer:
 *     group_id: clymene
 *     threads: 2                # decoding and delivering workers; partitions are spread over them (default: cores)
 *     max_poll_records: 500
 *     max_pending_records: 2000 # per partition, taken and not yet given to the writers; more pauses the partition
 *     max_pending_bytes: 16MiB  # the same in record bytes (keys and values)
 *     commit_interval: 1s
 *     revoke_wait: 10s          # on rebalance and shutdown, how long to wait for writers before committing
 *     dead_letter_topic: clymene.dlq   # default: topic + ".dlq"
 *     auto_offset_reset: earliest      # where a new group starts
 *     properties: {...}         # raw Kafka consumer properties, applied last
 * </pre>
 *
 * Immutable; {@link #toString()} shows no secret.
 */
public final class KafkaConsumerOptions {
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  /** The group when none is configured (ARCHITECTURE.md). */
  public static final String DEFAULT_GROUP = "clymene";

  private final String brokers;
  private final String topic;
  private final KafkaEncoding encoding;
  private final String groupId;
  private final int threads;
  private final int maxPollRecords;
  private final int maxPendingRecords;
  private final long maxPendingBytes;
  private final Duration commitInterval;
  private final Duration revokeWait;
  private final String deadLetterTopic;
  private final String autoOffsetReset;
  private final KafkaSecurity security;
  private final Map<String, String> raw;

  /**
   * Reads and checks the section (already checked against the schema for types).
   *
   * @param kafka the {@code kafka} section, or an empty object
   * @param defaultBrokers the brokers when the section names none
   * @throws ConfigException naming the key
   */
  public KafkaConsumerOptions(JsonObject kafka, String defaultBrokers) {
    this.brokers = kafka.getString("brokers", defaultBrokers);
    this.topic = kafka.getString("topic", KafkaProvider.DEFAULT_TOPIC);
    checkTopic("kafka.topic", topic);
    this.encoding = KafkaEncoding.fromConfig(kafka.getString("encoding", KafkaEncoding.PROTOBUF.configName()));
    this.security = KafkaSecurity.from(kafka.getJsonObject("sasl"), kafka.getJsonObject("tls"),
        (key, problem) -> new ConfigException(null, "kafka." + key, problem));
    JsonObject c = kafka.getJsonObject("consumer", new JsonObject());
    this.groupId = c.getString("group_id", DEFAULT_GROUP);
    if (groupId.isBlank()) {
      throw new ConfigException(null, "kafka.consumer.group_id", "must not be empty");
    }
    this.threads = c.getInteger("threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
    this.maxPollRecords = c.getInteger("max_poll_records", 500);
    this.maxPendingRecords = c.getInteger("max_pending_records", 2000);
    this.maxPendingBytes = c.getLong("max_pending_bytes", 16L << 20);
    if (maxPendingBytes < 1) {
      throw new ConfigException(null, "kafka.consumer.max_pending_bytes", "must be positive, got " + maxPendingBytes);
    }
    this.commitInterval = duration(c, "commit_interval", Duration.ofSeconds(1));
    this.revokeWait = duration(c, "revoke_wait", Duration.ofSeconds(10));
    this.deadLetterTopic = c.getString("dead_letter_topic", topic + ".dlq");
    checkTopic("kafka.consumer.dead_letter_topic", deadLetterTopic);
    if (deadLetterTopic.equals(topic)) {
      throw new ConfigException(null, "kafka.consumer.dead_letter_topic", "must differ from kafka.topic ("
          + topic + "), or undecodable records would come back");
    }
    this.autoOffsetReset = c.getString("auto_offset_reset", "earliest");
    this.raw = RawProperties.read(c.getJsonObject("properties"));
    if (raw.containsKey(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)) {
      throw new ConfigException(null, "kafka.consumer.properties." + ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          "cannot be set: the ingester commits offsets itself, only for records every writer has taken");
    }
  }

  private static Duration duration(JsonObject c, String key, Duration dflt) {
    Duration d = c.containsKey(key) ? Durations.parse(c.getString(key)) : dflt;
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException(null, "kafka.consumer." + key, "must be positive, got " + c.getValue(key));
    }
    return d;
  }

  private static void checkTopic(String key, String t) {
    if (!TOPIC.matcher(t).matches() || t.equals(".") || t.equals("..")) {
      throw new ConfigException(null, key, "expected a Kafka topic name (letters, digits, '.', '_', '-'; at most "
          + "249), got '" + t + "'");
    }
  }

  public String brokers() {
    return brokers;
  }

  public String topic() {
    return topic;
  }

  /** The encoding of records that carry no {@code clymene-encoding} header. */
  public KafkaEncoding encoding() {
    return encoding;
  }

  public String groupId() {
    return groupId;
  }

  public int threads() {
    return threads;
  }

  public int maxPendingRecords() {
    return maxPendingRecords;
  }

  public long maxPendingBytes() {
    return maxPendingBytes;
  }

  public Duration commitInterval() {
    return commitInterval;
  }

  public Duration revokeWait() {
    return revokeWait;
  }

  public String deadLetterTopic() {
    return deadLetterTopic;
  }

  /**
   * The consumer's properties: byte-array records, no auto-commit, the group, and the raw ones last. Reads
   * security files, so call it off the event loop.
   */
  public Properties consumerProperties(String clientId) throws IOException {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, autoOffsetReset);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
    // only committed data of transactional producers; plain producers' records are all committed anyway
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    security.apply(p);
    RawProperties.apply(raw, p);
    return p;
  }

  /**
   * The dead-letter producer's properties: acks all, idempotent, the same security, and at most 5 s blocked
   * in {@code send} (waiting for the topic's metadata), so that a missing topic holds up its partition no
   * longer than that.
   */
  public Properties deadLetterProperties(String clientId) throws IOException {
    Properties p = adminProperties(clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    return p;
  }

  /** An admin client's properties: the brokers and the security. */
  public Properties adminProperties(String clientId) throws IOException {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    security.apply(p);
    return p;
  }

  @Override
  public String toString() {
    return "brokers " + brokers + ", topic " + topic + ", group " + groupId + ", " + threads + " thread(s), "
        + "dead letters to " + deadLetterTopic + ", security " + security
        + (raw.isEmpty() ? "" : ", consumer properties " + raw.keySet());
  }
}
