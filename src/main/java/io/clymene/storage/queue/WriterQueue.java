package io.clymene.storage.queue;

import io.clymene.config.Durations;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer's own bounded queue, split into shards by series hash so that requests go out in parallel
 * while each series stays in order. Any thread may {@link #offer} batches; sending happens on the
 * writer's context. A shard sends when {@code max_samples_per_send} samples wait or the oldest has
 * waited {@code batch_send_deadline}, one request at a time. Retryable failures are retried with
 * exponential backoff (honouring the backend's Retry-After); rejected data is dropped with a counter
 * and a log line. When the bound ({@code capacity * max_shards} samples) is reached, new batches are
 * dropped, counted and logged: never silently.
 */
public final class WriterQueue {
  private static final Logger LOG = LoggerFactory.getLogger(WriterQueue.class);
  /** Shards when min_shards does not ask for more (dynamic resharding is not in this version). */
  public static final int DEFAULT_SHARDS = 4;

  private final String name;
  private final StorageWriter writer;
  private final QueueOptions options;
  private final Context context;
  private final long bound;
  private final Shard[] shards;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile long highestSentTimestamp;
  private volatile boolean flushing;
  private volatile boolean stopped;
  private Promise<Void> drained;

  private final Counter sent;
  private final Counter failed;
  private final Counter retried;
  private final Counter droppedFull;
  private final Counter droppedRejected;
  private final Counter droppedShutdown;
  private final ThrottledLog retryLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog dropLog = new ThrottledLog(LOG, Duration.ofSeconds(10));

  /**
   * @param name the writer name, for metrics and logs
   * @param writer the backend
   * @param options batching, bound and retry settings
   * @param context the writer's context, where every send happens
   * @param registry where the queue's meters go
   */
  public WriterQueue(String name, StorageWriter writer, QueueOptions options, Context context,
                     MeterRegistry registry) {
    this.name = name;
    this.writer = writer;
    this.options = options;
    this.context = context;
    this.bound = options.memoryBound();
    int n = Math.max(1, Math.min(options.maxShards(), Math.max(options.minShards(), DEFAULT_SHARDS)));
    this.shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard();
    }
    this.sent = samples(registry, "sent");
    this.failed = samples(registry, "failed");
    this.retried = samples(registry, "retried");
    this.droppedFull = dropped(registry, "queue_full");
    this.droppedRejected = dropped(registry, "rejected");
    this.droppedShutdown = dropped(registry, "shutdown");
    Gauge.builder("clymene.writer.queue.samples", this, WriterQueue::length)
        .description("Samples waiting in a writer's memory queue, including requests in flight")
        .tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.queue.capacity.samples", () -> bound)
        .description("The most samples a writer's memory queue holds")
        .tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.shards", () -> shards.length)
        .description("Parallel senders of a writer").tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.highest.sent.timestamp.seconds", this, q -> q.highestSentTimestamp / 1000.0)
        .description("Newest sample timestamp a writer delivered")
        .tag("writer", name).register(registry);
  }

  public String name() {
    return name;
  }

  /** Samples waiting, including the requests in flight. */
  public long length() {
    return queued.get() + inFlight.get();
  }

  /** Number of parallel senders. */
  public int shards() {
    return shards.length;
  }

  /**
   * Queues a batch unless the queue is full (the batch is then dropped, counted and logged).
   *
   * @return whether the batch was queued
   */
  public boolean offer(SeriesBatch batch) {
    int n = batch.sampleCount();
    if (n == 0) {
      return true;
    }
    while (true) {
      long q = queued.get();
      long total = q + inFlight.get();
      if (flushing || (total > 0 && total + n > bound)) {
        droppedFull.increment(n);
        dropLog.warn("writer {}: queue full ({} of {} samples), dropped a batch of {} samples",
            name, total, bound, n);
        return false;
      }
      if (queued.compareAndSet(q, q + n)) {
        break;
      }
    }
    if (shards.length == 1) {
      shards[0].add(batch);
      return true;
    }
    // split by series hash: a series always goes through the same shard, so it stays in order
    int[] counts = new int[shards.length];
    int[] shardOf = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      int s = (int) Long.remainderUnsigned(batch.hash(i), shards.length);
      shardOf[i] = s;
      counts[s]++;
    }
    int[][] members = new int[shards.length][];
    for (int s = 0; s < shards.length; s++) {
      members[s] = new int[counts[s]];
      counts[s] = 0;
    }
    for (int i = 0; i < batch.size(); i++) {
      int s = shardOf[i];
      members[s][counts[s]++] = i;
    }
    for (int s = 0; s < shards.length; s++) {
      if (members[s].length == batch.size()) {
        shards[s].add(batch);
      } else if (members[s].length > 0) {
        shards[s].add(batch.select(members[s]));
      }
    }
    return true;
  }

  /**
   * Sends what is queued without waiting for the batch deadline, stops taking new batches and
   * completes when everything was sent or {@code deadline} passed; what is left is dropped and counted.
   */
  public Future<Void> flushAndStop(Duration deadline) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      flushing = true;
      drained = done;
      long timer = context.owner().setTimer(Math.max(1, deadline.toMillis()), t -> {
        stopped = true;
        long left = queued.getAndSet(0);
        for (Shard s : shards) {
          s.clear();
        }
        if (left > 0) {
          droppedShutdown.increment(left);
          LOG.warn("writer {}: shutdown deadline {} passed, dropped {} unsent samples", name,
              Durations.format(deadline), left);
        }
        done.tryComplete();
      });
      done.future().onComplete(ar -> context.owner().cancelTimer(timer));
      for (Shard s : shards) {
        s.drain();
      }
    });
    return done.future();
  }

  private void checkDrained() {
    if (flushing && drained != null && length() == 0) {
      drained.tryComplete();
    }
  }

  /** One ordered lane of the queue; everything but {@link #add} runs on the writer's context. */
  private final class Shard {
    private final ConcurrentLinkedQueue<SeriesBatch> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicBoolean wakeup = new AtomicBoolean();
    private SeriesBatch carry;
    private boolean sending;
    private long waitingSince;
    private long deadlineTimer = -1;
    private Duration backoff = options.minBackoff();

    void add(SeriesBatch batch) {
      samples.addAndGet(batch.sampleCount());
      queue.add(batch);
      if (wakeup.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          wakeup.set(false);
          drain();
        });
      }
    }

    void clear() {
      queue.clear();
      carry = null;
      samples.set(0);
    }

    void drain() {
      if (sending || stopped) {
        return;
      }
      long available = samples.get();
      if (available == 0) {
        waitingSince = 0;
        checkDrained();
        return;
      }
      long now = System.nanoTime();
      if (available < options.maxSamplesPerSend() && !flushing) {
        if (waitingSince == 0) {
          waitingSince = now;
        }
        long left = options.batchSendDeadline().toNanos() - (now - waitingSince);
        if (left > 0) {
          if (deadlineTimer < 0) {
            deadlineTimer = context.owner().setTimer(Math.max(1, left / 1_000_000), t -> {
              deadlineTimer = -1;
              drain();
            });
          }
          return;
        }
      }
      if (deadlineTimer >= 0) {
        context.owner().cancelTimer(deadlineTimer);
        deadlineTimer = -1;
      }
      waitingSince = 0;
      List<SeriesBatch> request = new ArrayList<>();
      int room = options.maxSamplesPerSend();
      int taken = 0;
      while (room > 0) {
        SeriesBatch b = carry != null ? carry : queue.poll();
        carry = null;
        if (b == null) {
          break;
        }
        int n = b.sampleCount();
        if (n <= room || taken == 0 && b.size() == 1) {
          request.add(b);
          room -= n;
          taken += n;
        } else {
          int cut = seriesFitting(b, room);
          if (cut == 0) {
            carry = b;
            break;
          }
          SeriesBatch head = b.slice(0, cut);
          request.add(head);
          taken += head.sampleCount();
          room -= head.sampleCount();
          carry = b.slice(cut, b.size());
        }
      }
      samples.addAndGet(-taken);
      queued.addAndGet(-taken);
      inFlight.addAndGet(taken);
      sending = true;
      send(request, taken);
    }

    private void send(List<SeriesBatch> request, int n) {
      writer.write(request).onComplete(ar -> {
        if (ar.succeeded()) {
          sent.increment(n);
          noteHighest(request);
          backoff = options.minBackoff();
          done(n);
          return;
        }
        Throwable cause = ar.cause();
        WriteException we = cause instanceof WriteException w ? w : WriteException.retryable(String.valueOf(cause),
            cause);
        if (we.retryable() && !stopped) {
          retried.increment(n);
          Duration wait = we.retryAfter() != null ? we.retryAfter() : backoff;
          backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff()
              : backoff.multipliedBy(2);
          retryLog.warn("writer {}: write of {} samples failed, retrying in {}: {} ({} samples queued)", name,
              n, Durations.format(wait), we.getMessage(), length());
          context.owner().setTimer(Math.max(1, jitter(wait).toMillis()), t -> {
            if (stopped) {
              droppedShutdown.increment(n);
              LOG.warn("writer {}: stopped, dropped {} samples waiting for a retry", name, n);
              done(n);
            } else {
              send(request, n);
            }
          });
        } else {
          failed.increment(n);
          (we.retryable() ? droppedShutdown : droppedRejected).increment(n);
          LOG.warn("writer {}: dropped {} samples the backend rejected: {}", name, n, we.getMessage());
          done(n);
        }
      });
    }

    private void done(int n) {
      sending = false;
      inFlight.addAndGet(-n);
      drain();
      checkDrained();
    }
  }

  /** How many leading series of {@code b} fit into {@code room} samples. */
  private static int seriesFitting(SeriesBatch b, int room) {
    int used = 0;
    int i = 0;
    while (i < b.size()) {
      int n = b.sampleEnd(i) - b.sampleStart(i);
      if (used + n > room) {
        break;
      }
      used += n;
      i++;
    }
    return i;
  }

  private void noteHighest(List<SeriesBatch> request) {
    long max = highestSentTimestamp;
    for (SeriesBatch b : request) {
      for (int i = 0; i < b.size(); i++) {
        for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
          max = Math.max(max, b.timestamp(s));
        }
      }
    }
    highestSentTimestamp = max;
  }

  /** Up to 10% random jitter so that many writers do not retry in lockstep. */
  private static Duration jitter(Duration d) {
    long ms = d.toMillis();
    return Duration.ofMillis(ms + (long) (Math.random() * ms * 0.1));
  }

  private Counter samples(MeterRegistry registry, String status) {
    return Counter.builder("clymene.writer.samples").description("Samples handled by a writer, by outcome")
        .tag("writer", name).tag("status", status).register(registry);
  }

  private Counter dropped(MeterRegistry registry, String reason) {
    return Counter.builder("clymene.dropped.samples").description("Samples dropped, by writer and reason")
        .tag("writer", name).tag("reason", reason).register(registry);
  }
}
