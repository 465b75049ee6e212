package io.clymene.storage.spill;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.queue.Spill;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer's on-disk spill queue: batches its receiver could not take yet, kept in order in segment
 * files under one directory, replayed oldest first and kept across restarts.
 *
 * <p><b>Use.</b> {@link #append} stores batches; {@link #peek} returns the oldest uncommitted ones
 * (without removing them; a second peek returns the same); after they were delivered, {@link #commit}
 * removes what the last peek returned. All file work runs on the queue's own thread
 * ({@code clymene-spill-<writer>}), never on an event loop; the returned futures complete on the
 * caller's context. Calls are executed in the order they are made.
 *
 * <p><b>Files.</b> Segments of about {@code segmentBytes} (8 MiB by default, at most a quarter of
 * {@code maxBytes}) named by sequence number, holding framed records with a CRC32C each (one record per
 * appended batch, see {@link SeriesBatchFormat}); a {@code checkpoint} file naming the first
 * uncommitted record, replaced atomically (temporary file + rename) on every commit; and a {@code lock}
 * file so that two queues never share a directory. On {@link #open}, every record is validated: a torn
 * or corrupt record and whatever follows it in its segment is cut off, counted in
 * {@code clymene.writer.spill.truncated.bytes} and logged; everything before it is kept.
 *
 * <p><b>Durability and delivery.</b> Appends reach the OS page cache at once and are fsynced at most
 * one second later (and when a segment is full, and on {@link #close}), so a SIGKILL of the process
 * loses nothing appended, and a power loss loses at most about the last second. Delivery is
 * at-least-once: records delivered but not yet committed (or whose checkpoint had not reached the disk
 * at a power loss) are replayed after a restart, so a receiver may see them twice, which Prometheus
 * remote-write receivers tolerate.
 *
 * <p><b>Bound.</b> When an append would make the files exceed {@code maxBytes}, whole oldest segments
 * are deleted, read or not; their samples not yet handed out by a peek are counted in
 * {@code clymene.dropped.samples{reason="spill_full"}} and logged with their time range. Records an
 * outstanding peek returned are the caller's: they are not counted, and committing them is a no-op.
 */
public final class DiskQueue implements Spill {
  private static final Logger LOG = LoggerFactory.getLogger(DiskQueue.class);
  /** Segment size when none is given. */
  public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;
  /** Smallest segment size. */
  public static final long MIN_SEGMENT_BYTES = 4096;
  /** Most time between a write and its fsync. */
  public static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);
  static final String LOCK = "lock";
  /**
   * Directories open in this JVM. Checked before the lock file is touched: closing a second channel on
   * the lock file would release the first one's OS lock.
   */
  private static final Set<Path> OPEN_DIRS = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final String writer;
  private final long maxBytes;
  private final long segmentBytes;
  private final ScheduledExecutorService executor;
  private final Vertx vertx;

  // everything below is touched by the queue's thread only, except the volatile published values
  private final ArrayDeque<Segment> segments = new ArrayDeque<>();
  private final RecordBuffer records = new RecordBuffer();
  private final Segment.Scratch scratch = new Segment.Scratch();
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();
  private Segment write;
  /** The first uncommitted record of the head segment. */
  private int headRecord;
  /** Where the last peek ended (segment sequence, record); -1 when there is nothing to commit. */
  private long peekSeq = -1;
  private int peekRecord;
  private long nextSeq;
  private long diskBytes;
  private long pendingSamples;
  private boolean dirDirty;
  private boolean closed;
  private Checkpoint lastCheckpoint;
  private Path realDir;
  private FileChannel lockChannel;
  private FileLock lock;
  private ScheduledFuture<?> syncTask;
  private Recovery recovery;
  private volatile long publishedBytes;
  private volatile long publishedSamples;

  private final SpillMetrics metrics;
  private final ThrottledLog syncLog = new ThrottledLog(LOG, Duration.ofSeconds(30));

  /**
   * What {@link #open} found.
   *
   * @param segments segment files kept
   * @param records uncommitted records to replay
   * @param samples samples in them
   * @param truncatedBytes bytes of torn or corrupt tails cut off
   */
  public record Recovery(int segments, long records, long samples, long truncatedBytes) {
  }

  private DiskQueue(Vertx vertx, Path dir, long maxBytes, long segmentBytes, String writer,
                    MeterRegistry registry, ScheduledExecutorService executor) {
    this.vertx = vertx;
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.writer = writer;
    this.executor = executor;
    this.metrics = new SpillMetrics(registry, writer);
  }

  /**
   * Opens (creating or recovering) the queue in {@code dir} with 8 MiB segments; see
   * {@link #open(Vertx, Path, long, long, String, MeterRegistry)}.
   */
  public static Future<DiskQueue> open(Vertx vertx, Path dir, long maxBytes, String writer,
                                       MeterRegistry registry) {
    return open(vertx, dir, maxBytes, DEFAULT_SEGMENT_BYTES, writer, registry);
  }

  /**
   * Opens the queue in {@code dir}, creating the directory or recovering what it holds (validating every
   * record), on the queue's own thread.
   *
   * @param maxBytes the most bytes the spill files may take; older data is dropped beyond it
   * @param segmentBytes the size at which a segment file is closed and a new one started (capped at a
   *     quarter of {@code maxBytes} so that a drop frees at most about a quarter of the bound)
   * @param writer the writer's name, for metrics, logs and the thread name
   * @return the queue, or a failure if the directory cannot be used (or another queue holds it)
   */
  public static Future<DiskQueue> open(Vertx vertx, Path dir, long maxBytes, long segmentBytes,
                                       String writer, MeterRegistry registry) {
    if (maxBytes < 2 * MIN_SEGMENT_BYTES) {
      return Future.failedFuture(new IllegalArgumentException("spill max bytes of writer " + writer
          + " must be at least " + 2 * MIN_SEGMENT_BYTES + ", got " + maxBytes));
    }
    long segment = Math.max(MIN_SEGMENT_BYTES, Math.min(segmentBytes, maxBytes / 4));
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "clymene-spill-" + writer);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    return call(executor, vertx.getOrCreateContext(), () -> {
      DiskQueue q = new DiskQueue(vertx, dir, maxBytes, segment, writer, registry, executor);
      try {
        q.recover();
      } catch (Exception | Error e) {
        q.release();
        executor.shutdown();
        throw e;
      }
      q.metrics.registerGauges(q);
      q.syncTask = executor.scheduleWithFixedDelay(q::sync, SYNC_INTERVAL.toMillis(), SYNC_INTERVAL.toMillis(),
          TimeUnit.MILLISECONDS);
      return q;
    });
  }

  /**
   * Appends batches in order, one record each (batches without samples are skipped; a view is
   * written as just its series). The data reaches the OS page cache before the future completes and
   * the disk within {@link #SYNC_INTERVAL}. If the bound is reached, the oldest segments are dropped.
   * A failure (an I/O error) may leave the leading batches stored.
   */
  public Future<Void> append(List<SeriesBatch> batches) {
    if (batches.isEmpty()) {
      return Future.succeededFuture();
    }
    List<SeriesBatch> copy = List.copyOf(batches);
    return run(() -> {
      appendNow(copy);
      return null;
    });
  }

  /**
   * The oldest records not yet committed, in order, as many as fit into {@code maxSamples} samples but at
   * least one; an empty list if there are none. Nothing is removed: a second peek returns the same
   * records unless {@link #commit} came in between.
   */
  public Future<List<SeriesBatch>> peek(int maxSamples) {
    return run(() -> peekNow(maxSamples));
  }

  /**
   * Removes what the last {@link #peek} returned (call it after they were delivered) and saves the
   * checkpoint; nothing happens if there was no peek since the last commit.
   */
  public Future<Void> commit() {
    return run(() -> {
      commitNow();
      return null;
    });
  }

  @Override
  public long maxBytes() {
    return maxBytes;
  }

  /** Bytes of the spill files not yet committed. */
  public long bytes() {
    return publishedBytes;
  }

  /** Samples not yet committed. */
  public long samples() {
    return publishedSamples;
  }

  /** Whether there is nothing left to replay. */
  public boolean isEmpty() {
    return publishedSamples == 0;
  }

  /** What {@link #open} found in the directory. */
  public Recovery recovery() {
    return recovery;
  }

  /** Flushes and fsyncs, saves the checkpoint and releases the files; later calls fail. */
  public Future<Void> close() {
    if (executor.isShutdown()) {
      return Future.succeededFuture();
    }
    return run(() -> {
      if (closed) {
        return null;
      }
      closed = true;
      syncTask.cancel(false);
      try {
        if (write != null) {
          write.force();
        }
        writeCheckpoint();
        syncDirectory();
      } finally {
        release();
        executor.shutdown();
      }
      return null;
    });
  }

  private void recover() throws IOException {
    Files.createDirectories(dir);
    Path real = dir.toRealPath();
    if (!OPEN_DIRS.add(real)) {
      throw new IllegalStateException("spill directory " + dir + " of writer " + writer
          + " is in use by another queue of this process");
    }
    realDir = real;
    lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new IllegalStateException("spill directory " + dir + " of writer " + writer
          + " is in use by another process");
    }
    Files.deleteIfExists(dir.resolve(Checkpoint.TEMP));
    Checkpoint cp = Checkpoint.read(dir);
    if (cp == null && Files.exists(dir.resolve(Checkpoint.FILE))) {
      LOG.warn("writer {}: spill checkpoint in {} is damaged; replaying every record kept (some may be "
          + "sent twice)", writer, dir);
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> Segment.parseSeq(p) >= 0).sorted().toList();
    }
    long maxSeq = cp == null ? 0 : cp.segment();
    long cut = 0;
    for (Path file : files) {
      long seq = Segment.parseSeq(file);
      maxSeq = Math.max(maxSeq, seq);
      if (cp != null && seq < cp.segment()) {
        Files.delete(file); // committed before the checkpoint was written
        continue;
      }
      Segment.Recovered r = Segment.recover(file, seq, scratch);
      if (r.cutBytes() > 0) {
        cut += r.cutBytes();
        LOG.warn("writer {}: spill segment {} ends with a torn or corrupt record ({}): cut off its last {} "
            + "bytes, kept the {} records before", writer, file, r.problem(), r.cutBytes(),
            r.segment() == null ? 0 : r.segment().count());
      }
      if (r.segment() == null || r.segment().count() == 0) {
        if (r.segment() != null) {
          r.segment().close();
        }
        Files.delete(file);
        continue;
      }
      r.segment().close();
      segments.add(r.segment());
    }
    metrics.truncatedBytes.increment(cut);
    nextSeq = maxSeq + 1;
    Segment head = segments.peekFirst();
    if (head != null && cp != null && head.seq == cp.segment()) {
      headRecord = head.recordAt(cp.offset());
    }
    long records = 0;
    for (Segment s : segments) {
      diskBytes += s.size();
      int from = s == head ? headRecord : 0;
      pendingSamples += s.samples(from, s.count());
      records += s.count() - from;
    }
    dropConsumedHead();
    lastCheckpoint = cp;
    scratch.trim();
    publish();
    recovery = new Recovery(segments.size(), records, pendingSamples, cut);
    if (pendingSamples > 0 || cut > 0) {
      LOG.info("writer {}: spill queue {} holds {} samples in {} records to replay ({} bytes in {} segments)",
          writer, dir, pendingSamples, records, publishedBytes, segments.size());
    }
  }

  private void appendNow(List<SeriesBatch> batches) throws IOException {
    ensureOpen();
    records.clear();
    for (SeriesBatch b : batches) {
      if (b.sampleCount() > 0) {
        records.add(b);
      }
    }
    Drops drops = new Drops();
    int n = records.count();
    int run = -1; // first record not yet written into the write segment
    for (int i = 0; i < n; i++) {
      long len = records.size(i);
      long runBytes = run < 0 ? 0 : records.start(i) - records.start(run);
      boolean hasRecords = write != null && (write.count() > 0 || run >= 0);
      if (hasRecords && write.size() + runBytes + len > segmentBytes) {
        flush(run, i);
        run = -1;
        runBytes = 0;
        seal();
        dropConsumedHead(); // the sealed segment may have been read to its end already
      }
      if (diskBytes + runBytes + len + newSegmentBytes() > maxBytes) {
        flush(run, i);
        run = -1;
        while (!segments.isEmpty() && diskBytes + len + newSegmentBytes() > maxBytes) {
          dropOldest(drops);
        }
        if (diskBytes + len + newSegmentBytes() > maxBytes) {
          drops.tooLarge += records.samples(i); // larger than the whole bound: it cannot be kept
          continue;
        }
      }
      if (write == null) {
        write = Segment.create(dir, nextSeq++);
        segments.addLast(write);
        diskBytes += write.size();
        dirDirty = true;
      }
      if (run < 0) {
        run = i;
      }
    }
    flush(run, n);
    if (drops.samples > 0 || drops.segments > 0) {
      metrics.droppedFull.increment(drops.samples);
      LOG.warn("writer {}: spill directory {} reached its bound of {} bytes: dropped the {} oldest segment(s) "
          + "with {} unsent samples from {} to {}", writer, dir, maxBytes, drops.segments, drops.samples,
          drops.samples == 0 ? "-" : Instant.ofEpochMilli(drops.minTs),
          drops.samples == 0 ? "-" : Instant.ofEpochMilli(drops.maxTs));
    }
    if (drops.tooLarge > 0) {
      metrics.droppedFull.increment(drops.tooLarge);
      LOG.warn("writer {}: dropped {} samples in batches larger than the spill bound of {} bytes", writer,
          drops.tooLarge, maxBytes);
    }
    publish();
  }

  /** Header bytes the next record costs if it must start a segment. */
  private long newSegmentBytes() {
    return write == null ? Segment.HEADER_BYTES : 0;
  }

  /** Writes buffered records {@code [from, to)} into the write segment. */
  private void flush(int from, int to) throws IOException {
    if (from < 0 || from >= to) {
      return;
    }
    long before = write.size();
    write.append(records, from, to);
    diskBytes += write.size() - before;
    long n = 0;
    for (int r = from; r < to; r++) {
      n += records.samples(r);
    }
    pendingSamples += n;
    metrics.written.increment(n);
  }

  /** Closes the write segment for writing: a full segment goes to the disk now, not in a second. */
  private void seal() throws IOException {
    write.force();
    if (write != segments.peekFirst()) {
      write.close();
    }
    write = null;
  }

  private void dropOldest(Drops drops) throws IOException {
    Segment s = segments.pollFirst();
    int uncommitted = headRecord;
    int unseen = uncommitted;
    if (peekSeq > s.seq) {
      unseen = s.count();
    } else if (peekSeq == s.seq) {
      unseen = Math.max(unseen, Math.min(peekRecord, s.count()));
    }
    drops.segments++;
    drops.add(s.samples(unseen, s.count()), s.minTs(unseen, s.count()), s.maxTs(unseen, s.count()));
    pendingSamples -= s.samples(uncommitted, s.count());
    diskBytes -= s.size();
    headRecord = 0;
    if (s == write) {
      write = null;
    }
    s.delete();
    dirDirty = true;
  }

  private List<SeriesBatch> peekNow(int maxSamples) throws IOException {
    ensureOpen();
    List<SeriesBatch> out = new ArrayList<>();
    peekSeq = -1; // set only once the whole peek succeeded: a failed one must not be committed
    long endSeq = -1;
    int endRecord = 0;
    long taken = 0;
    Segment head = segments.peekFirst();
    for (Segment s : segments) {
      int from = s == head ? headRecord : 0;
      int to = from;
      while (to < s.count() && (out.size() + (to - from) == 0 || taken + s.samples(to) <= maxSamples)) {
        taken += s.samples(to);
        to++;
      }
      if (to == from) {
        if (from < s.count()) {
          break; // the budget is used up
        }
        continue;
      }
      int ok = s.read(from, to, scratch, builder, out);
      if (ok < to - from) {
        cutCorrupt(s, from + ok);
        taken -= s.samples(from + ok, to);
        to = from + ok;
      }
      if (to > from) {
        endSeq = s.seq;
        endRecord = to;
      }
      if (to < s.count()) {
        break;
      }
    }
    scratch.trim();
    peekSeq = endSeq;
    peekRecord = endRecord;
    return out;
  }

  /**
   * A record failed its checksum when read back (the file changed under us): drop it and the rest of its
   * segment, counted and logged.
   */
  private void cutCorrupt(Segment s, int record) throws IOException {
    long lost = s.samples(record, s.count());
    long min = s.minTs(record, s.count());
    long max = s.maxTs(record, s.count());
    long before = s.size();
    int records = s.count() - record;
    s.truncate(record);
    diskBytes -= before - s.size();
    pendingSamples -= lost;
    metrics.droppedCorrupt.increment(lost);
    LOG.error("writer {}: spill segment {} has a corrupt record at offset {}: dropped it and the {} records "
        + "after, {} samples from {} to {}", writer, s.path, s.size(), records - 1, lost,
        Instant.ofEpochMilli(min), Instant.ofEpochMilli(max));
    publish();
  }

  private void commitNow() throws IOException {
    ensureOpen();
    if (peekSeq < 0) {
      return;
    }
    long done = 0;
    while (!segments.isEmpty()) {
      Segment h = segments.peekFirst();
      if (h.seq < peekSeq && h != write) {
        done += h.samples(headRecord, h.count());
        diskBytes -= h.size();
        segments.pollFirst().delete();
        headRecord = 0;
        dirDirty = true;
        continue;
      }
      if (h.seq == peekSeq) {
        int to = Math.min(peekRecord, h.count());
        if (to > headRecord) {
          done += h.samples(headRecord, to);
          headRecord = to;
        }
      }
      break;
    }
    peekSeq = -1;
    dropConsumedHead();
    pendingSamples -= done;
    metrics.replayed.increment(done);
    writeCheckpoint();
    publish();
  }

  /** Deletes head segments that were read to their end and are no longer written. */
  private void dropConsumedHead() throws IOException {
    while (!segments.isEmpty() && segments.peekFirst() != write && headRecord >= segments.peekFirst().count()) {
      Segment s = segments.pollFirst();
      diskBytes -= s.size();
      s.delete();
      headRecord = 0;
      dirDirty = true;
    }
  }

  private void writeCheckpoint() throws IOException {
    Segment head = segments.peekFirst();
    Checkpoint cp = head == null ? new Checkpoint(nextSeq, Segment.HEADER_BYTES)
        : new Checkpoint(head.seq, head.offset(headRecord));
    if (!cp.equals(lastCheckpoint)) {
      cp.write(dir);
      lastCheckpoint = cp;
      dirDirty = true;
    }
  }

  /** The periodic fsync: written records and the directory (new, deleted and renamed files). */
  private void sync() {
    if (closed) {
      return;
    }
    try {
      if (write != null) {
        write.force();
      }
      syncDirectory();
    } catch (IOException | RuntimeException e) {
      syncLog.warn("writer {}: fsync of spill directory {} failed, will retry: {}", writer, dir, e.toString());
    }
  }

  private void syncDirectory() throws IOException {
    if (!dirDirty) {
      return;
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open or sync a directory; the file data itself was synced
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
    dirDirty = false;
  }

  private void publish() {
    Segment head = segments.peekFirst();
    publishedBytes = diskBytes - (head == null ? 0 : head.offset(headRecord));
    publishedSamples = pendingSamples;
  }

  private void release() {
    for (Segment s : segments) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("closing {}: {}", s.path, e.toString());
      }
    }
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      LOG.debug("releasing the lock of {}: {}", dir, e.toString());
    }
    if (realDir != null) {
      OPEN_DIRS.remove(realDir);
    }
    metrics.removeGauges();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("spill queue of writer " + writer + " in " + dir + " is closed");
    }
  }

  private <T> Future<T> run(Callable<T> task) {
    return call(executor, vertx.getOrCreateContext(), task);
  }

  /** Runs {@code task} on the queue's thread; the future completes on {@code context}. */
  private static <T> Future<T> call(ScheduledExecutorService executor, Context context, Callable<T> task) {
    Promise<T> promise = Promise.promise();
    try {
      executor.execute(() -> {
        T result;
        try {
          result = task.call();
        } catch (Throwable t) {
          context.runOnContext(v -> promise.fail(t));
          return;
        }
        context.runOnContext(v -> promise.complete(result));
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new IllegalStateException("spill queue is closed", e));
    }
    return promise.future();
  }

  /** Samples dropped by one append, with their time range. */
  private static final class Drops {
    int segments;
    long samples;
    long tooLarge;
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;

    void add(long n, long min, long max) {
      if (n > 0) {
        samples += n;
        minTs = Math.min(minTs, min);
        maxTs = Math.max(maxTs, max);
      }
    }
  }
}
