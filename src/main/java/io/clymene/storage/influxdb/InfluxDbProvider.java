package io.clymene.storage.influxdb;

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
import io.clymene.storage.lineprotocol.LineProtocolDialect;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The {@code influxdb} storage: line protocol to InfluxDB 1.x ({@code version: 1}, the default: {@code /write}
 * with {@code database} and optional {@code retention_policy}, credentials from {@code basic_auth}) or 2.x
 * ({@code version: 2}: {@code /api/v2/write} with {@code org}, {@code bucket} and {@code token}). Also serves
 * InfluxDB-compatible receivers such as VictoriaMetrics' {@code /write}. Measurement = metric name, tags = the
 * other labels, one field {@code value}, millisecond timestamps; NaN, ±Inf and stale markers are not sent
 * (InfluxDB cannot store them) and are counted as dropped {@code unsupported_value}.
 */
public final class InfluxDbProvider implements StorageProvider {
  public static final String TYPE = "influxdb";
  public static final String DEFAULT_URL = "http://127.0.0.1:8086";
  public static final String DEFAULT_DATABASE = "clymene";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("url", string())
        .field("version", integer(1, 2))
        .field("database", string())
        .field("retention_policy", string())
        .field("org", string())
        .field("bucket", string())
        .field("token", string());
  }

  /**
   * InfluxDB recommends 5,000-10,000 points per request; each shard holds one request in flight, and a few
   * shards keep a remote server busy without the write-concurrency errors many more cause.
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(10_000).setBatchSendDeadline(Duration.ofSeconds(5))
        .setCapacity(50_000).setMaxShards(8);
  }

  @Override
  public void check(StorageEntry entry) {
    Urls.parse(entry, DEFAULT_URL);
    JsonObject c = entry.config();
    int version = c.getInteger("version", 1);
    String[] own = version == 1 ? new String[] {"org", "bucket", "token"}
        : new String[] {"database", "retention_policy"};
    for (String key : own) {
      if (c.containsKey(key)) {
        throw new ConfigException(null, entry.path() + "." + key, "is for version: " + (3 - version)
            + "; this entry writes with version: " + version);
      }
    }
    if (version == 2) {
      for (String key : new String[] {"org", "bucket", "token"}) {
        if (c.getString(key, "").isEmpty()) {
          throw new ConfigException(null, entry.path() + "." + key,
              "missing; an influxdb writer with version: 2 needs org, bucket and token");
        }
      }
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    JsonObject c = entry.config();
    var url = Urls.parse(entry, DEFAULT_URL);
    InfluxApi api = new InfluxApi(c.getInteger("version", 1), Urls.basePath(url),
        c.getString("database", DEFAULT_DATABASE), c.getString("retention_policy"), c.getString("org"),
        c.getString("bucket"), c.getString("token"), entry.queue().retryOnHttp429());
    return new LineProtocolWriter(context, entry, url, api, LineProtocolDialect.INFLUXDB,
        "NaN, ±Inf and stale markers (InfluxDB stores only finite floats)");
  }
}
