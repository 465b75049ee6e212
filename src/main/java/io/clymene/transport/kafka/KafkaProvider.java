package io.clymene.transport.kafka;

import static io.clymene.config.Schema.any;
import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.byteSize;
import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.mapOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.oneOf;
import static io.clymene.config.Schema.string;

import io.clymene.config.ClymeneSchema;
import io.clymene.config.ConfigException;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * The {@code kafka} output: one Kafka record per target and write, keyed by {@link RecordKeys}, so every
 * series stays in one partition and in order. Its own keys:
 *
 * <pre>
 * brokers: "k1:9092,k2:9092"     # required: bootstrap servers
 * topic: clymene                 # default clymene
 * encoding: protobuf             # protobuf (default) | json | json-lines
 * compression: none              # none | gzip | snappy | lz4 | zstd; default none for protobuf (values are
 *                                # already snappy-compressed), snappy for json and json-lines
 * acks: all                      # all (default) | 1 | 0
 * idempotence: true              # default true with acks all (Kafka requires acks all for it)
 * linger: 5ms                    # how long the producer waits to fill a batch (Kafka's default 5ms)
 * batch_size: 256KiB             # per-partition producer batch
 * max_request_size: 1MiB         # larger records are split by series before sending
 * sasl: { mechanism: PLAIN, username: u, password: p }   # or password_file; SCRAM-SHA-256 | SCRAM-SHA-512
 * producer: { ... }              # raw Kafka producer properties, applied last
 * </pre>
 *
 * plus the common {@code tls} ({@code ca_file}, {@code cert_file}, {@code key_file} as PEM; a key must be
 * PKCS#8; {@code insecure_skip_verify} turns off only the host name check, Kafka has no trust-all),
 * {@code timeout} (how long a write may wait for every acknowledgement) and {@code queue}.
 */
public final class KafkaProvider implements StorageProvider {
  public static final String TYPE = "kafka";
  /** The topic when the entry names none (ARCHITECTURE.md, "Wire formats"). */
  public static final String DEFAULT_TOPIC = "clymene";
  /** The common keys that mean nothing to Kafka. */
  private static final List<String> HTTP_ONLY = List.of("headers", "basic_auth", "bearer_token",
      "bearer_token_file", "oauth2");

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("brokers", string())
        .field("topic", string())
        .field("encoding", oneOf("protobuf", "json", "json-lines"))
        .field("compression", oneOf(KafkaProducerConfig.COMPRESSIONS.toArray(new String[0])))
        .field("acks", string())
        .field("idempotence", bool())
        .field("linger", duration())
        .field("batch_size", byteSize())
        .field("max_request_size", byteSize())
        .field("sasl", ClymeneSchema.kafkaSasl())
        .field("producer", mapOf(any()));
  }

  @Override
  public void check(StorageEntry entry) {
    JsonObject config = entry.config();
    for (String key : HTTP_ONLY) {
      if (config.containsKey(key)) {
        throw new ConfigException(null, entry.path() + "." + key,
            "not used by a kafka writer (authenticate with sasl, and tls for client certificates)");
      }
    }
    // the constructor checks everything else: brokers, topic, sasl, tls, sizes and their combinations
    new KafkaProducerConfig(entry);
  }

  /**
   * One sender with large writes: the queue's shards split batches by series, which would cut each
   * target's record into one per shard (ten times the records for the same samples, measured 0.86M against
   * 1.2M samples/s); the producer already sends a write's records to all partitions at once.
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMinShards(1).setMaxShards(1).setMaxSamplesPerSend(50_000).setCapacity(500_000)
        .setBatchSendDeadline(Duration.ofSeconds(1));
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new KafkaWriter(context, entry, new KafkaProducerConfig(entry));
  }
}
