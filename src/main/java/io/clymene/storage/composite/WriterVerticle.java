package io.clymene.storage.composite;

import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.storage.spill.DiskQueue;
import java.nio.file.Path;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one writer and its queue on their own event-loop context, so that a slow or failing backend
 * never takes time from another writer or from the scrape loops.
 */
final class WriterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WriterVerticle.class);

  private final StorageEntry entry;
  private final StorageProvider provider;
  private final WriterContext writerContext;
  private final Duration flushDeadline;
  private StorageWriter writer;
  private volatile WriterQueue queue;

  WriterVerticle(StorageEntry entry, StorageProvider provider, WriterContext writerContext,
                 Duration flushDeadline) {
    this.entry = entry;
    this.provider = provider;
    this.writerContext = writerContext;
    this.flushDeadline = flushDeadline;
  }

  /** The queue, once started. */
  WriterQueue queue() {
    return queue;
  }

  StorageEntry entry() {
    return entry;
  }

  @Override
  public Future<?> start() {
    writer = provider.create(writerContext, entry);
    long spillBytes = entry.queue().spillMaxBytes();
    Path spillDir = Path.of(entry.queue().spillDir() != null ? entry.queue().spillDir()
        : Path.of(writerContext.dataDir(), "spill", entry.name()).toString());
    Future<DiskQueue> disk = spillBytes <= 0 ? Future.succeededFuture()
        : DiskQueue.open(vertx, spillDir, spillBytes, entry.name(), writerContext.registry())
            .recover(err -> {
              LOG.error("writer {}: cannot open its disk queue in {} ({}); it keeps data in memory only", entry.name(),
                  spillDir, err.getMessage());
              return Future.succeededFuture();
            });
    return writer.start().compose(v -> disk).onSuccess(d -> {
      queue = new WriterQueue(entry.name(), writer, entry.queue(), context, writerContext.registry());
      if (d != null) {
        queue.attachSpill(d);
      }
      LOG.info("writer {} ({}) started; {}{}", entry.name(), entry.type(), entry.queue(),
          d == null ? ", no disk queue" : ", disk queue " + spillDir + " (up to " + (spillBytes >> 20) + " MiB)");
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> flushed = queue == null ? Future.succeededFuture() : queue.flushAndStop(flushDeadline);
    return flushed.transform(ar -> writer.stop());
  }
}
