package io.clymene.storage.file;

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
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code file} storage: every sample as one line of newline-delimited JSON (the Kafka
 * {@code json-lines} object) appended to {@code path}, rotated by size ({@link FileWriter}).
 */
public final class FileProvider implements StorageProvider {
  public static final String TYPE = "file";
  public static final String DEFAULT_FILE_NAME = "samples.ndjson";
  public static final long DEFAULT_MAX_BYTES = 100L << 20;
  public static final int DEFAULT_MAX_FILES = 5;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object()
        .field("path", string())
        .field("max_bytes", byteSize())
        .field("max_files", integer(1, 10_000));
  }

  /**
   * One shard (lines stay in order), 10,000 samples (about 1 MB of lines) per write, sent within 1 s, up
   * to 50,000 buffered: a local append of 1 MB takes milliseconds, so the queue is rarely more than one
   * request deep; the disk queue covers a full or unwritable disk.
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(10_000).setBatchSendDeadline(Duration.ofSeconds(1))
        .setCapacity(50_000).setMinShards(1).setMaxShards(1);
  }

  @Override
  public void check(StorageEntry entry) {
    Long max = entry.config().getLong("max_bytes");
    if (max != null && max < 1024) {
      throw new ConfigException(null, entry.path() + ".max_bytes", "expected at least 1KiB, got " + max);
    }
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    String path = entry.config().getString("path");
    Path file = path != null ? Path.of(path)
        : Path.of(context.dataDir() != null ? context.dataDir() : ".", DEFAULT_FILE_NAME);
    return new FileWriter(context, entry, new RotatingFile(file,
        entry.config().getLong("max_bytes", DEFAULT_MAX_BYTES),
        entry.config().getInteger("max_files", DEFAULT_MAX_FILES)));
  }
}
