package io.clymene.transport.grpc;

import static io.clymene.config.Schema.byteSize;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.oneOf;
import static io.clymene.config.Schema.string;

import io.clymene.config.ConfigException;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;

/**
 * The {@code gateway} output: writes to Clymene gateways over gRPC ({@code ClymeneService}), with
 * round robin and failover over {@code endpoints}. Its own keys:
 *
 * <pre>
 * endpoints: ["gw-1:15610", "gw-2:15610"]   # required, host:port ([v6]:port), at least one
 * rpc: stream                               # stream (StreamMetrics, default) | unary (RequestMetrics)
 * max_message_size: 16MiB                   # larger writes are split into several WriteRequests
 * </pre>
 *
 * plus the common ones: {@code tls} (present = TLS; {@code server_name} for SNI and the host name
 * check), {@code headers}, {@code basic_auth}, {@code bearer_token(_file)}, {@code oauth2} (as gRPC
 * metadata), {@code timeout} (each call's deadline) and {@code queue}.
 */
public final class GatewayProvider implements StorageProvider {
  public static final String TYPE = "gateway";
  /** Largest WriteRequest message by default. */
  public static final long DEFAULT_MAX_MESSAGE_SIZE = 16L << 20;
  /** gRPC frames carry a 4-byte length; keep clear of the signed limit. */
  static final long MAX_MESSAGE_SIZE_LIMIT = Integer.MAX_VALUE - 16;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("endpoints", listOf(string()))
        .field("rpc", oneOf("stream", "unary"))
        .field("max_message_size", byteSize());
  }

  @Override
  public void check(StorageEntry entry) {
    JsonObject config = entry.config();
    JsonArray list = config.getJsonArray("endpoints");
    if (list == null || list.isEmpty()) {
      throw new ConfigException(null, entry.path() + ".endpoints",
          "missing; a gateway writer needs at least one gateway address such as 127.0.0.1:15610");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String text = String.valueOf(list.getValue(i));
      try {
        GatewayEndpoint.parse(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(null, entry.path() + ".endpoints[" + i + "]", e.getMessage());
      }
      if (!seen.add(text)) {
        throw new ConfigException(null, entry.path() + ".endpoints[" + i + "]", "duplicate endpoint '" + text + "'");
      }
    }
    if (config.containsKey("max_message_size")) {
      long max = config.getLong("max_message_size");
      if (max < 1 || max > MAX_MESSAGE_SIZE_LIMIT) {
        throw new ConfigException(null, entry.path() + ".max_message_size",
            "expected a size between 1 byte and 2GiB, got " + config.getValue("max_message_size"));
      }
    }
    JsonObject tls = config.getJsonObject("tls");
    if (tls != null && tls.containsKey("cert_file") != tls.containsKey("key_file")) {
      throw new ConfigException(null, entry.path() + ".tls", "a client certificate needs both cert_file and key_file");
    }
    try {
      GatewayRpc.fromConfig(config.getString("rpc"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, entry.path() + ".rpc", e.getMessage());
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new GatewayWriter(context, entry);
  }
}
