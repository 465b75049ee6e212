package io.clymene.storage.opentsdb;

import static io.clymene.config.Schema.byteSize;
import static io.clymene.config.Schema.integer;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.config.ConfigException;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import java.net.URI;
import java.time.Duration;

/**
 * The {@code opentsdb} storage: OpenTSDB 2.x (or anything speaking its protocols, such as
 * VictoriaMetrics) through the HTTP API ({@code url}, see {@link HttpPutWriter}) or telnet {@code put}
 * lines ({@code address: host:port}, see {@link TelnetPutWriter}); exactly one of the two. Names and tags
 * follow OpenTSDB's rules ({@link OpenTsdbSeries}); NaN and infinities cannot be stored in OpenTSDB and
 * are skipped and counted ({@code reason="unsupported_value"}).
 */
public final class OpenTsdbProvider implements StorageProvider {
  public static final String TYPE = "opentsdb";
  /** A stock TSD refuses bodies above Netty's 8 KiB chunk size unless chunked requests are enabled. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 8192;
  /** OpenTSDB's {@code tsd.storage.max_tags} default. */
  public static final int DEFAULT_MAX_TAGS = 8;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("url", string())
        .field("address", string())
        .field("max_request_bytes", byteSize())
        .field("max_tags", integer(1, 1024));
  }

  /**
   * 2,000 samples per request (about 25 bodies of 8 KiB over HTTP, 150 KB of telnet lines), sent within
   * 1 s, 20,000 buffered per shard, up to 8 shards (8 telnet connections, or 8 requests of 4 bodies each
   * in flight: a TSD is a single JVM and its HBase region servers push back long before that).
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(2_000).setBatchSendDeadline(Duration.ofSeconds(1))
        .setCapacity(20_000).setMaxShards(8);
  }

  @Override
  public void check(StorageEntry entry) {
    String url = entry.config().getString("url");
    String address = entry.config().getString("address");
    if ((url == null) == (address == null)) {
      throw new ConfigException(null, entry.path() + (url == null ? ".url" : ".address"),
          "an opentsdb writer needs exactly one of url (the HTTP API, e.g. http://127.0.0.1:4242) and address "
              + "(host:port for telnet put lines), got " + (url == null ? "neither" : "both"));
    }
    if (url != null) {
      try {
        URI uri = URI.create(url);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(null, entry.path() + ".url", "expected an http or https URL, got '" + url + "'");
      }
    } else {
      int colon = address.lastIndexOf(':');
      int port = -1;
      try {
        port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        // reported below
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException(null, entry.path() + ".address", "expected host:port such as 127.0.0.1:4242, got '"
            + address + "'");
      }
    }
    Long max = entry.config().getLong("max_request_bytes");
    if (max != null && max < 256) {
      throw new ConfigException(null, entry.path() + ".max_request_bytes", "expected at least 256 bytes, got " + max);
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return entry.config().getString("url") != null ? new HttpPutWriter(context, entry)
        : new TelnetPutWriter(context, entry);
  }
}
