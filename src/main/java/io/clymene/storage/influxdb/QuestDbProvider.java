package io.clymene.storage.influxdb;

import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.storage.lineprotocol.LineProtocolDialect;
import java.time.Duration;

/**
 * The {@code questdb} storage: an external QuestDB's line protocol over HTTP ({@code url} = its HTTP endpoint,
 * {@code POST /write?precision=ms}), in QuestDB's dialect (the embedded store's: one table per metric name, labels
 * as symbols, NaN kept). Credentials from {@code basic_auth} or {@code bearer_token}.
 */
public final class QuestDbProvider implements StorageProvider {
  public static final String TYPE = "questdb";
  public static final String DEFAULT_URL = "http://127.0.0.1:9000";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object().field("url", string());
  }

  /**
   * Each request is one transaction committing every table it touches (one per metric name): large requests,
   * as the embedded store sends, and few shards (more concurrent commits to the same tables only contend).
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(50_000).setBatchSendDeadline(Duration.ofSeconds(5))
        .setCapacity(100_000).setMaxShards(4);
  }

  @Override
  public void check(StorageEntry entry) {
    Urls.parse(entry, DEFAULT_URL);
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    var url = Urls.parse(entry, DEFAULT_URL);
    return new LineProtocolWriter(context, entry, url, new QuestDbIlpApi(Urls.basePath(url),
        entry.queue().retryOnHttp429()), LineProtocolDialect.QUESTDB, null);
  }
}
