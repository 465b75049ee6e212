package io.clymene.storage.composite;

import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
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
    return writer.start().onSuccess(v -> {
      queue = new WriterQueue(entry.name(), writer, entry.queue(), context, writerContext.registry());
      LOG.info("writer {} ({}) started; {}", entry.name(), entry.type(), entry.queue());
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> flushed = queue == null ? Future.succeededFuture() : queue.flushAndStop(flushDeadline);
    return flushed.transform(ar -> writer.stop());
  }
}
