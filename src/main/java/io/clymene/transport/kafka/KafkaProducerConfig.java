package io.clymene.transport.kafka;

import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.storage.StorageEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@code kafka} storage entry, checked, and turned into Kafka producer properties. Defaults are chosen
 * for Clymene's records (one per target and write, already batched by the writer's queue): idempotent
 * {@code acks=all}, Kafka's 5 ms linger, 256 KiB batches, and timeouts derived from the entry's
 * {@code timeout} so that a write never waits much longer than it. {@link #toString()} shows no secret.
 */
final class KafkaProducerConfig {
  static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");
  static final List<String> SASL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
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
  private final String saslMechanism;
  private final String saslUsername;
  private final String saslPassword;
  private final String saslPasswordFile;
  private final String caFile;
  private final String certFile;
  private final String keyFile;
  private final boolean tls;
  private final boolean skipHostCheck;
  private final Map<String, String> raw = new LinkedHashMap<>();

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
    var sasl = c.getJsonObject("sasl");
    if (sasl != null) {
      this.saslMechanism = sasl.getString("mechanism", "PLAIN");
      this.saslUsername = sasl.getString("username");
      this.saslPassword = sasl.getString("password");
      this.saslPasswordFile = sasl.getString("password_file");
      if (saslUsername == null || saslUsername.isEmpty()) {
        throw error("sasl.username", "missing");
      }
      if ((saslPassword == null) == (saslPasswordFile == null)) {
        throw error("sasl", "needs exactly one of password and password_file");
      }
    } else {
      this.saslMechanism = null;
      this.saslUsername = null;
      this.saslPassword = null;
      this.saslPasswordFile = null;
    }
    var t = c.getJsonObject("tls");
    this.tls = t != null;
    this.caFile = t == null ? null : t.getString("ca_file");
    this.certFile = t == null ? null : t.getString("cert_file");
    this.keyFile = t == null ? null : t.getString("key_file");
    this.skipHostCheck = t != null && t.getBoolean("insecure_skip_verify", false);
    if (t != null && t.containsKey("server_name")) {
      throw error("tls.server_name", "not supported by a kafka writer (Kafka clients connect to the "
          + "advertised broker names)");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw error("tls", "a client certificate needs both cert_file and key_file");
    }
    var producer = c.getJsonObject("producer");
    if (producer != null) {
      producer.forEach(e -> raw.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
    }
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
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol());
    if (saslMechanism != null) {
      String password = saslPassword != null ? saslPassword
          : Files.readString(Path.of(saslPasswordFile), StandardCharsets.UTF_8).trim();
      String module = saslMechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
      p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasEscape(saslUsername)
          + "\" password=\"" + jaasEscape(password) + "\";");
    }
    if (tls) {
      if (caFile != null) {
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, read(caFile));
      }
      if (certFile != null) {
        String key = read(keyFile);
        if (key.contains("BEGIN RSA PRIVATE KEY") || key.contains("BEGIN EC PRIVATE KEY")) {
          throw new IOException(keyFile + " holds a PKCS#1/SEC1 key; Kafka needs PKCS#8 (convert with "
              + "openssl pkcs8 -topk8 -nocrypt -in " + keyFile + ")");
        }
        p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read(certFile));
        p.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, key);
      }
      if (skipHostCheck) {
        p.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
      }
    }
    raw.forEach((k, v) -> {
      if (v == null) {
        p.remove(k);
      } else {
        p.put(k, v);
      }
    });
    return p;
  }

  private String securityProtocol() {
    if (saslMechanism != null) {
      return tls ? "SASL_SSL" : "SASL_PLAINTEXT";
    }
    return tls ? "SSL" : "PLAINTEXT";
  }

  private static String read(String file) throws IOException {
    return Files.readString(Path.of(file), StandardCharsets.UTF_8);
  }

  static String jaasEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  @Override
  public String toString() {
    return "KafkaProducerConfig[brokers=" + brokers + ", topic=" + topic + ", encoding=" + encoding
        + ", compression=" + compression + ", acks=" + acks + ", idempotence=" + idempotence
        + ", security=" + securityProtocol() + (saslUsername == null ? "" : ", sasl=" + saslMechanism + "("
        + saslUsername + ")") + ", producer=" + raw.keySet() + "]";
  }
}
