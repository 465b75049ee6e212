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
 * A writer's own bounded queue. Any thread may {@link #offer} batches; sending happens on the writer's
 * context, one request at a time so that each series stays in order. A request goes out when
 * {@code max_samples_per_send} samples are waiting or the oldest has waited {@code batch_send_deadline}.
 * Retryable failures are retried with exponential backoff (honouring the backend's Retry-After);
 * rejected data is dropped with a counter and a log line. When the bound ({@code capacity * max_shards}
 * samples) is reached, new batches are dropped, counted and logged: never silently.
 */
public final class WriterQueue {
  private static final Logger LOG = LoggerFactory.getLogger(WriterQueue.class);

  private final String name;
  private final StorageWriter writer;
  private final QueueOptions options;
  private final Context context;
  private final long bound;
  private final ConcurrentLinkedQueue<SeriesBatch> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean wakeup = new AtomicBoolean();
  private volatile long inFlightSamples;
  private volatile long highestSentTimestamp;

  // confined to the writer's context
  private SeriesBatch carry;
  private boolean inFlight;
  private long waitingSince;
  private long deadlineTimer = -1;
  private Duration backoff;
  private boolean flushing;
  private boolean stopped;
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
    this.backoff = options.minBackoff();
    this.sent = samples(registry, "sent");
    this.failed = samples(registry, "failed");
    this.retried = samples(registry, "retried");
    this.droppedFull = dropped(registry, "queue_full");
    this.droppedRejected = dropped(registry, "rejected");
    this.droppedShutdown = dropped(registry, "shutdown");
    Gauge.builder("clymene.writer.queue.samples", this, WriterQueue::length)
        .description("Samples waiting in a writer's memory queue, including the request in flight")
        .tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.queue.capacity.samples", () -> bound)
        .description("The most samples a writer's memory queue holds")
        .tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.highest.sent.timestamp.seconds", this, q -> q.highestSentTimestamp / 1000.0)
        .description("Newest sample timestamp a writer delivered")
        .tag("writer", name).register(registry);
  }

  public String name() {
    return name;
  }

  /** Samples waiting, including the request in flight. */
  public long length() {
    return queued.get() + inFlightSamples;
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
      long total = q + inFlightSamples;
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
    queue.add(batch);
    if (wakeup.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        wakeup.set(false);
        drain();
      });
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
        queue.clear();
        if (carry != null) {
          carry = null;
        }
        if (left > 0) {
          droppedShutdown.increment(left);
          LOG.warn("writer {}: shutdown deadline {} passed, dropped {} unsent samples", name,
              Durations.format(deadline), left);
        }
        done.tryComplete();
      });
      done.future().onComplete(ar -> context.owner().cancelTimer(timer));
      drain();
    });
    return done.future();
  }

  private void drain() {
    if (inFlight || stopped) {
      return;
    }
    long available = queued.get();
    if (available == 0) {
      waitingSince = 0;
      if (flushing && drained != null) {
        drained.tryComplete();
      }
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
    queued.addAndGet(-taken);
    inFlightSamples = taken;
    inFlight = true;
    send(request, taken);
  }

  /** How many leading series of {@code b} fit into {@code room} samples. */
  private static int seriesFitting(SeriesBatch b, int room) {
    int base = b.sampleStart(0);
    int lo = 0;
    while (lo < b.size() && b.sampleEnd(lo) - base <= room) {
      lo++;
    }
    return lo;
  }

  private void send(List<SeriesBatch> request, int samples) {
    writer.write(request).onComplete(ar -> {
      if (ar.succeeded()) {
        sent.increment(samples);
        noteHighest(request);
        backoff = options.minBackoff();
        done();
        return;
      }
      Throwable cause = ar.cause();
      WriteException we = cause instanceof WriteException w ? w : WriteException.retryable(String.valueOf(cause),
          cause);
      if (we.retryable() && !stopped) {
        retried.increment(samples);
        Duration wait = we.retryAfter() != null ? we.retryAfter() : backoff;
        backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff()
            : backoff.multipliedBy(2);
        retryLog.warn("writer {}: write of {} samples failed, retrying in {}: {} ({} samples queued)", name,
            samples, Durations.format(wait), we.getMessage(), length());
        context.owner().setTimer(Math.max(1, jitter(wait).toMillis()), t -> {
          if (stopped) {
            droppedShutdown.increment(samples);
            LOG.warn("writer {}: stopped, dropped {} samples waiting for a retry", name, samples);
            done();
          } else {
            send(request, samples);
          }
        });
      } else {
        failed.increment(samples);
        (we.retryable() ? droppedShutdown : droppedRejected).increment(samples);
        LOG.warn("writer {}: dropped {} samples the backend rejected: {}", name, samples, we.getMessage());
        done();
      }
    });
  }

  private void done() {
    inFlight = false;
    inFlightSamples = 0;
    drain();
  }

  private void noteHighest(List<SeriesBatch> request) {
    long max = highestSentTimestamp;
    for (SeriesBatch b : request) {
      for (int s = b.sampleStart(0), e = b.size() == 0 ? s : b.sampleEnd(b.size() - 1); s < e; s++) {
        max = Math.max(max, b.timestamp(s));
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
