package io.clymene.config;

import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.byteSize;
import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.integer;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.mapOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.oneOf;
import static io.clymene.config.Schema.port;
import static io.clymene.config.Schema.string;

import io.clymene.config.Schema.ObjectSchema;
import java.util.Map;

/** The shape of {@code clymene.yaml} (see ARCHITECTURE.md, "Clymene config"). */
public final class ClymeneSchema {

  /** Agent outputs named by the architecture. */
  public static final String[] AGENT_OUTPUTS = {"storage", "gateway", "kafka", "eventbus"};
  /** Gateway outputs named by the architecture. */
  public static final String[] GATEWAY_OUTPUTS = {"storage", "kafka"};

  private ClymeneSchema() {
  }

  /**
   * The whole schema.
   *
   * @param storageTypes each storage type's own keys (the common keys are added here)
   */
  public static ObjectSchema create(Map<String, ObjectSchema> storageTypes) {
    ObjectSchema storageEntry = commonStorageEntry().variants("type", storageTypes.keySet(),
        type -> storageTypes.get(type));
    return object()
        .field("data_dir", string())
        .field("admin", hostPort())
        .field("agent", object()
            .field("config_file", string())
            .field("output", oneOf(AGENT_OUTPUTS))
            .field("gateway", agentGatewayOutput(storageTypes.get("gateway")))
            .field("eventbus", agentEventBusOutput(storageTypes.get("eventbus"))))
        .field("gateway", object()
            .field("grpc", hostPort()
                .field("tls", serverTls())
                .field("max_message_size", byteSize())
                .field("stream_wait", duration()))
            .field("http", hostPort()
                .field("tls", serverTls()))
            .field("max_request_size", byteSize())
            .field("retry_after", duration())
            .field("auth", object()
                .field("credentials_file", string())
                .field("check_interval", duration()))
            .field("tenant", object()
                .field("header", string())
                .field("label", string())
                .field("required", bool()))
            .field("output", oneOf(GATEWAY_OUTPUTS)))
        .field("kafka", object()
            .field("brokers", string())
            .field("topic", string())
            .field("encoding", oneOf("protobuf", "json", "json-lines"))
            .field("sasl", kafkaSasl())
            .field("tls", tls())
            .field("producer", mapOf(Schema.any()))
            .field("consumer", object()
                .field("group_id", string())
                .field("threads", integer(1, 256))
                .field("max_poll_records", integer(1, 1_000_000))
                .field("max_pending_records", integer(1, 100_000_000))
                .field("max_pending_bytes", byteSize())
                .field("commit_interval", duration())
                .field("revoke_wait", duration())
                .field("dead_letter_topic", string())
                .field("auto_offset_reset", oneOf("earliest", "latest"))
                .field("properties", mapOf(Schema.any()))))
        .field("storage", listOf(storageEntry))
        .field("cluster", object()
            .field("enabled", bool())
            .field("host", string())
            .field("port", port())
            .field("bus_port", integer(0, 65535))
            .field("name", string())
            .field("members", listOf(string()))
            .field("kubernetes", object()
                .field("service_dns", string()))
            .field("member_name", string())
            .field("replication_factor", integer(1, 100))
            .field("replica_label", string())
            .field("failure_timeout", duration()));
  }

  /** Keys every storage entry has (ARCHITECTURE.md, "Storage entries"). */
  public static ObjectSchema commonStorageEntry() {
    return object()
        .field("type", string())
        .field("name", string())
        .field("queue", object()
            .field("capacity", integer(1, Integer.MAX_VALUE))
            .field("max_samples_per_send", integer(1, Integer.MAX_VALUE))
            .field("batch_send_deadline", duration())
            .field("min_shards", integer(1, 10_000))
            .field("max_shards", integer(1, 10_000))
            .field("min_backoff", duration())
            .field("max_backoff", duration())
            .field("retry_on_http_429", bool())
            .field("spill_dir", string())
            .field("spill_max_bytes", byteSize()))
        .field("headers", mapOf(string()))
        .field("basic_auth", object()
            .field("username", string())
            .field("password", string())
            .field("password_file", string()))
        .field("bearer_token", string())
        .field("bearer_token_file", string())
        .field("oauth2", object()
            .field("client_id", string())
            .field("client_secret", string())
            .field("client_secret_file", string())
            .field("scopes", listOf(string()))
            .field("token_url", string())
            .field("endpoint_params", mapOf(string())))
        .field("tls", tls())
        .field("timeout", duration());
  }

  /** SASL mechanisms Kafka clients may use. */
  public static final String[] KAFKA_SASL_MECHANISMS = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

  /** A Kafka client's SASL settings. */
  public static ObjectSchema kafkaSasl() {
    return object()
        .field("mechanism", oneOf(KAFKA_SASL_MECHANISMS))
        .field("username", string())
        .field("password", string())
        .field("password_file", string());
  }

  /** TLS client settings. */
  public static ObjectSchema tls() {
    return object()
        .field("ca_file", string())
        .field("cert_file", string())
        .field("key_file", string())
        .field("server_name", string())
        .field("insecure_skip_verify", bool());
  }

  /**
   * The agent's {@code gateway} output: a storage entry of type {@code gateway} (queue, auth, TLS and the
   * gateway writer's own keys) without {@code type} and {@code name}.
   */
  private static ObjectSchema agentGatewayOutput(ObjectSchema gatewayWriter) {
    ObjectSchema out = object();
    commonStorageEntry().fields().forEach((k, v) -> {
      if (!k.equals("type") && !k.equals("name")) {
        out.field(k, v);
      }
    });
    if (gatewayWriter != null) {
      gatewayWriter.fields().forEach(out::field);
    }
    return out;
  }

  /**
   * The agent's {@code eventbus} output: the eventbus writer's own keys ({@code address}) plus {@code timeout}
   * and {@code queue}; headers, credentials and TLS do not apply to the clustered event bus.
   */
  private static ObjectSchema agentEventBusOutput(ObjectSchema eventBusWriter) {
    ObjectSchema common = commonStorageEntry();
    ObjectSchema out = object().field("timeout", common.fields().get("timeout"))
        .field("queue", common.fields().get("queue"));
    if (eventBusWriter != null) {
      eventBusWriter.fields().forEach(out::field);
    }
    return out;
  }

  /** TLS server settings: the server's certificate, and client certificates checked against a CA (mTLS). */
  public static ObjectSchema serverTls() {
    return object()
        .field("cert_file", string())
        .field("key_file", string())
        .field("client_ca_file", string())
        .field("client_auth", oneOf("none", "request", "require"));
  }

  private static ObjectSchema hostPort() {
    return object().field("host", string()).field("port", port());
  }
}
