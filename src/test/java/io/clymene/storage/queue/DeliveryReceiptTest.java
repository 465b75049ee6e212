package io.clymene.storage.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.DeliveryReceipt;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.WriteException;
import io.clymene.storage.queue.WriterQueueTest.ScriptedWriter;
import io.clymene.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch's receipt hears about every sample exactly once per queue, however the queue cuts the batch up:
 * settled when delivered, refused for good, or written to the disk queue; lost when dropped on a full
 * queue or at shutdown. The ingester commits Kafka offsets on this, so "settled" must never come early.
 */
@Timeout(30)
class DeliveryReceiptTest {
  private Vertx vertx;
  private Context context;

  /** Counts what it hears. */
  static final class CountingReceipt implements DeliveryReceipt {
    final AtomicLong settled = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final List<String> reasons = new CopyOnWriteArrayList<>();

    @Override
    public void settled(int samples) {
      settled.addAndGet(samples);
    }

    @Override
    public void lost(int samples, String reason) {
      lost.addAndGet(samples);
      reasons.add(reason);
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static SeriesBatch batch(int series, DeliveryReceipt r) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < series; i++) {
      b.beginSeries().label("__name__", "m").label("i", Integer.toString(i)).sample(1000L + i, i);
      b.endSeries();
    }
    return b.build().withReceipt(r);
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private WriterQueue queue(ScriptedWriter w, QueueOptions o) {
    return new WriterQueue("w", w, o, context, new SimpleMeterRegistry());
  }

  @Test
  void settledOnlyOnceEveryPieceIsDeliveredThroughShardsSplitsAndRetries() {
    ScriptedWriter w = new ScriptedWriter();
    Promise<Void> held = Promise.promise();
    w.script.add(b -> Future.failedFuture(WriteException.retryable("503", null)));
    w.script.add(b -> held.future());
    QueueOptions o = new QueueOptions().setMaxSamplesPerSend(30).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinBackoff(Duration.ofMillis(20)).setMinShards(4).setMaxShards(4);
    WriterQueue q = queue(w, o);
    CountingReceipt r = new CountingReceipt();
    assertThat(q.offer(batch(250, r))).isTrue();
    // one shard's request is held by the backend (and that shard's later requests wait behind it)
    Await.until("the other shards' requests delivered", Duration.ofSeconds(10),
        () -> w.delivered().size() >= 250 - 90 ? true : null);
    sleepQuietly(300);
    assertThat(r.settled.get()).as("settled: exactly what was delivered, while a piece is still with the backend")
        .isEqualTo(w.delivered().size()).isLessThan(250);
    context.runOnContext(v -> held.complete());
    Await.until("every sample settled", Duration.ofSeconds(10), () -> r.settled.get() == 250 ? true : null);
    assertThat(r.lost.get()).isZero();
  }

  @Test
  void samplesTheBackendRefusesForGoodAreSettledNotLost() {
    ScriptedWriter w = new ScriptedWriter();
    w.script.add(b -> Future.failedFuture(WriteException.rejected("400 bad labels")));
    WriterQueue q = queue(w, new QueueOptions().setMaxSamplesPerSend(100).setBatchSendDeadline(Duration.ofMillis(10))
        .setMaxShards(1));
    CountingReceipt r = new CountingReceipt();
    q.offer(batch(10, r));
    Await.until("settled", Duration.ofSeconds(10), () -> r.settled.get() == 10 ? true : null);
    assertThat(r.lost.get()).isZero();
  }

