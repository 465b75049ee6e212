package io.clymene.storage.spill;

import static io.clymene.storage.spill.SeriesBatchFormatTest.assertSameBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.model.SeriesBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The spill queue on real files: order, peek/commit, restarts, crashes, damage and the bound. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DiskQueueTest {
  private static final long MIB = 1 << 20;

  @TempDir
  Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** The timestamp of the next generated sample: samples are numbered in append order. */
  private long next;

  /** A batch of {@code series} series with {@code perSeries} samples each, numbered on from {@link #next}. */
  private SeriesBatch batch(int series, int perSeries) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < series; i++) {
      b.beginSeries().label("__name__", "spill_test").label("series", Integer.toString(i));
      for (int k = 0; k < perSeries; k++) {
        b.sample(next, next * 0.5);
        next++;
      }
      b.endSeries();
    }
    return b.build();
  }

  private List<SeriesBatch> batches(int n, int series, int perSeries) {
    List<SeriesBatch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(batch(series, perSeries));
    }
    return out;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private DiskQueue open(Vertx vertx, Path where, long maxBytes, long segmentBytes) {
    return await(DiskQueue.open(vertx, where, maxBytes, segmentBytes, "w", registry));
  }

  private DiskQueue open(Vertx vertx) {
    return open(vertx, dir, 64 * MIB, DiskQueue.DEFAULT_SEGMENT_BYTES);
  }

  private static List<Long> timestamps(List<SeriesBatch> batches) {
    List<Long> out = new ArrayList<>();
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
          out.add(b.timestamp(s));
          assertThat(b.value(s)).isEqualTo(b.timestamp(s) * 0.5);
        }
      }
    }
    return out;
  }

  /** Peeks and commits until the queue is empty; the timestamps of everything read, in order. */
  private static List<Long> drain(DiskQueue q, int maxSamples) {
    List<Long> all = new ArrayList<>();
    while (true) {
      List<SeriesBatch> got = await(q.peek(maxSamples));
      if (got.isEmpty()) {
        return all;
      }
      all.addAll(timestamps(got));
      await(q.commit());
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private double counter(String name) {
    var c = registry.find(name).tag("writer", "w").counter();
    return c == null ? 0 : c.count();
  }

  private double dropped(String reason) {
    var c = registry.find("clymene.dropped.samples").tag("writer", "w").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static List<Path> segmentFiles(Path where) throws IOException {
    try (Stream<Path> s = Files.list(where)) {
      return s.filter(p -> p.toString().endsWith(Segment.SUFFIX)).sorted().toList();
    }
  }

  private static long segmentBytes(Path where) throws IOException {
    long n = 0;
    for (Path p : segmentFiles(where)) {
      n += Files.size(p);
    }
    return n;
  }

  /** Record offsets in a segment file, from its frames. */
  private static List<Long> recordOffsets(Path segment) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
    List<Long> out = new ArrayList<>();
    int pos = Segment.HEADER_BYTES;
    while (pos < b.limit()) {
      out.add((long) pos);
      pos += RecordBuffer.FRAME_BYTES + b.getInt(pos);
    }
    return out;
  }

  @Test
  void roundTripOfBatchesSlicesAndSelectionsIsExact(Vertx vertx) {
    DiskQueue q = open(vertx);
    SeriesBatch t = SeriesBatchFormatTest.tricky();
    List<SeriesBatch> in = List.of(t, t.slice(1, 3), t.select(new int[] {3, 0}),
        t.select(new int[] {2}).slice(0, 1));
    await(q.append(in));
    long samples = in.stream().mapToLong(SeriesBatch::sampleCount).sum();
    assertThat(q.samples()).isEqualTo(samples);
    assertThat(q.bytes()).isPositive();
    assertThat(counter("clymene.writer.spill.written.samples")).isEqualTo(samples);

    List<SeriesBatch> out = await(q.peek(Integer.MAX_VALUE));
    assertThat(out).hasSize(in.size());
    for (int i = 0; i < in.size(); i++) {
      assertSameBatch(out.get(i), in.get(i));
    }
    await(q.commit());
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.bytes()).isZero();
    assertThat(counter("clymene.writer.spill.replayed.samples")).isEqualTo(samples);
    await(q.close());
  }

  @Test
  void peekReturnsTheSameUntilCommitAndAtLeastOneRecord(Vertx vertx) {
    DiskQueue q = open(vertx);
    await(q.append(batches(3, 5, 2)));
    await(q.append(batches(2, 5, 2)));

    assertThat(timestamps(await(q.peek(25)))).isEqualTo(range(0, 20));
    assertThat(timestamps(await(q.peek(25)))).isEqualTo(range(0, 20));
    assertThat(q.samples()).isEqualTo(50);
    await(q.commit());
    assertThat(q.samples()).isEqualTo(30);

    // a record larger than the budget still comes out alone
    assertThat(timestamps(await(q.peek(3)))).isEqualTo(range(20, 30));
    await(q.commit());
    await(q.commit()); // nothing peeked since: no effect
    assertThat(q.samples()).isEqualTo(20);

    assertThat(timestamps(await(q.peek(1000)))).isEqualTo(range(30, 50));
    await(q.commit());
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.bytes()).isZero();
    assertThat(registry.get("clymene.writer.spill.samples").tag("writer", "w").gauge().value()).isZero();
    assertThat(counter("clymene.writer.spill.replayed.samples")).isEqualTo(50);
    await(q.close());
  }

  @Test
  void keepsOrderAcrossManySegmentsAndDeletesReadOnes(Vertx vertx) throws IOException {
    DiskQueue q = open(vertx, dir, 64 * MIB, DiskQueue.MIN_SEGMENT_BYTES);
    for (int i = 0; i < 50; i++) {
      await(q.append(batches(8, 5, 2)));
    }
    assertThat(segmentFiles(dir)).hasSizeGreaterThan(10);
    assertThat(q.samples()).isEqualTo(4000);
    assertThat(registry.get("clymene.writer.spill.bytes").tag("writer", "w").gauge().value())
        .isEqualTo(q.bytes()).isEqualTo(segmentBytes(dir) - Segment.HEADER_BYTES); // all but the head's header

    assertThat(drain(q, 37)).isEqualTo(range(0, 4000));
    assertThat(segmentFiles(dir)).hasSizeLessThanOrEqualTo(1);
    assertThat(q.bytes()).isZero();
    await(q.close());
  }

  @Test
  void emptyQueue(Vertx vertx) throws IOException {
    DiskQueue q = open(vertx);
    assertThat(await(q.peek(100))).isEmpty();
    await(q.commit());
    await(q.append(List.of()));
    await(q.append(List.of(SeriesBatch.EMPTY)));
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.samples()).isZero();
    assertThat(q.bytes()).isZero();
    assertThat(await(q.peek(100))).isEmpty();
    assertThat(segmentFiles(dir)).isEmpty();
    await(q.close());
    await(q.close());
    DiskQueue again = open(vertx);
    assertThat(again.recovery()).isEqualTo(new DiskQueue.Recovery(0, 0, 0, 0));
    await(again.close());
  }

  @Test
  void restartReplaysWhatWasNotCommitted(Vertx vertx) {
    DiskQueue q = open(vertx);
    await(q.append(batches(10, 2, 5)));
    assertThat(timestamps(await(q.peek(30)))).isEqualTo(range(0, 30));
    await(q.commit());
    assertThat(timestamps(await(q.peek(20)))).isEqualTo(range(30, 50)); // delivered, not committed
    await(q.close());

    DiskQueue again = open(vertx);
    assertThat(again.recovery()).isEqualTo(new DiskQueue.Recovery(1, 7, 70, 0));
    assertThat(again.samples()).isEqualTo(70);
    assertThat(drain(again, 25)).isEqualTo(range(30, 100));
    await(again.append(batches(1, 1, 1)));
    await(again.close());

    DiskQueue third = open(vertx);
    assertThat(drain(third, 25)).containsExactly(100L);
    await(third.close());
  }

  @Test
  void filesCopiedWithoutCloseAsAfterAKillAreReplayed(Vertx vertx) throws IOException {
    Path live = dir.resolve("live");
    DiskQueue q = open(vertx, live, 64 * MIB, DiskQueue.MIN_SEGMENT_BYTES);
    for (int i = 0; i < 10; i++) {
      await(q.append(batches(4, 5, 1)));
    }
    assertThat(timestamps(await(q.peek(20)))).isEqualTo(range(0, 20));
    await(q.commit());
    Path copy = Files.createDirectory(dir.resolve("copy"));
    try (Stream<Path> files = Files.list(live)) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    DiskQueue recovered = open(vertx, copy, 64 * MIB, DiskQueue.MIN_SEGMENT_BYTES);
    assertThat(recovered.samples()).isEqualTo(180);
    assertThat(drain(recovered, 50)).isEqualTo(range(20, 200));
    await(recovered.close());
    await(q.close());
  }

  @Test
  void aTornTailIsCutAndEverythingBeforeItKept(Vertx vertx) throws IOException {
    DiskQueue q = open(vertx);
    for (int i = 0; i < 5; i++) {
      await(q.append(List.of(batch(2, 5))));
    }
    await(q.close());
    Path segment = segmentFiles(dir).get(0);
    long size = Files.size(segment);
    long lastRecord = recordOffsets(segment).get(4);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(size - 7); // the last write was torn
    }

    DiskQueue again = open(vertx);
    assertThat(again.recovery()).isEqualTo(new DiskQueue.Recovery(1, 4, 40, size - 7 - lastRecord));
    assertThat(counter("clymene.writer.spill.truncated.bytes")).isEqualTo(size - 7 - lastRecord);
    assertThat(Files.size(segment)).isEqualTo(lastRecord);
    await(again.append(List.of(batch(1, 1))));
    List<Long> expected = new ArrayList<>(range(0, 40));
    expected.add(50L);
    assertThat(drain(again, 1000)).isEqualTo(expected);
    await(again.close());
  }

  @Test
  void aFlippedByteCutsFromTheDamagedRecord(Vertx vertx) throws IOException {
    DiskQueue q = open(vertx);
    await(q.append(batches(6, 3, 2)));
    await(q.close());
    Path segment = segmentFiles(dir).get(0);
    long size = Files.size(segment);
    long third = recordOffsets(segment).get(3);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(third + 40);
      int b = f.read();
      f.seek(third + 40);
      f.write(b ^ 0x10);
    }

    DiskQueue again = open(vertx);
    assertThat(again.recovery()).isEqualTo(new DiskQueue.Recovery(1, 3, 18, size - third));
    assertThat(drain(again, 1000)).isEqualTo(range(0, 18));
    await(again.close());
  }

  @Test
  void aRecordDamagedAfterOpenIsDroppedWithTheRestOfItsSegmentWhenRead(Vertx vertx) throws IOException {
    DiskQueue q = open(vertx, dir, 64 * MIB, DiskQueue.MIN_SEGMENT_BYTES);
    for (int i = 0; i < 60; i++) {
      await(q.append(List.of(batch(2, 5))));
    }
    List<Path> files = segmentFiles(dir);
    assertThat(files).hasSizeGreaterThan(2);
    List<Long> offsets = recordOffsets(files.get(0));
    try (RandomAccessFile f = new RandomAccessFile(files.get(0).toFile(), "rw")) {
      f.seek(offsets.get(2) + 50);
      int b = f.read();
      f.seek(offsets.get(2) + 50);
      f.write(b ^ 0x01);
    }
    long lost = (offsets.size() - 2) * 10L;
    List<Long> expected = new ArrayList<>(range(0, 20));
    expected.addAll(range(offsets.size() * 10L, 600));
    assertThat(drain(q, 1000)).isEqualTo(expected);
    assertThat(dropped("spill_corrupt")).isEqualTo(lost);
    assertThat(q.isEmpty()).isTrue();
    await(q.close());
  }

  @Test
  void damagedSegmentHeadersAndCheckpointsAreSurvived(Vertx vertx) throws IOException {
    DiskQueue q = open(vertx);
    await(q.append(batches(3, 1, 1)));
    assertThat(await(q.peek(1))).hasSize(1);
    await(q.commit());
    await(q.close());
    Files.write(dir.resolve(Segment.fileName(99)), new byte[] {'C', 'L'}); // a segment torn at creation
    Files.write(dir.resolve(Checkpoint.FILE), new byte[] {1, 2, 3}); // damaged: replay everything

    DiskQueue again = open(vertx);
    assertThat(again.recovery()).isEqualTo(new DiskQueue.Recovery(1, 3, 3, 2));
    assertThat(drain(again, 10)).isEqualTo(range(0, 3));
    assertThat(segmentFiles(dir)).noneMatch(p -> p.endsWith(Segment.fileName(99)));
    await(again.append(batches(1, 1, 1)));
    await(again.close());
    // new segments are numbered after the torn one, so they are not mistaken for committed ones
    DiskQueue third = open(vertx);
    assertThat(drain(third, 10)).containsExactly(3L);
    await(third.close());
  }

  @Test
  void theBoundDropsWholeOldestSegmentsAndCountsExactly(Vertx vertx) throws IOException {
    long max = 64 * 1024;
    DiskQueue q = open(vertx, dir, max, 16 * 1024);
    for (int i = 0; i < 400; i++) {
      await(q.append(List.of(batch(10, 1))));
      assertThat(segmentBytes(dir)).isLessThanOrEqualTo(max);
    }
    double dropped = dropped("spill_full");
    assertThat(dropped).isPositive();
    assertThat(dropped + q.samples()).isEqualTo(4000);
    assertThat(counter("clymene.writer.spill.written.samples")).isEqualTo(4000);
    assertThat(drain(q, 500)).isEqualTo(range((long) dropped, 4000));
    await(q.close());
  }

  @Test
  void recordsAnOutstandingPeekReturnedAreNotCountedAsDropped(Vertx vertx) {
    long max = 64 * 1024;
    DiskQueue q = open(vertx, dir, max, 16 * 1024);
    await(q.append(batches(10, 10, 1)));
    assertThat(timestamps(await(q.peek(30)))).isEqualTo(range(0, 30));
    for (int i = 0; i < 300; i++) {
      await(q.append(List.of(batch(10, 1))));
    }
    double dropped = dropped("spill_full");
    assertThat(dropped).isPositive();
    assertThat(dropped + 30 + q.samples()).isEqualTo(3100);
    await(q.commit()); // their segment is gone: nothing to do
    assertThat(dropped + 30 + q.samples()).isEqualTo(3100);
    assertThat(drain(q, 500)).isEqualTo(range(30 + (long) dropped, 3100));
    await(q.close());
  }

  @Test
  void aBatchLargerThanTheBoundIsDroppedAndCounted(Vertx vertx) {
    DiskQueue q = open(vertx, dir, 2 * DiskQueue.MIN_SEGMENT_BYTES, DiskQueue.MIN_SEGMENT_BYTES);
    await(q.append(List.of(batch(1, 2000))));
    assertThat(dropped("spill_full")).isEqualTo(2000);
    assertThat(q.isEmpty()).isTrue();
    await(q.append(List.of(batch(1, 10))));
    assertThat(drain(q, 100)).isEqualTo(range(2000, 2010));
    await(q.close());
  }

  @Test
  void futuresCompleteOnTheCallersContext(Vertx vertx, VertxTestContext test) {
    DiskQueue q = open(vertx);
    Context context = vertx.getOrCreateContext();
    SeriesBatch b = batch(2, 2);
    context.runOnContext(v -> q.append(List.of(b))
        .compose(x -> {
          test.verify(() -> assertThat(Vertx.currentContext()).isSameAs(context));
          return q.peek(10);
        })
        .compose(got -> {
          test.verify(() -> {
            assertThat(Vertx.currentContext()).isSameAs(context);
            assertThat(got).hasSize(1);
          });
          return q.commit();
        })
        .compose(x -> q.close())
        .onComplete(test.succeeding(x -> test.verify(() -> {
          assertThat(Vertx.currentContext()).isSameAs(context);
          test.completeNow();
        }))));
  }

  @Test
  void aDirectoryIsUsedByOneQueueAndAClosedQueueRefusesWork(Vertx vertx) {
    DiskQueue q = open(vertx);
    assertThatThrownBy(() -> open(vertx)).hasMessageContaining("in use");
    await(q.close());
    assertThatThrownBy(() -> await(q.append(List.of(batch(1, 1))))).hasMessageContaining("closed");
    assertThatThrownBy(() -> await(q.peek(1))).hasMessageContaining("closed");
    DiskQueue again = open(vertx);
    await(again.close());
  }

  @Test
  void twoHundredThousandSamplesGoThroughQuickly(Vertx vertx) {
    DiskQueue q = open(vertx);
    List<List<SeriesBatch>> appends = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      appends.add(batches(10, 200, 1));
    }
    long start = System.nanoTime();
    for (List<SeriesBatch> a : appends) {
      await(q.append(a));
    }
    long appended = System.nanoTime();
    long read = 0;
    while (true) {
      List<SeriesBatch> got = await(q.peek(10_000));
      if (got.isEmpty()) {
        break;
      }
      for (SeriesBatch b : got) {
        read += b.sampleCount();
      }
      await(q.commit());
    }
    long done = System.nanoTime();
    assertThat(read).isEqualTo(200_000);
    System.out.printf("spill: appended 200k samples in %d ms, read them in %d ms%n",
        (appended - start) / 1_000_000, (done - appended) / 1_000_000);
    assertThat(done - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    await(q.close());
  }
}
