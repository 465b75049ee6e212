package io.clymene.storage.prometheus;

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

/** The {@code prometheus} storage: Prometheus remote write to any receiver. */
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
        .field("protobuf_message", oneOf("v1", "v2"))
        .field("tenant", string())
        .field("write_relabel_configs", listOf(io.clymene.relabel.RelabelConfig.schema()));
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
    io.clymene.relabel.RelabelConfig.parseList(entry.config().getJsonArray("write_relabel_configs"),
        entry.path() + ".write_relabel_configs");
    if ("v2".equals(entry.config().getString("protobuf_message"))) {
      throw new ConfigException(null, entry.path() + ".protobuf_message",
          "remote write 2.0 is not available in this version (expected v1)");
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new RemoteWriteWriter(context, entry);
  }
}
