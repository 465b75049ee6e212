package io.clymene.storage.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue's batching, retry, drop and flush rules, driven by a scripted writer (the queue's own
 * contract; the real backends are exercised in the integration tests).
 */
@Timeout(30)
class WriterQueueTest {
  private Vertx vertx;
  private Context context;
  private SimpleMeterRegistry registry;

  /** Records what it receives; answers with the script. */
  static final class ScriptedWriter implements StorageWriter {
    final List<List<Long>> requests = Collections.synchronizedList(new ArrayList<>());
    final ConcurrentLinkedQueue<Function<List<SeriesBatch>, Future<Void>>> script = new ConcurrentLinkedQueue<>();

    @Override
    public Future<Void> start() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> write(List<SeriesBatch> batches) {
      Function<List<SeriesBatch>, Future<Void>> next = script.poll();
      Future<Void> answer = next == null ? Future.succeededFuture() : next.apply(batches);
      List<Long> ts = new ArrayList<>();
      for (SeriesBatch b : batches) {
        for (int i = 0; i < b.size(); i++) {
          for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
            ts.add(b.timestamp(s));
          }
        }
      }
      return answer.onSuccess(v -> requests.add(ts));
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    List<Long> delivered() {
      List<Long> all = new ArrayList<>();
      synchronized (requests) {
        requests.forEach(all::addAll);
      }
      return all;
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void tearDown() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static SeriesBatch batch(long firstTs, int series) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < series; i++) {
      b.beginSeries().label("__name__", "m").label("i", Long.toString(firstTs + i)).sample(firstTs + i, 1);
      b.endSeries();
    }
    return b.build();
  }

  private double counter(String name, String tag, String value) {
    var c = registry.find(name).tag("writer", "w").tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void sendsFullRequestsInOrderSplittingBigBatches() {
    ScriptedWriter w = new ScriptedWriter();
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(100).setBatchSendDeadline(Duration.ofSeconds(60))
        .setMaxShards(1);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    assertThat(q.offer(batch(0, 250))).isTrue();
    assertThat(q.offer(batch(250, 50))).isTrue();
    Await.until("300 samples delivered", Duration.ofSeconds(10), () -> w.delivered().size() == 300);
    assertThat(w.requests).allMatch(r -> r.size() == 100);
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < 300; i++) {
      expected.add(i);
    }
    assertThat(w.delivered()).isEqualTo(expected);
    assertThat(counter("clymene.writer.samples", "status", "sent")).isEqualTo(300);
  }

  @Test
  void shardsSendInParallelAndKeepEachSeriesInOrder() {
    ScriptedWriter w = new ScriptedWriter();
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(50).setBatchSendDeadline(Duration.ofMillis(20))
        .setMinShards(4).setMaxShards(4);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    assertThat(q.shards()).isEqualTo(4);
    // 20 scrapes of the same 30 series: each series must see its samples in scrape order
    for (int scrape = 0; scrape < 20; scrape++) {
      SeriesBatch.Builder b = new SeriesBatch.Builder();
      for (int s = 0; s < 30; s++) {
        b.beginSeries().label("__name__", "m").label("s", Integer.toString(s)).sample(scrape * 100L + s, scrape);
        b.endSeries();
      }
      assertThat(q.offer(b.build())).isTrue();
    }
    Await.until("600 samples delivered", Duration.ofSeconds(10), () -> w.delivered().size() == 600);
    java.util.Map<Long, Long> lastPerSeries = new java.util.HashMap<>();
    for (long ts : w.delivered()) {
      long series = ts % 100;
      Long prev = lastPerSeries.put(series, ts);
      assertThat(prev == null || prev < ts).as("series " + series + " in order").isTrue();
    }
  }

  @Test
  void smallBatchesWaitForTheDeadline() {
    ScriptedWriter w = new ScriptedWriter();
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(1000).setBatchSendDeadline(Duration.ofMillis(700))
        .setMaxShards(1);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    long t0 = System.nanoTime();
    q.offer(batch(0, 3));
    q.offer(batch(3, 3));
    Await.until("6 samples delivered", Duration.ofSeconds(10), () -> w.delivered().size() == 6);
    assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(600);
    assertThat(w.requests).hasSize(1);
  }

