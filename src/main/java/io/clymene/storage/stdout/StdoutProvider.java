package io.clymene.storage.stdout;

import static io.clymene.config.Schema.object;

import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.time.Duration;

/**
 * The {@code stdout} storage: every sample as one NDJSON line (the Kafka {@code json-lines} object) on
 * the process' standard output, for pipes ({@code clymene ... | jq}) and debugging. No keys of its own.
 * Logs go to standard error, so the output holds only lines.
 */
public final class StdoutProvider implements StorageProvider {
  public static final String TYPE = "stdout";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return object();
  }

  /**
   * One shard (order), 1,000 samples per write, flushed within 1 s, 10,000 buffered: a reader sees lines
   * promptly, and a slow pipe (the reader stopped) blocks only the worker while the queue, then the disk
   * queue, absorbs the backlog.
   */
  @Override
  public QueueOptions defaultQueueOptions() {
    return new QueueOptions().setMaxSamplesPerSend(1_000).setBatchSendDeadline(Duration.ofSeconds(1))
        .setCapacity(10_000).setMinShards(1).setMaxShards(1);
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    // FileDescriptor.out rather than System.out: no PrintStream lock shared with stray prints, no charset step
    return new StdoutWriter(context, entry, new FileOutputStream(FileDescriptor.out));
  }
}
