package io.clymene.transport.kafka;

import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.storage.StorageEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@code kafka} storage entry, checked, and turned into Kafka producer properties. Defaults are chosen
 * for Clymene's records (one per target and write, already batched by the writer's queue): idempotent
 * {@code acks=all}, Kafka's 5 ms linger, 256 KiB batches, and timeouts derived from the entry's
 * {@code timeout} so that a write never waits much longer than it. {@link #toString()} shows no secret.
 */
final class KafkaProducerConfig {
  static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");
  /** Producer batch size per partition unless {@code batch_size} says otherwise. */
  static final long DEFAULT_BATCH_SIZE = 256L << 10;
  /** Kafka's own default, matching a broker's default {@code message.max.bytes} (about 1 MB). */
  static final long DEFAULT_MAX_REQUEST_SIZE = 1L << 20;
  /** Kafka's own default linger. */
  static final Duration DEFAULT_LINGER = Duration.ofMillis(5);
  /** Kafka's default request timeout; shorter when the entry's timeout is shorter. */
  static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^\\s:,\\[\\]]+):[0-9]{1,5}");

  private final String path;
  private final String name;
  private final String brokers;
  private final String topic;
  private final KafkaEncoding encoding;
  private final String compression;
  private final String acks;
  private final boolean idempotence;
  private final Duration linger;
  private final long batchSize;
  private final long maxRequestSize;
  private final Duration timeout;
  private final KafkaSecurity security;
  private final Map<String, String> raw;

  /**
   * Reads and checks an entry.
   *
   * @throws ConfigException naming the key
   */
  KafkaProducerConfig(StorageEntry entry) {
    var c = entry.config();
    this.path = entry.path();
    this.name = entry.name();
    this.brokers = c.getString("brokers");
    if (brokers == null || brokers.isBlank()) {
      throw error("brokers", "missing; a kafka writer needs bootstrap servers such as 127.0.0.1:9092");
    }
    for (String b : brokers.split(",")) {
      if (!HOST_PORT.matcher(b.trim()).matches()) {
        throw error("brokers", "expected host:port[,host:port...], got '" + brokers + "'");
      }
    }
    this.topic = c.getString("topic", KafkaProvider.DEFAULT_TOPIC);
    if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw error("topic", "expected a Kafka topic name (letters, digits, '.', '_', '-'; at most 249), got '"
          + topic + "'");
    }
    this.encoding = KafkaEncoding.fromConfig(c.getString("encoding", KafkaEncoding.PROTOBUF.configName()));
    // protobuf values are already snappy-compressed record by record: compressing them again costs CPU on
    // both sides for a few percent; JSON compresses several times over, and snappy is fast and already ours
    this.compression = c.getString("compression", encoding == KafkaEncoding.PROTOBUF ? "none" : "snappy");
    String a = c.getString("acks", "all");
    this.acks = a.equals("-1") ? "all" : a;
    if (!List.of("all", "0", "1").contains(acks)) {
      throw error("acks", "expected all, 1 or 0, got '" + a + "'");
    }
    boolean explicitIdempotence = c.containsKey("idempotence");
    this.idempotence = c.getBoolean("idempotence", acks.equals("all"));
    if (idempotence && !acks.equals("all")) {
      throw error("idempotence", "needs acks: all (Kafka's rule), but acks is " + acks
          + (explicitIdempotence ? "" : "; set idempotence: false"));
    }
    this.timeout = entry.http().timeout();
    this.linger = c.containsKey("linger") ? Durations.parse(c.getString("linger")) : DEFAULT_LINGER;
    if (timeout.compareTo(linger) <= 0 || timeout.toMillis() < 10) {
      throw error("timeout", "must be at least 10ms and longer than linger (" + Durations.format(linger)
          + "), got " + Durations.format(timeout));
    }
    this.batchSize = c.getLong("batch_size", DEFAULT_BATCH_SIZE);
    if (batchSize > Integer.MAX_VALUE) {
      throw error("batch_size", "expected at most 2GiB, got " + batchSize);
    }
    this.maxRequestSize = c.getLong("max_request_size", DEFAULT_MAX_REQUEST_SIZE);
    if (maxRequestSize < 1024 || maxRequestSize > Integer.MAX_VALUE) {
      throw error("max_request_size", "expected between 1KiB and 2GiB, got " + maxRequestSize);
    }
    this.security = KafkaSecurity.from(c.getJsonObject("sasl"), c.getJsonObject("tls"), this::error);
    this.raw = RawProperties.read(c.getJsonObject("producer"));
  }

  private ConfigException error(String key, String problem) {
    return new ConfigException(null, path + "." + key, problem);
  }

  String topic() {
    return topic;
  }

  KafkaEncoding encoding() {
    return encoding;
  }

  Duration timeout() {
    return timeout;
  }

  String brokers() {
    return brokers;
  }

  /** The effective {@code max.request.size}, after the raw {@code producer} properties. */
  long maxRequestSize() {
    String r = raw.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    if (r != null) {
      try {
        return Long.parseLong(r.trim());
      } catch (NumberFormatException e) {
        return maxRequestSize; // the producer will refuse it at start, naming it
      }
    }
    return maxRequestSize;
  }

  /**
   * The producer properties. Reads the password and PEM files, so call it off the event loop.
   *
   * @throws IOException when a file cannot be read
   */
  Properties properties() throws IOException {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "clymene-" + name);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, acks);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(idempotence));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(linger.toMillis()));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchSize));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRequestSize));
    // a write must end within about `timeout`: delivery (retries included) gets the whole of it, waiting
    // for metadata or buffer space half of it (Kafka requires delivery >= linger + request timeout)
    long t = timeout.toMillis();
    long request = Math.max(1, Math.min(MAX_REQUEST_TIMEOUT.toMillis(), t - linger.toMillis()));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(t));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(request));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(Math.max(1, t / 2)));
    security.apply(p);
    RawProperties.apply(raw, p);
    return p;
  }

  @Override
  public String toString() {
    return "KafkaProducerConfig[brokers=" + brokers + ", topic=" + topic + ", encoding=" + encoding
        + ", compression=" + compression + ", acks=" + acks + ", idempotence=" + idempotence
        + ", security=" + security + ", producer=" + raw.keySet() + "]";
  }
}
