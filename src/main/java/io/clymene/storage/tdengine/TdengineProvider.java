package io.clymene.storage.tdengine;

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
 * The {@code tdengine} storage: InfluxDB line protocol through taosAdapter's
 * {@code POST /influxdb/v1/write?db=<database>&precision=ms} (schemaless: one super table per metric name, labels
 * as tags), authenticated with {@code user} and {@code password} (TDengine's defaults {@code root}/{@code taosdata}).
 * The database must exist ({@code CREATE DATABASE <database> PRECISION 'ms'}).
 */
public final class TdengineProvider implements StorageProvider {
  public static final String TYPE = "tdengine";
  public static final String DEFAULT_URL = "http://127.0.0.1:6041";
  public static final String DEFAULT_USER = "root";
  public static final String DEFAULT_PASSWORD = "taosdata";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("url", string())
        .field("database", string())
        .field("user", string())
        .field("password", string());
  }

  /**
   * taosAdapter turns each request into one schemaless insert holding a pooled connection: mid-sized requests and
   * few shards (its connection pool answers 503 when exhausted).
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(5_000).setBatchSendDeadline(Duration.ofSeconds(5))
        .setCapacity(50_000).setMaxShards(4);
  }

  @Override
  public void check(StorageEntry entry) {
    url(entry);
    if (entry.config().getString("database", "").isEmpty()) {
      throw new ConfigException(null, entry.path() + ".database",
          "missing; a tdengine writer needs the database to write to (create it with PRECISION 'ms')");
    }
    for (String key : new String[] {"basic_auth", "bearer_token", "bearer_token_file"}) {
      if (entry.config().containsKey(key)) {
        throw new ConfigException(null, entry.path() + "." + key,
            "not used by a tdengine writer: set user and password instead");
      }
    }
  }

  static URI url(StorageEntry entry) {
    String url = entry.config().getString("url", DEFAULT_URL);
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getRawQuery() != null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, entry.path() + ".url",
          "expected taosAdapter's http or https URL without a query, such as " + DEFAULT_URL + ", got '" + url + "'");
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new TdengineWriter(context, entry, url(entry));
  }
}
