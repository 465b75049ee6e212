package io.clymene.storage.opensearch;

import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.integer;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.oneOf;
import static io.clymene.config.Schema.string;

import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import java.time.Duration;

/**
 * What the {@code opensearch} and {@code elasticsearch} storages share: the keys, the queue defaults and
 * one {@link BulkWriter}. The two types differ only in name and in the distribution the writer expects
 * to find at start (a mismatch is logged, not refused: the bulk API and composable index templates are the
 * same).
 */
abstract class SearchProvider implements StorageProvider {
  /** About 1-2 MB of bulk body per request, the size both projects recommend starting from. */
  static final int DEFAULT_MAX_SAMPLES_PER_SEND = 5_000;
  static final int DEFAULT_CAPACITY = 50_000;
  /** More parallel bulk requests mostly earn 429s from a small cluster's write thread pool. */
  static final int DEFAULT_MAX_SHARDS = 8;

  private final String type;
  private final String distribution;

  SearchProvider(String type, String distribution) {
    this.type = type;
    this.distribution = distribution;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("urls", listOf(string()))
        .field("index", string())
        .field("index_mode", oneOf(IndexMode.CONFIG_VALUES))
        .field("api_key", string())
        .field("template", bool())
        .field("replicas", integer(0, 100));
  }

  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(DEFAULT_MAX_SAMPLES_PER_SEND)
        .setBatchSendDeadline(Duration.ofSeconds(5)).setCapacity(DEFAULT_CAPACITY).setMaxShards(DEFAULT_MAX_SHARDS);
  }

  @Override
  public void check(StorageEntry entry) {
    SearchOptions.from(entry);
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new BulkWriter(context, entry, SearchOptions.from(entry), distribution);
  }
}
