package io.clymene.storage.clickhouse;

import static io.clymene.config.Schema.bool;
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
 * The {@code clickhouse} storage: samples inserted over ClickHouse's HTTP interface in RowBinary into a
 * {@code ReplacingMergeTree} table ({@code database}.{@code table}, created at start unless
 * {@code create_table: false}). Works with ClickHouse 18.16 and later.
 */
public final class ClickHouseProvider implements StorageProvider {
  public static final String TYPE = "clickhouse";
  public static final String DEFAULT_URL = "http://127.0.0.1:8123";
  public static final String DEFAULT_DATABASE = "clymene";
  public static final String DEFAULT_TABLE = "samples";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("url", string())
        .field("database", string())
        .field("table", string())
        .field("create_table", bool());
  }

  /**
   * Few large inserts: every insert is a part per partition that ClickHouse must merge, and it refuses
   * inserts once a partition has 300 unmerged parts; it advises batches of thousands of rows and about one
   * insert per second. 50,000 samples (about 10 MB of RowBinary with 8 labels) every 5 s at most per shard,
   * and at most 2 shards: one insert in flight while the next is encoded and sent. 200,000 samples per
   * shard buffer 4 full requests each (400,000 in memory), riding out a server restart before spilling.
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(50_000).setBatchSendDeadline(Duration.ofSeconds(5))
        .setCapacity(200_000).setMinShards(1).setMaxShards(2);
  }

  @Override
  public void check(StorageEntry entry) {
    String url = entry.config().getString("url", DEFAULT_URL);
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException();
      }
      if (uri.getUserInfo() != null) {
        throw new ConfigException(null, entry.path() + ".url",
            "must not hold credentials; give them in basic_auth (username, password or password_file)");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, entry.path() + ".url", "expected ClickHouse's HTTP interface as an http or "
          + "https URL such as " + DEFAULT_URL + ", got '" + url + "'");
    }
    for (String key : new String[] {"database", "table"}) {
      String name = entry.config().getString(key, key.equals("database") ? DEFAULT_DATABASE : DEFAULT_TABLE);
      if (!ClickHouseTable.validIdentifier(name)) {
        throw new ConfigException(null, entry.path() + "." + key,
            "expected a name of letters, digits and underscores not starting with a digit, got '" + name + "'");
      }
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new ClickHouseWriter(context, entry);
  }
}
