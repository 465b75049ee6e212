package io.clymene.storage.embedded;

import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.port;
import static io.clymene.config.Schema.string;

import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import java.time.Duration;

/** The {@code embedded} storage: QuestDB in this JVM, the all-in-one's default store. */
public final class EmbeddedStorageProvider implements StorageProvider {
  public static final String TYPE = "embedded";
  public static final String DEFAULT_DATA_DIR = "data/questdb";
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  public static final int DEFAULT_HTTP_PORT = 9000;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("data_dir", string())
        .field("http_host", string())
        .field("http_port", port());
  }

  /** Each request commits every table it touches (one per metric name): large requests, sent every few seconds. */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(50_000).setBatchSendDeadline(Duration.ofSeconds(5))
        .setCapacity(100_000).setMaxShards(1);
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new EmbeddedWriter(context, entry);
  }
}
