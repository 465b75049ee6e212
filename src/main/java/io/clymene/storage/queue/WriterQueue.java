package io.clymene.storage.queue;

import io.clymene.config.Durations;
import io.clymene.model.DeliveryReceipt;
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
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer's own bounded queue. Any thread may {@link #offer} batches; everything else happens on the
 * writer's context, in the order batches were offered.
 *
 * <p><b>Normal path (memory only).</b> Batches are split into shards by series hash, so requests go out in
 * parallel while each series stays in order. A shard sends when {@code max_samples_per_send} samples wait
 * or the oldest has waited {@code batch_send_deadline}, one request at a time. Every 10 s the number of
 * shards is set from the observed send time per sample and the incoming rate (Prometheus' approach:
 * enough shards to keep up with the input and work off the backlog), between {@code min_shards} and
 * {@code max_shards}; a change waits until the current shards have sent what they hold, so no series is
 * ever reordered.
 *
 * <p><b>Failures.</b> Retryable failures (5xx, 429, network) are retried with exponential backoff and
 * jitter, honouring Retry-After; rejected data is dropped with a counter and a log line.
 *
 * <p><b>Spill.</b> With a {@link Spill} attached, once sends have failed for {@link #SPILL_AFTER} or
 * memory holds more than the bound ({@code capacity * max_shards} samples), the queue spills: what it
 * holds in memory (including requests being retried) and everything offered afterwards goes to disk, in
 * order. The disk queue is then replayed in chunks through the shards; each chunk is committed once
 * delivered; when the disk queue is empty the queue goes back to memory. A queue that finds data on disk
 * when it starts replays it first. Without a spill, or when memory holds twice the bound because the
 * disk cannot keep up, new batches are dropped, counted and logged: never silently.
 */
public final class WriterQueue {
  private static final Logger LOG = LoggerFactory.getLogger(WriterQueue.class);
  /** Shards to start with, within min_shards..max_shards; resharding moves from there. */
  public static final int DEFAULT_SHARDS = 4;
  /** How long sends must have failed before the queue spills to disk. */
  public static final Duration SPILL_AFTER = Duration.ofSeconds(1);
  /** How full (percent) the disk queue may be before {@link #hasRoom} says no. */
  public static final int ADMIT_SPILL_PERCENT = 90;
  /** How often the shard count is reconsidered. */
  static final Duration RESHARD_EVERY = Duration.ofSeconds(10);
  /** A new shard count is applied only when it differs by more than this fraction. */
  static final double RESHARD_TOLERANCE = 0.3;
  /** Shards are sized so that each is busy at most about this share of the time. */
  static final double TARGET_BUSY = 0.5;

  private final String name;
  private final StorageWriter writer;
  private final QueueOptions options;
  private final Context context;
  private final long bound;
  private final ConcurrentLinkedQueue<SeriesBatch> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeup = new AtomicBoolean();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong offeredTotal = new AtomicLong();
  private volatile Shard[] shards;
  private volatile long highestSentTimestamp;
  private volatile boolean flushing;
  private volatile long hurryUntil = System.nanoTime();
  private volatile boolean stopped;
  private volatile String lastError;
  private volatile long lastErrorMillis;
  private volatile long lastSentMillis;
  private Promise<Void> drained;
  private long ticker = -1;

  // resharding (context only)
  private int reshardTo;
  private long ticks;
  private long reshardEveryTicks = RESHARD_EVERY.toSeconds();
  private long lastOffered;
  private double inRate = Double.NaN;
  private long windowSentSamples;
  private long windowSendNanos;
  private long failingSinceNanos;

  // spill (context only, except the volatile flag)
  private volatile Spill spill;
  private volatile boolean spilling;
  private List<SeriesBatch> diskBuffer = new ArrayList<>();
  private long diskBufferSamples;
  private boolean appending;
  private boolean peeking;
  private boolean replayActive;
  private long replaySamples;

  private final Counter sent;
  private final Counter failed;
  private final Counter retried;
  private final Counter droppedFull;
  private final Counter droppedRejected;
  private final Counter droppedShutdown;
  private final Counter droppedSpill;
  private final Counter spilled;
  private final Counter replayed;
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
    this.shards = newShards(Math.max(1, Math.min(options.maxShards(), Math.max(options.minShards(), DEFAULT_SHARDS))));
    this.sent = samples(registry, "sent");
    this.failed = samples(registry, "failed");
    this.retried = samples(registry, "retried");
    this.droppedFull = dropped(registry, "queue_full");
    this.droppedRejected = dropped(registry, "rejected");
    this.droppedShutdown = dropped(registry, "shutdown");
    this.droppedSpill = dropped(registry, "spill_failed");
    this.spilled = samples(registry, "spilled");
    this.replayed = samples(registry, "replayed");
    Gauge.builder("clymene.writer.queue.samples", this, WriterQueue::length)
        .description("Samples waiting in a writer's memory queue, including requests in flight")
        .tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.queue.capacity.samples", () -> bound)
        .description("The most samples a writer's memory queue holds")
        .tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.shards", this, q -> q.shards.length)
        .description("Parallel senders of a writer").tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.spilling", this, q -> q.spilling ? 1 : 0)
        .description("1 while a writer sends through its disk queue").tag("writer", name).register(registry);
    Gauge.builder("clymene.writer.highest.sent.timestamp.seconds", this, q -> q.highestSentTimestamp / 1000.0)
        .description("Newest sample timestamp a writer delivered")
        .tag("writer", name).register(registry);
    context.runOnContext(v -> ticker = context.owner().setPeriodic(1000, t -> tick()));
  }

  public String name() {
    return name;
  }

  /** Samples in memory: waiting, being written to disk, and in flight. */
  public long length() {
    return queued.get() + inFlight.get();
  }

  /** Reconsiders the shard count every {@code seconds} instead of every 10 s (for tests). */
  void reshardEvery(int seconds) {
    context.runOnContext(v -> reshardEveryTicks = seconds);
  }

  /** Number of parallel senders. */
  public int shards() {
    return shards.length;
  }

  /** Whether the queue currently goes through its disk queue. */
  public boolean spilling() {
    return spilling;
  }

  /**
   * Attaches a disk queue; call once, on the writer's context, before batches flow. When it holds data
   * from an earlier run, that is replayed first.
   */
  public void attachSpill(Spill s) {
    this.spill = s;
    if (!s.isEmpty()) {
      LOG.info("writer {}: {} samples ({} bytes) left on disk by an earlier run; replaying them first", name,
          s.samples(), s.bytes());
      spilling = true;
      maybeReplay();
    }
  }

  /**
   * Whether {@link #offer} would take {@code samples} more samples now without dropping anything: memory
   * has room, or the disk queue does (it is kept below {@value #ADMIT_SPILL_PERCENT}% of its size, so that
   * a receiver that asks first never makes it drop old data). For receivers that can tell their client to
   * come back later instead of dropping.
   */
  public boolean hasRoom(int samples) {
    if (stopped || (flushing && spill == null)) {
      return false;
    }
    Spill s = spill;
    long limit = s != null ? 2 * bound : bound;
    long total = queued.get() + inFlight.get();
    if (total > 0 && total + samples > limit) {
      return false;
    }
    return s == null || !spilling || s.bytes() < s.maxBytes() / 100 * ADMIT_SPILL_PERCENT;
  }

  /**
   * Sends what waits now instead of at {@code batch_send_deadline}, and for the next second sends without
   * waiting to fill requests: for a producer that is about to let go of its input (the ingester before it
   * commits on shutdown or rebalance). Call from any thread.
   */
  public void hurry() {
    hurryUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    context.runOnContext(v -> {
      for (Shard s : shards) {
        s.drain();
      }
    });
  }

  /**
   * Queues a batch unless memory is full (the batch is then dropped, counted and logged).
   *
   * @return whether the batch was queued
   */
  public boolean offer(SeriesBatch batch) {
    int n = batch.sampleCount();
    if (n == 0) {
      return true;
    }
    // with a disk queue, memory may briefly hold twice the bound while the overflow is written out
    long limit = spill != null ? 2 * bound : bound;
    while (true) {
      long q = queued.get();
      long total = q + inFlight.get();
      if (stopped) {
        droppedShutdown.increment(n);
        dropLog.warn("writer {}: stopped, dropped a batch of {} samples", name, n);
        lost(batch, "writer " + name + " stopped");
        return false;
      }
      if ((flushing && spill == null) || (total > 0 && total + n > limit)) {
        droppedFull.increment(n);
        dropLog.warn("writer {}: queue full ({} of {} samples{}), dropped a batch of {} samples", name, total, limit,
            spill != null ? ", disk queue not keeping up" : ", no disk queue", n);
        lost(batch, "writer " + name + " queue full");
        return false;
      }
      if (queued.compareAndSet(q, q + n)) {
        break;
      }
    }
    offeredTotal.addAndGet(n);
    inbox.add(batch);
    if (wakeup.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        wakeup.set(false);
        route();
      });
    }
    return true;
  }

  /** Moves offered batches to the shards, or to the disk queue while spilling. On the context. */
  private void route() {
    if (reshardTo > 0 && !spilling) {
      return; // held until the shards are empty
    }
    SeriesBatch b;
    while ((b = inbox.poll()) != null) {
      if (!spilling && spill != null && !stopped && (length() > bound || failingLongEnough())) {
        startSpilling(length() > bound ? "memory queue full" : "sends failing for " + Durations.format(SPILL_AFTER));
      }
      if (spilling) {
        diskBuffer.add(b);
        diskBufferSamples += b.sampleCount();
      } else {
        split(b);
      }
    }
    if (spilling) {
      pumpDisk();
    } else {
      for (Shard s : shards) {
        s.drain();
      }
    }
  }

  private void split(SeriesBatch batch) {
    Shard[] sh = shards;
    if (sh.length == 1) {
      sh[0].add(batch);
      return;
    }
    // a series always goes through the same shard, so it stays in order
    int[] counts = new int[sh.length];
    int[] shardOf = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      int s = (int) Long.remainderUnsigned(batch.hash(i), sh.length);
      shardOf[i] = s;
      counts[s]++;
    }
    int[][] members = new int[sh.length][];
    for (int s = 0; s < sh.length; s++) {
      members[s] = new int[counts[s]];
      counts[s] = 0;
    }
    for (int i = 0; i < batch.size(); i++) {
      int s = shardOf[i];
      members[s][counts[s]++] = i;
    }
    for (int s = 0; s < sh.length; s++) {
      if (members[s].length == batch.size()) {
        sh[s].add(batch);
      } else if (members[s].length > 0) {
        sh[s].add(batch.select(members[s]));
      }
    }
  }

  private boolean failingLongEnough() {
    return failingSinceNanos != 0 && System.nanoTime() - failingSinceNanos >= SPILL_AFTER.toNanos();
  }

  /** Every second: spill when sends keep failing; every 10 s: reconsider the shard count. */
  private void tick() {
    if (stopped) {
      return;
    }
    if (!spilling && spill != null && failingLongEnough()) {
      startSpilling("sends failing for " + Durations.format(SPILL_AFTER));
      pumpDisk();
    }
    maybeReplay();
    if (++ticks % reshardEveryTicks == 0) {
      reconsiderShards();
    }
    if (reshardTo > 0) {
      finishReshard();
    }
  }

  private void reconsiderShards() {
    long offered = offeredTotal.get();
    double rate = (offered - lastOffered) / (double) reshardEveryTicks;
    lastOffered = offered;
    inRate = Double.isNaN(inRate) ? rate : 0.2 * rate + 0.8 * inRate;
    long sentSamples = windowSentSamples;
    long sendNanos = windowSendNanos;
    windowSentSamples = 0;
    windowSendNanos = 0;
    if (spilling || flushing || failingSinceNanos != 0 || reshardTo > 0 || sentSamples == 0) {
      return;
    }
    // shard-seconds spent sending per second, and what one shard sends per second of sending
    double busy = sendNanos / 1e9 / reshardEveryTicks;
    double perShard = sentSamples / (sendNanos / 1e9);
    double backlog = queued.get() / (perShard * reshardEveryTicks);
    double desired = busy / TARGET_BUSY + backlog;
    int current = shards.length;
    if (desired > current * (1 - RESHARD_TOLERANCE) && desired < current * (1 + RESHARD_TOLERANCE)) {
      return;
    }
    int target = (int) Math.max(options.minShards(), Math.min(options.maxShards(), Math.ceil(desired)));
    if (target != current) {
      LOG.info("writer {}: resharding from {} to {} (in {} samples/s, senders busy {} shard-seconds per second, "
          + "{} samples waiting)", name, current, target, Math.round(inRate), String.format("%.2f", busy), queued.get());
      reshardTo = target;
      finishReshard();
    }
  }

  /** Swaps in the new shards once the old ones have sent what they hold. */
  private void finishReshard() {
    for (Shard s : shards) {
      if (s.busy()) {
        s.drain();
        return;
      }
    }
    shards = newShards(reshardTo);
    reshardTo = 0;
    route();
  }

  private Shard[] newShards(int n) {
    Shard[] s = new Shard[n];
    for (int i = 0; i < n; i++) {
      s[i] = new Shard();
    }
    return s;
  }

  // ---- spill ----

  /** From now on everything goes to disk; what memory holds goes first. */
  private void startSpilling(String why) {
    spilling = true;
    long before = diskBufferSamples;
    List<SeriesBatch> moved = new ArrayList<>();
    long abandoned = 0;
    for (Shard s : shards) {
      abandoned += s.abandonTo(moved);
    }
    for (SeriesBatch b : moved) {
      diskBuffer.add(b);
      diskBufferSamples += b.sampleCount();
    }
    // requests that were in flight are now counted as waiting for the disk
    inFlight.addAndGet(-abandoned);
    queued.addAndGet(abandoned);
    reshardTo = 0;
    LOG.warn("writer {}: {}; spilling to disk from now on ({} samples from memory first) until the backlog is "
        + "replayed", name, why, diskBufferSamples - before);
  }

  /** Writes the disk buffer out, one append at a time. */
  private void pumpDisk() {
    if (appending || diskBuffer.isEmpty() || spill == null) {
      maybeReplay();
      return;
    }
    appending = true;
    List<SeriesBatch> batch = diskBuffer;
    long n = diskBufferSamples;
    diskBuffer = new ArrayList<>();
    diskBufferSamples = 0;
    spill.append(batch).onComplete(ar -> {
      appending = false;
      queued.addAndGet(-n);
      if (ar.succeeded()) {
        spilled.increment(n);
        settled(batch);
      } else {
        droppedSpill.increment(n);
        batch.forEach(b -> lost(b, "writer " + name + " could not write its disk queue"));
        LOG.error("writer {}: could not write {} samples to the disk queue, dropped them: {}", name, n,
            ar.cause().getMessage());
      }
      pumpDisk();
      checkDrained();
    });
  }

  /** Sends the next chunk of the disk queue when the shards are idle; leaves spill mode when all is sent. */
  private void maybeReplay() {
    Spill s = spill;
    if (!spilling || s == null || replayActive || peeking || stopped || flushing) {
      return;
    }
    for (Shard sh : shards) {
      if (sh.busy()) {
        return;
      }
    }
    if (s.isEmpty()) {
      if (diskBuffer.isEmpty() && !appending && inbox.isEmpty()) {
        spilling = false;
        LOG.info("writer {}: disk queue replayed; back to the memory queue", name);
        route();
      }
      return;
    }
    peeking = true;
    int chunk = (int) Math.max(options.maxSamplesPerSend(), Math.min(bound / 2,
        (long) options.maxSamplesPerSend() * shards.length * 4));
    s.peek(chunk).onComplete(ar -> {
      peeking = false;
      if (ar.failed()) {
        retryLog.warn("writer {}: cannot read the disk queue, trying again: {}", name, ar.cause().getMessage());
        return;
      }
      List<SeriesBatch> batches = ar.result();
      if (batches.isEmpty()) {
        maybeReplay();
        return;
      }
      replayActive = true;
      long n = 0;
      for (SeriesBatch b : batches) {
        n += b.sampleCount();
      }
      replaySamples = n;
      queued.addAndGet(n);
      for (SeriesBatch b : batches) {
        split(b);
      }
      for (Shard sh : shards) {
        sh.drain();
      }
    });
  }

  /** Called when a shard went idle: commits a delivered replay chunk. */
  private void shardIdle() {
    if (reshardTo > 0) {
      finishReshard();
    }
    if (!replayActive) {
      maybeReplay();
      return;
    }
    for (Shard sh : shards) {
      if (sh.busy()) {
        return;
      }
    }
    long n = replaySamples;
    spill.commit().onComplete(ar -> {
      replayActive = false;
      if (ar.failed()) {
        LOG.warn("writer {}: could not record replay progress on disk (samples may be sent twice): {}", name,
            ar.cause().getMessage());
      }
      replayed.increment(n);
      maybeReplay();
    });
  }

  // ---- shutdown ----

  /**
   * Sends what is queued without waiting for the batch deadline and stops taking new batches. With a disk
   * queue, whatever is not delivered by {@code deadline} (or everything, while spilling) is written to
   * disk for the next start; without one it is dropped and counted. Completes when done.
   */
  public Future<Void> flushAndStop(Duration deadline) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      flushing = true;
      drained = done;
      context.owner().cancelTimer(ticker);
      if (spilling) {
        spillEverything(done);
        return;
      }
      long timer = context.owner().setTimer(Math.max(1, deadline.toMillis()), t -> {
        if (spill != null) {
          spillEverything(done);
          return;
        }
        stopped = true;
        long left = queued.getAndSet(0) + inFlight.getAndSet(0);
        SeriesBatch waiting;
        while ((waiting = inbox.poll()) != null) {
          lost(waiting, "writer " + name + " stopped");
        }
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
      route();
      checkDrained();
    });
    return done.future();
  }

  /** Shutdown while spilling or past the deadline: memory goes to disk, the disk queue is closed. */
  private void spillEverything(Promise<Void> done) {
    if (!spilling) {
      spilling = true;
    }
    stopped = true;
    List<SeriesBatch> moved = new ArrayList<>();
    for (Shard s : shards) {
      // a replay chunk in the shards is still on disk (not committed): it is not written again
      s.abandonTo(replayActive ? new ArrayList<>() : moved);
    }
    SeriesBatch b;
    while ((b = inbox.poll()) != null) {
      moved.add(b);
    }
    for (SeriesBatch m : moved) {
      diskBuffer.add(m);
      diskBufferSamples += m.sampleCount();
    }
    long total = diskBufferSamples;
    awaitDisk(() -> {
      if (total > 0) {
        LOG.info("writer {}: stopped; {} unsent samples kept in the disk queue for the next start", name, total);
      }
      queued.set(0);
      inFlight.set(0);
      closeSpill(done);
    });
  }

  private void awaitDisk(Runnable then) {
    if (appending || !diskBuffer.isEmpty()) {
      pumpDisk();
      context.owner().setTimer(10, t -> awaitDisk(then));
      return;
    }
    then.run();
  }

  private void checkDrained() {
    if (flushing && !stopped && drained != null && length() == 0 && inbox.isEmpty()) {
      stopped = true;
      closeSpill(drained);
    }
  }

  private void closeSpill(Promise<Void> done) {
    Spill s = spill;
    if (s == null) {
      done.tryComplete();
      return;
    }
    s.close().onComplete(ar -> {
      if (ar.failed()) {
        LOG.error("writer {}: closing the disk queue failed: {}", name, ar.cause().getMessage());
      }
      done.tryComplete();
    });
  }

  // ---- status ----

  /** A snapshot for {@code /api/v1/status/remote-write}. */
  public JsonObject status() {
    Spill s = spill;
    JsonObject o = new JsonObject()
        .put("name", name)
        .put("shards", shards.length)
        .put("minShards", options.minShards())
        .put("maxShards", options.maxShards())
        .put("queuedSamples", length())
        .put("capacitySamples", bound)
        .put("spilling", spilling)
        .put("spillSamples", s == null ? 0 : s.samples())
        .put("spillBytes", s == null ? 0 : s.bytes())
        .put("samplesSent", (long) sent.count())
        .put("samplesFailed", (long) failed.count())
        .put("samplesRetried", (long) retried.count())
        .put("samplesDropped", (long) (droppedFull.count() + droppedRejected.count() + droppedShutdown.count()
            + droppedSpill.count()))
        .put("highestSentTimestamp", highestSentTimestamp == 0 ? null
            : Instant.ofEpochMilli(highestSentTimestamp).toString())
        .put("lastSend", lastSentMillis == 0 ? null : Instant.ofEpochMilli(lastSentMillis).toString())
        .put("lastError", lastError)
        .put("lastErrorTime", lastErrorMillis == 0 ? null : Instant.ofEpochMilli(lastErrorMillis).toString());
    return o;
  }

  // ---- shards ----

  /** One sender: its queue (per-series ordered) and at most one request in flight. */
  private final class Shard {
    private final ConcurrentLinkedQueue<SeriesBatch> queue = new ConcurrentLinkedQueue<>();
    private long samples;
    private SeriesBatch carry;
    private boolean sending;
    private List<SeriesBatch> current;
    private int currentSamples;
    private int epoch;
    private long waitingSince;
    private long deadlineTimer = -1;
    private Duration backoff = options.minBackoff();

    void add(SeriesBatch batch) {
      samples += batch.sampleCount();
      queue.add(batch);
    }

    boolean busy() {
      return sending || samples > 0;
    }

    void clear() {
      List<SeriesBatch> left = new ArrayList<>();
      abandonTo(left);
      left.forEach(b -> lost(b, "writer " + name + " stopped"));
    }

    /** Hands over the request in flight and the queued batches (in order), and forgets them. */
    long abandonTo(List<SeriesBatch> out) {
      long inFlightSamples = 0;
      if (sending && current != null) {
        out.addAll(current);
        inFlightSamples = currentSamples;
      }
      if (carry != null) {
        out.add(carry);
      }
      SeriesBatch b;
      while ((b = queue.poll()) != null) {
        out.add(b);
      }
      carry = null;
      samples = 0;
      epoch++;
      sending = false;
      current = null;
      if (deadlineTimer >= 0) {
        context.owner().cancelTimer(deadlineTimer);
        deadlineTimer = -1;
      }
      waitingSince = 0;
      return inFlightSamples;
    }

    void drain() {
      if (sending || stopped) {
        return;
      }
      long available = samples;
      if (available == 0) {
        waitingSince = 0;
        checkDrained();
        return;
      }
      long now = System.nanoTime();
      boolean urgent = flushing || reshardTo > 0 || replayActive || now - hurryUntil < 0;
      if (available < options.maxSamplesPerSend() && !urgent) {
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
      samples -= taken;
      queued.addAndGet(-taken);
      inFlight.addAndGet(taken);
      sending = true;
      current = request;
      currentSamples = taken;
      send(request, taken, epoch);
    }

    private void send(List<SeriesBatch> request, int n, int sendEpoch) {
      long start = System.nanoTime();
      writer.write(request).onComplete(ar -> {
        boolean mine = sendEpoch == epoch;
        if (ar.succeeded()) {
          sent.increment(n);
          noteHighest(request);
          lastSentMillis = System.currentTimeMillis();
          failingSinceNanos = 0;
          if (mine) {
            settled(request); // else it was handed to the disk queue, which settles it when written
            windowSentSamples += n;
            windowSendNanos += System.nanoTime() - start;
            backoff = options.minBackoff();
            done(n);
          }
          return;
        }
        if (!mine) {
          return; // handed over to the disk queue meanwhile
        }
        Throwable cause = ar.cause();
        WriteException we = cause instanceof WriteException w ? w : WriteException.retryable(String.valueOf(cause),
            cause);
        lastError = we.getMessage();
        lastErrorMillis = System.currentTimeMillis();
        if (we.partial()) {
          partlyWritten(request, n, sendEpoch, we);
        } else if (we.retryable() && !stopped) {
          retryLater(request, n, sendEpoch, we);
        } else {
          failed.increment(n);
          (we.retryable() ? droppedShutdown : droppedRejected).increment(n);
          dropLog.warn("writer {}: dropped {} samples the backend rejected: {}", name, n, we.getMessage());
          if (we.retryable()) {
            request.forEach(b -> lost(b, "writer " + name + " stopped"));
          } else {
            settled(request); // sending it again would not help: it is done with, counted and logged
          }
          done(n);
        }
      });
    }

    /**
     * The backend wrote part of a request: the written and the rejected samples are settled (the rejected
     * ones counted and logged), and only the series it asks for again are retried.
     */
    private void partlyWritten(List<SeriesBatch> request, int n, int sendEpoch, WriteException we) {
      List<SeriesBatch> retry = we.retryBatches();
      int retryN = 0;
      for (SeriesBatch b : retry) {
        retryN += b.sampleCount();
      }
      long rejected = Math.min(we.rejectedSamples(), n - retryN);
      long written = n - retryN - rejected;
      if (written > 0) {
        sent.increment(written);
        noteHighest(request);
        lastSentMillis = System.currentTimeMillis();
      }
      if (rejected > 0) {
        failed.increment(rejected);
        droppedRejected.increment(rejected);
        dropLog.warn("writer {}: the backend wrote {} of {} samples and rejected {}: {}", name, written, n,
            rejected, we.getMessage());
      }
      settledExcept(request, retry);
      if (retry.isEmpty() || stopped) {
        if (!retry.isEmpty()) {
          droppedShutdown.increment(retryN);
          LOG.warn("writer {}: stopped, dropped {} samples to retry", name, retryN);
          retry.forEach(b -> lost(b, "writer " + name + " stopped"));
        }
        backoff = options.minBackoff();
        done(n);
        return;
      }
      inFlight.addAndGet(-(n - retryN));
      current = retry;
      currentSamples = retryN;
      retryLater(retry, retryN, sendEpoch, we);
    }

    private void retryLater(List<SeriesBatch> request, int n, int sendEpoch, WriteException we) {
      if (failingSinceNanos == 0) {
        failingSinceNanos = System.nanoTime();
      }
      retried.increment(n);
      Duration wait = we.retryAfter() != null ? we.retryAfter() : backoff;
      backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff()
          : backoff.multipliedBy(2);
      retryLog.warn("writer {}: write of {} samples failed, retrying in {}: {} ({} samples in memory{})", name,
          n, Durations.format(wait), we.getMessage(), length(),
          spill == null ? "" : spilling ? ", spilling to disk" : ", disk queue ready");
      context.owner().setTimer(Math.max(1, jitter(wait).toMillis()), t -> {
        if (sendEpoch != epoch) {
          return;
        }
        if (stopped) {
          droppedShutdown.increment(n);
          LOG.warn("writer {}: stopped, dropped {} samples waiting for a retry", name, n);
          request.forEach(b -> lost(b, "writer " + name + " stopped"));
          done(n);
        } else {
          send(request, n, sendEpoch);
        }
      });
    }

    private void done(int n) {
      sending = false;
      current = null;
      inFlight.addAndGet(-n);
      drain();
      checkDrained();
      if (!busy()) {
        shardIdle();
      }
    }
  }

  /** Tells the receipts of {@code batches} that this writer is done with them. */
  private static void settled(List<SeriesBatch> batches) {
    for (SeriesBatch b : batches) {
      if (b.receipt() != null) {
        b.receipt().settled(b.sampleCount());
      }
    }
  }

  /** Settles the receipts of {@code request} for every sample not in {@code retry} (cut from it). */
  private static void settledExcept(List<SeriesBatch> request, List<SeriesBatch> retry) {
    Map<DeliveryReceipt, Integer> open = new IdentityHashMap<>();
    for (SeriesBatch b : request) {
      if (b.receipt() != null) {
        open.merge(b.receipt(), b.sampleCount(), Integer::sum);
      }
    }
    for (SeriesBatch b : retry) {
      if (b.receipt() != null) {
        open.merge(b.receipt(), -b.sampleCount(), Integer::sum);
      }
    }
    open.forEach((receipt, n) -> {
      if (n > 0) {
        receipt.settled(n);
      }
    });
  }

  private static void lost(SeriesBatch b, String reason) {
    if (b.receipt() != null) {
      b.receipt().lost(b.sampleCount(), reason);
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

  /** Up to 20% random jitter so that many writers do not retry in lockstep. */
  private static Duration jitter(Duration d) {
    long ms = d.toMillis();
    return Duration.ofMillis(ms + (long) (Math.random() * ms * 0.2));
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
