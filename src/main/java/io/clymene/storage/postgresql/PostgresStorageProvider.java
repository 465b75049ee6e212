package io.clymene.storage.postgresql;

import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import java.time.Duration;

/**
 * The {@code postgresql} storage: samples into PostgreSQL (15 tested; partitioned tables need 11+) or
 * TimescaleDB, by binary COPY. Keys: {@code url} ({@code postgresql://user@host:port/database}),
 * {@code password} or {@code password_file}, {@code schema} (default {@code clymene}) and the common
 * {@code tls} and {@code timeout}.
 */
public final class PostgresStorageProvider implements StorageProvider {
  public static final String TYPE = "postgresql";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("url", string())
        .field("password", string())
        .field("password_file", string())
        .field("schema", string());
  }

  /**
   * One COPY of 20,000 rows per request (a few tens of milliseconds in PostgreSQL, so the per-transaction
   * cost is small), up to 4 shards = 4 connections writing in parallel (more mostly contend for the same
   * partition and WAL), 5 s deadline for a partly filled request, 100,000 samples buffered per shard.
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(20_000).setBatchSendDeadline(Duration.ofSeconds(5))
        .setCapacity(100_000).setMinShards(1).setMaxShards(4);
  }

  @Override
  public void check(StorageEntry entry) {
    PostgresSettings.from(entry);
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    return new PostgresWriter(context, entry, PostgresTables.CATALOG);
  }
}