  @Test
  void retriesRetryableFailuresKeepingOrder() {
    ScriptedWriter w = new ScriptedWriter();
    w.script.add(b -> Future.failedFuture(WriteException.retryable("503", null)));
    w.script.add(b -> Future.failedFuture(WriteException.throttled("429", Duration.ofMillis(50))));
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(10).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinBackoff(Duration.ofMillis(20)).setMaxBackoff(Duration.ofMillis(100)).setMaxShards(1);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    q.offer(batch(0, 10));
    q.offer(batch(10, 10));
    Await.until("20 samples delivered", Duration.ofSeconds(10), () -> w.delivered().size() == 20);
    assertThat(w.delivered()).isSorted();
    assertThat(counter("clymene.writer.samples", "status", "retried")).isEqualTo(20);
    assertThat(counter("clymene.writer.samples", "status", "sent")).isEqualTo(20);
  }

  @Test
  void rejectedDataIsDroppedAndCounted() {
    ScriptedWriter w = new ScriptedWriter();
    w.script.add(b -> Future.failedFuture(WriteException.rejected("400 bad labels")));
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(5).setBatchSendDeadline(Duration.ofMillis(10))
        .setMaxShards(1);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    q.offer(batch(0, 5));
    q.offer(batch(5, 5));
    Await.until("second request delivered", Duration.ofSeconds(10), () -> w.delivered().size() == 5);
    assertThat(w.delivered()).containsExactly(5L, 6L, 7L, 8L, 9L);
    assertThat(counter("clymene.dropped.samples", "reason", "rejected")).isEqualTo(5);
    assertThat(counter("clymene.writer.samples", "status", "failed")).isEqualTo(5);
  }

  @Test
  void aFullQueueDropsNewBatchesWithACounter() {
    ScriptedWriter w = new ScriptedWriter();
    // the backend stays down: everything stays queued
    for (int i = 0; i < 1000; i++) {
      w.script.add(b -> Future.failedFuture(WriteException.retryable("down", null)));
    }
    QueueOptions o = new QueueOptions().setCapacity(10).setMaxShards(2).setMaxSamplesPerSend(5)
        .setMinBackoff(Duration.ofSeconds(5)).setMaxBackoff(Duration.ofSeconds(5));
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    assertThat(q.offer(batch(0, 15))).isTrue();
    assertThat(q.offer(batch(15, 5))).isTrue();
    assertThat(q.offer(batch(20, 1))).isFalse();
    assertThat(counter("clymene.dropped.samples", "reason", "queue_full")).isEqualTo(1);
    assertThat(q.length()).isEqualTo(20);
  }

  @Test
  void flushSendsTheRestAtOnceAndCountsWhatCannotBeSent() {
    ScriptedWriter w = new ScriptedWriter();
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(1000).setBatchSendDeadline(Duration.ofMinutes(5));
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    q.offer(batch(0, 7));
    q.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().join();
    assertThat(w.delivered()).hasSize(7);
    assertThat(q.offer(batch(7, 1))).isFalse();

    ScriptedWriter down = new ScriptedWriter();
    for (int i = 0; i < 100; i++) {
      down.script.add(b -> Future.failedFuture(WriteException.retryable("down", null)));
    }
    SimpleMeterRegistry r2 = new SimpleMeterRegistry();
    WriterQueue q2 = new WriterQueue("w", down, o.setMinBackoff(Duration.ofMillis(50)), context, r2);
    q2.offer(batch(0, 7));
    q2.offer(batch(7, 3));
    q2.flushAndStop(Duration.ofMillis(300)).toCompletionStage().toCompletableFuture().join();
    Await.until("all 10 samples counted as dropped at shutdown", Duration.ofSeconds(5), () ->
        r2.find("clymene.dropped.samples").tag("reason", "shutdown").counter().count() == 10);
  }

  @Test
  void failingSendsSpillToDiskAndTheBacklogIsReplayedInOrder() {
    ScriptedWriter w = new ScriptedWriter();
    long recoverAt = System.currentTimeMillis() + 2500;
    for (int i = 0; i < 10_000; i++) {
      w.script.add(b -> System.currentTimeMillis() < recoverAt
          ? Future.failedFuture(WriteException.retryable("down", null)) : Future.succeededFuture());
    }
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(20).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinBackoff(Duration.ofMillis(50)).setMaxBackoff(Duration.ofMillis(200)).setMinShards(1).setMaxShards(1);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    MemorySpill spill = new MemorySpill();
    context.runOnContext(v -> q.attachSpill(spill));
    for (int i = 0; i < 40; i++) {
      assertThat(q.offer(batch(i * 10L, 10))).isTrue();
      sleep(100);
      if (i == 20) {
        assertThat(q.spilling()).as("spilling while the backend is down").isTrue();
        assertThat(spill.samples()).isPositive();
      }
    }
    Await.until("400 samples delivered", Duration.ofSeconds(15), () -> w.delivered().size() == 400);
    assertThat(w.delivered()).as("everything, in order, once").isEqualTo(range(400));
    Await.until("back to memory", Duration.ofSeconds(5), () -> !q.spilling());
    assertThat(spill.stored).isEmpty();
    assertThat(counter("clymene.writer.samples", "status", "spilled")).isPositive();
    assertThat(counter("clymene.writer.samples", "status", "replayed")).isEqualTo(
        counter("clymene.writer.samples", "status", "spilled"));
    assertThat(counter("clymene.dropped.samples", "reason", "queue_full")).isZero();
  }

