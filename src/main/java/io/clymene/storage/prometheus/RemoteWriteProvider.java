package io.clymene.storage.prometheus;

import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.integer;
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
import java.net.URI;

/**
 * The {@code prometheus} storage: Prometheus remote write to any receiver, 1.0 by default or 2.0 with
 * {@code protobuf_message: v2} (or Prometheus' {@code io.prometheus.write.v2.Request}). {@code preset:
 * cortex|mimir|thanos} and {@code tenant_header} adapt the path and tenant header ({@link RemoteWritePreset}).
 */
public final class RemoteWriteProvider implements StorageProvider {
  public static final String TYPE = "prometheus";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("url", string())
        .field("protobuf_message", oneOf(RemoteWriteProtocol.CONFIG_VALUES.toArray(String[]::new)))
        .field("tenant", string())
        .field("preset", oneOf(RemoteWritePreset.configValues()))
        .field("tenant_header", string())
        .field("write_relabel_configs", listOf(io.clymene.relabel.RelabelConfig.schema()))
        // Prometheus' metadata_config: send (true), send_interval (1m), max_samples_per_send (500)
        .field("metadata", object()
            .field("send", bool())
            .field("send_interval", duration())
            .field("max_samples_per_send", integer(1, Integer.MAX_VALUE)));
  }

  @Override
  public void check(StorageEntry entry) {
    String url = entry.config().getString("url");
    if (url == null) {
      throw new ConfigException(null, entry.path() + ".url", "missing; a prometheus writer needs the receiver's URL");
    }
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, entry.path() + ".url", "expected an http or https URL, got '" + url + "'");
    }
    String header = entry.config().getString("tenant_header");
    if (header != null && !header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw new ConfigException(null, entry.path() + ".tenant_header", "expected an HTTP header name such as "
          + "THANOS-TENANT, got '" + header + "'");
    }
    io.clymene.relabel.RelabelConfig.parseList(entry.config().getJsonArray("write_relabel_configs"),
        entry.path() + ".write_relabel_configs");
    String interval = entry.config().getJsonObject("metadata", new io.vertx.core.json.JsonObject())
        .getString("send_interval");
    if (interval != null && io.clymene.config.Durations.parse(interval).isZero()) {
      throw new ConfigException(null, entry.path() + ".metadata.send_interval",
          "expected a duration above zero such as 1m, got '" + interval + "'");
    }
    try {
      RemoteWriteProtocol.fromConfig(entry.config().getString("protobuf_message"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, entry.path() + ".protobuf_message", e.getMessage());
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new RemoteWriteWriter(context, RemoteWritePreset.apply(entry));
  }
}
