package io.clymene.storage.composite;

import io.clymene.config.ConfigException;
import io.clymene.model.DeliveryReceipt;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProviders;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.transport.eventbus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
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

  private volatile List<StorageEntry> entries;
  private final StorageProviders providers;
  private final WriterContext writerContext;
  private final Duration flushDeadline;
  private final List<WriterVerticle> writers = new CopyOnWriteArrayList<>();
  private final java.util.Map<String, String> deploymentIds = new java.util.concurrent.ConcurrentHashMap<>();
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

  /** Every writer's state, for {@code GET /api/v1/status/remote-write}. */
  public JsonObject status() {
    JsonArray list = new JsonArray();
    writers.forEach(w -> {
      JsonObject o = w.queue() != null ? w.queue().status() : new JsonObject().put("name", w.entry().name())
          .put("state", "starting");
      o.put("type", w.entry().type());
      String url = w.entry().config().getString("url");
      if (url != null) {
        o.put("url", url);
      }
      list.add(o);
    });
    return new JsonObject().put("writers", list);
  }

  @Override
  public Future<?> start() {
    List<Future<String>> started = new ArrayList<>();
    for (StorageEntry entry : entries) {
      started.add(startWriter(entry));
    }
    return Future.all(started).onSuccess(v -> {
      consumer = vertx.eventBus().localConsumer(Addresses.STORAGE_WRITE, msg -> msg.reply(offer(msg.body())));
      LOG.info("composite writer ready with {} writer(s): {}", writers.size(),
          entries.stream().map(StorageEntry::name).toList());
    });
  }

  private Future<String> startWriter(StorageEntry entry) {
    WriterVerticle w = new WriterVerticle(entry, providers.get(entry.type()), writerContext, flushDeadline);
    return vertx.deployVerticle(w).onSuccess(id -> {
      writers.add(w);
      deploymentIds.put(entry.name(), id);
    }).recover(err -> Future.failedFuture(err instanceof ConfigException ? err : new IllegalStateException(
        "writer " + entry.name() + " (" + entry.path() + ") failed to start: " + err.getMessage(), err)));
  }

  /**
   * Switches to a new set of writers: unchanged entries keep their writer and queue, removed ones are
   * stopped (flushing what they hold), new and changed ones are started. Call from any thread.
   */
  public Future<Void> reconfigure(List<StorageEntry> next) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      java.util.Map<String, StorageEntry> wanted = new java.util.LinkedHashMap<>();
      next.forEach(e -> wanted.put(e.name(), e));
      List<Future<?>> steps = new ArrayList<>();
      for (WriterVerticle w : new ArrayList<>(writers)) {
        StorageEntry want = wanted.get(w.entry().name());
        if (want != null && want.config().equals(w.entry().config())) {
          wanted.remove(w.entry().name());
        } else {
          writers.remove(w);
          String id = deploymentIds.remove(w.entry().name());
          steps.add(id == null ? Future.succeededFuture() : vertx.undeploy(id));
        }
      }
      Future.join(steps).compose(x -> {
        List<Future<String>> starting = new ArrayList<>();
        wanted.values().forEach(e -> starting.add(startWriter(e)));
        return Future.join(starting);
      }).onSuccess(x -> {
        entries = List.copyOf(next);
        LOG.info("composite writer now has {} writer(s): {}", writers.size(),
            next.stream().map(StorageEntry::name).toList());
      }).<Void>mapEmpty().onComplete(done);
    });
    return done.future();
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

  /**
   * Gives the batch to every writer if each has room for it now, else to none, for receivers that can
   * tell their client to come back later (the gateway) rather than drop. Call from any thread.
   *
   * @return null when every writer took the batch, else why not (naming the writer that has no room);
   *     a writer that fills up between the check and the offer drops the batch as {@link #offer} does
   *     and is named too
   */
  public String admit(SeriesBatch batch) {
    String full = roomFor(batch.sampleCount());
    if (full != null) {
      return full;
    }
    String refused = null;
    for (WriterVerticle w : writers) {
      if (!w.queue().offer(batch)) {
        refused = "writer " + w.entry().name() + " filled up";
      }
    }
    return refused;
  }

  /**
   * Whether every writer has room for {@code samples} more samples now (see {@link WriterQueue#hasRoom}).
   * Call from any thread.
   *
   * @return null if so, else why not, naming the writer
   */
  public String roomFor(int samples) {
    if (writers.size() < entries.size()) {
      return "writers are starting";
    }
    for (WriterVerticle w : writers) {
      WriterQueue q = w.queue();
      if (q == null) {
        return "writer " + w.entry().name() + " is starting";
      }
      if (!q.hasRoom(samples)) {
        return "writer " + w.entry().name() + " has no room for " + samples + " samples";
      }
    }
    return null;
  }

  /**
   * Gives the batch to every writer and tells when all of them are done with it: the future succeeds once
   * every writer has delivered the batch's samples, written them to its disk queue or had them refused for
   * good by its backend (counted and logged), and fails with {@link UndeliveredException} when a writer lost
   * some (full queue, shutdown). For consumers that may only let go of their input once it is safe (the
   * ingester commits Kafka offsets this way); check {@link #roomFor} first to avoid losses. Call from any
   * thread; the future completes on a writer's thread.
   */
  public Future<Void> deliver(SeriesBatch batch) {
    List<WriterQueue> qs = queues();
    if (qs.size() < entries.size()) {
      return Future.failedFuture(new UndeliveredException("writers are starting"));
    }
    int n = batch.sampleCount();
    if (n == 0 || qs.isEmpty()) {
      return Future.succeededFuture();
    }
    Receipt receipt = new Receipt((long) n * qs.size());
    SeriesBatch tracked = batch.withReceipt(receipt);
    for (WriterQueue q : qs) {
      q.offer(tracked);
    }
    return receipt.promise.future();
  }

  /** Every writer sends what it holds now rather than at its batch deadline (see {@link WriterQueue#hurry}). */
  public void hurry() {
    queues().forEach(WriterQueue::hurry);
  }

  /** Counts the samples every writer reports; completes once all are in. */
  private static final class Receipt implements DeliveryReceipt {
    private final AtomicLong remaining;
    private final Promise<Void> promise = Promise.promise();
    private volatile String lost;

    Receipt(long expected) {
      this.remaining = new AtomicLong(expected);
    }

    @Override
    public void settled(int samples) {
      count(samples);
    }

    @Override
    public void lost(int samples, String reason) {
      lost = reason;
      count(samples);
    }

    private void count(int samples) {
      if (remaining.addAndGet(-samples) == 0) {
        String why = lost;
        if (why == null) {
          promise.complete();
        } else {
          promise.fail(new UndeliveredException(why));
        }
      }
    }
  }

  /** Writers are child deployments: Vert.x stops them (each flushing its queue) when this one stops. */
  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