  @Test
  void aPartialWriteRetriesOnlyTheSeriesTheBackendAsksForAndCountsTheRejectedOnes() {
    ScriptedWriter w = new ScriptedWriter();
    w.script.add(b -> Future.failedFuture(WriteException.partial("2 items 429, 1 item 400 mapper_parsing_exception",
        List.of(b.get(0).select(new int[] {2, 3})), 1)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WriterQueue q = new WriterQueue("w", w, new QueueOptions().setMaxSamplesPerSend(100)
        .setBatchSendDeadline(Duration.ofMillis(10)).setMinBackoff(Duration.ofMillis(20)).setMaxShards(1), context,
        registry);
    CountingReceipt r = new CountingReceipt();
    q.offer(batch(10, r));
    Await.until("the retried series delivered", Duration.ofSeconds(10), () -> w.requests.size() == 1 ? true : null);
    assertThat(w.requests.get(0)).as("the second request holds only the series to retry").containsExactly(1002L, 1003L);
    Await.until("every sample settled", Duration.ofSeconds(10), () -> r.settled.get() == 10 ? true : null);
    assertThat(r.lost.get()).isZero();
    assertThat(registry.get("clymene.writer.samples").tag("status", "sent").counter().count()).isEqualTo(9);
    assertThat(registry.get("clymene.writer.samples").tag("status", "retried").counter().count()).isEqualTo(2);
    assertThat(registry.get("clymene.dropped.samples").tag("reason", "rejected").counter().count()).isEqualTo(1);
    Await.until("the queue empty", Duration.ofSeconds(5), () -> q.length() == 0 ? true : null);
  }

  @Test
  void aBatchDroppedOnAFullQueueIsLost() {
    ScriptedWriter w = new ScriptedWriter();
    w.script.add(b -> Promise.<Void>promise().future()); // never answers: the queue stays full
    WriterQueue q = queue(w, new QueueOptions().setCapacity(10).setMaxShards(1).setMaxSamplesPerSend(10)
        .setBatchSendDeadline(Duration.ofMillis(10)));
    CountingReceipt first = new CountingReceipt();
    CountingReceipt second = new CountingReceipt();
    assertThat(q.offer(batch(10, first))).isTrue();
    assertThat(q.offer(batch(5, second))).isFalse();
    assertThat(second.lost.get()).isEqualTo(5);
    assertThat(second.reasons).singleElement().asString().contains("queue full");
    assertThat(first.settled.get() + first.lost.get()).isZero();
  }

  @Test
  void whatIsUnsentAtTheShutdownDeadlineWithoutADiskQueueIsLost() {
    ScriptedWriter w = new ScriptedWriter();
    for (int i = 0; i < 1000; i++) {
      w.script.add(b -> Future.failedFuture(WriteException.retryable("down", null)));
    }
    WriterQueue q = queue(w, new QueueOptions().setMaxSamplesPerSend(10).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinBackoff(Duration.ofMillis(20)).setMaxShards(2).setMinShards(2));
    CountingReceipt r = new CountingReceipt();
    q.offer(batch(40, r));
    q.flushAndStop(Duration.ofMillis(300)).toCompletionStage().toCompletableFuture().join();
    Await.until("all 40 reported", Duration.ofSeconds(5), () -> r.lost.get() + r.settled.get() == 40 ? true : null);
    assertThat(r.lost.get()).isEqualTo(40);
    assertThat(r.reasons).allMatch(s -> s.contains("stopped"));
  }

  @Test
  void samplesWrittenToTheDiskQueueAreSettledBeforeTheBackendIsBack() {
    ScriptedWriter w = new ScriptedWriter();
    for (int i = 0; i < 10_000; i++) {
      w.script.add(b -> Future.failedFuture(WriteException.retryable("down", null)));
    }
    WriterQueue q = queue(w, new QueueOptions().setMaxSamplesPerSend(10).setBatchSendDeadline(Duration.ofMillis(10))
        .setMinBackoff(Duration.ofMillis(50)).setMaxBackoff(Duration.ofMillis(100)).setMaxShards(1));
    MemorySpill spill = new MemorySpill();
    context.runOnContext(v -> q.attachSpill(spill));
    CountingReceipt r = new CountingReceipt();
    q.offer(batch(30, r));
    Await.until("settled by the disk queue", Duration.ofSeconds(10), () -> r.settled.get() == 30 ? true : null);
    assertThat(q.spilling()).isTrue();
    assertThat(spill.samples()).isEqualTo(30);
    assertThat(w.delivered()).isEmpty();
    assertThat(r.lost.get()).isZero();
  }
}