  @Test
  void dataLeftOnDiskIsSentBeforeNewData() {
    ScriptedWriter w = new ScriptedWriter();
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(7).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinShards(3).setMaxShards(3);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    MemorySpill spill = new MemorySpill();
    spill.append(List.of(batch(0, 30), batch(30, 30)));
    context.runOnContext(v -> q.attachSpill(spill));
    // offered after the queue found data on disk: they queue up behind it
    for (int i = 0; i < 4; i++) {
      q.offer(batch(60 + i * 10L, 10));
    }
    Await.until("100 samples delivered", Duration.ofSeconds(10), () -> w.delivered().size() == 100);
    // each series has one sample here, so order is checked across the whole stream: old data first
    assertThat(w.delivered().subList(0, 60)).containsExactlyInAnyOrderElementsOf(range(60));
    assertThat(w.delivered()).containsExactlyInAnyOrderElementsOf(range(100));
    Await.until("back to memory", Duration.ofSeconds(5), () -> !q.spilling());
  }

  @Test
  void shutdownWhileTheBackendIsDownKeepsEverythingOnDisk() {
    ScriptedWriter w = new ScriptedWriter();
    for (int i = 0; i < 10_000; i++) {
      w.script.add(b -> Future.failedFuture(WriteException.retryable("down", null)));
    }
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(10).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinBackoff(Duration.ofMillis(20)).setMaxBackoff(Duration.ofMillis(50)).setMinShards(2).setMaxShards(2);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    MemorySpill spill = new MemorySpill();
    context.runOnContext(v -> q.attachSpill(spill));
    for (int i = 0; i < 5; i++) {
      q.offer(batch(i * 10L, 10));
    }
    sleep(300); // requests in flight and retrying, not yet spilling
    q.flushAndStop(Duration.ofMillis(300)).toCompletionStage().toCompletableFuture().join();
    assertThat(spill.closed).isTrue();
    List<Long> kept = new ArrayList<>();
    for (SeriesBatch b : spill.stored) {
      for (int i = 0; i < b.size(); i++) {
        kept.add(b.timestamp(b.sampleStart(i)));
      }
    }
    assertThat(kept).containsExactlyInAnyOrderElementsOf(range(50));
    assertThat(counter("clymene.dropped.samples", "reason", "shutdown")).isZero();
  }

  @Test
  void theShardCountFollowsTheLoad() {
    ScriptedWriter w = new ScriptedWriter();
    // every request takes 30 ms: one shard sends about 3,300 samples/s of 100-sample requests
    for (int i = 0; i < 100_000; i++) {
      w.script.add(b -> {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setTimer(30, t -> p.complete());
        return p.future();
      });
    }
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(100).setBatchSendDeadline(Duration.ofMillis(50))
        .setCapacity(100_000).setMinShards(1).setMaxShards(16);
    WriterQueue q = new WriterQueue("w", w, o, context, registry);
    q.reshardEvery(1);
    assertThat(q.shards()).isEqualTo(4);
    // about 10,000 samples/s: needs about 6 shards at half load
    long t = 0;
    for (int round = 0; round < 40 && q.shards() <= 4; round++) {
      for (int k = 0; k < 10; k++) {
        q.offer(batch(t, 100));
        t += 100;
      }
      sleep(100);
    }
    assertThat(q.shards()).as("shards after load").isGreaterThan(4);
    long total = t;
    Await.until("everything delivered", Duration.ofSeconds(20), () -> {
      if (w.delivered().size() != total) {
        throw new AssertionError(w.delivered().size() + " of " + total + " delivered, " + q.length() + " queued, "
            + q.shards() + " shards");
      }
      return true;
    });
    // a quiet queue shrinks again
    Await.until("fewer shards when idle", Duration.ofSeconds(10), () -> {
      q.offer(batch(total + 1_000_000, 1));
      return q.shards() < 4;
    });
  }

  private static List<Long> range(long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
