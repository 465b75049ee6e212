package io.clymene.storage.composite;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProviders;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.transport.eventbus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composite writer: takes batches from the local event bus and gives each to every writer's own
 * bounded queue. Each writer runs in its own verticle, so a slow or dead backend never stalls another.
 * The reply to a batch is the number of writers that queued it.
 */
public final class CompositeWriterVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeWriterVerticle.class);
  /** How long shutdown waits for queued data to be sent. */
  public static final Duration DEFAULT_FLUSH_DEADLINE = Duration.ofSeconds(3);

  private final List<StorageEntry> entries;
  private final StorageProviders providers;
  private final WriterContext writerContext;
  private final Duration flushDeadline;
  private final List<WriterVerticle> writers = new CopyOnWriteArrayList<>();
  private MessageConsumer<SeriesBatch> consumer;

  public CompositeWriterVerticle(List<StorageEntry> entries, StorageProviders providers,
                                 WriterContext writerContext, Duration flushDeadline) {
    this.entries = List.copyOf(entries);
    this.providers = providers;
    this.writerContext = writerContext;
    this.flushDeadline = flushDeadline;
  }

  /** The writers' queues (for status and tests). */
  public List<WriterQueue> queues() {
    List<WriterQueue> qs = new ArrayList<>();
    writers.forEach(w -> {
      if (w.queue() != null) {
        qs.add(w.queue());
      }
    });
    return qs;
  }

  @Override
  public Future<?> start() {
    List<Future<String>> started = new ArrayList<>();
    for (StorageEntry entry : entries) {
      WriterVerticle w = new WriterVerticle(entry, providers.get(entry.type()), writerContext, flushDeadline);
      started.add(vertx.deployVerticle(w).onSuccess(id -> writers.add(w)).recover(err -> Future.failedFuture(
          err instanceof ConfigException ? err : new IllegalStateException(
              "writer " + entry.name() + " (" + entry.path() + ") failed to start: " + err.getMessage(), err))));
    }
    return Future.all(started).onSuccess(v -> {
      consumer = vertx.eventBus().consumer(Addresses.STORAGE_WRITE, msg -> msg.reply(offer(msg.body())));
      LOG.info("composite writer ready with {} writer(s): {}", writers.size(),
          entries.stream().map(StorageEntry::name).toList());
    });
  }

  /** Gives the batch to every writer; returns how many queued it. */
  public int offer(SeriesBatch batch) {
    int accepted = 0;
    for (WriterVerticle w : writers) {
      WriterQueue q = w.queue();
      if (q != null && q.offer(batch)) {
        accepted++;
      }
    }
    return accepted;
  }

  /** Writers are child deployments: Vert.x stops them (each flushing its queue) when this one stops. */
  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
