package io.clymene.ingester;

import io.clymene.model.SeriesBatch;
import io.clymene.transport.kafka.KafkaConsumerOptions;
import io.clymene.transport.kafka.KafkaEncoding;
import io.clymene.transport.kafka.KafkaRecordDecoder;
import io.clymene.transport.kafka.RecordDecodeException;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes Clymene records from Kafka and gives them to the writers, at least once.
 *
 * <p><b>Threads.</b> One thread owns the Kafka consumer: it polls, hands each partition's records to the
 * worker that partition belongs to, pauses and resumes partitions, and commits. {@code threads} workers
 * decode records and give them to the writers, each partition's records in order, so every series stays in
 * order while partitions are worked on in parallel. Nothing here runs on a Vert.x event loop.
 *
 * <p><b>Offsets.</b> Each record taken is remembered in its partition's in-flight list. A record is done
 * when every writer has delivered its samples, written them to its disk queue, or refused them for good; a
 * record that cannot be decoded is done when it is in the dead-letter topic. Every {@code commit_interval}
 * the consumer commits, per partition, the offset after the longest run of done records from the oldest:
 * nothing is committed that was not written. If a writer loses samples (a full queue, shutdown), the
 * partition is read again from its last committed-safe offset (a rewind; duplicates, never gaps).
 *
 * <p><b>Backpressure.</b> A worker gives a record to the writers only when every writer has room; until
 * then it waits, its partition's taken records pile up, and above {@code max_pending_records} the partition
 * is paused (it stays in the group; no rebalance), and resumed when half of them are done.
 *
 * <p><b>Rebalances and shutdown.</b> When partitions are revoked, their workers stop taking records, the
 * consumer waits up to {@code revoke_wait} for records already with the writers, and commits synchronously
 * what is done, so the next owner starts where this one safely stopped.
 */
public final class Ingester {
  private static final Logger LOG = LoggerFactory.getLogger(Ingester.class);
  /** How often the lag per partition is refreshed from the brokers' end offsets. */
  static final Duration LAG_EVERY = Duration.ofSeconds(2);
  /**
   * How long shutdown waits for records with the writers before its last commit: less than {@code revoke_wait}
   * when that is longer, so that the whole process stops within its deadline (what is not committed then is
   * read again by the next owner).
   */
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(3);

  private final KafkaConsumerOptions options;
  private final IngesterOutput output;
  private final IngesterMetrics metrics;
  private final Consumer<List<TopicPartition>> onAssigned;
  private final Map<TopicPartition, Partition> partitions = new HashMap<>();
  private final Worker[] workers;
  private final Thread pollThread;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final ThrottledLog pollLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog commitLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog deadLetterLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog waitLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private volatile boolean stopping;
  private KafkaConsumer<byte[], byte[]> consumer;
  private KafkaProducer<byte[], byte[]> deadLetters;
  private Admin admin;
  private long lastCommit;
  private long lastLag;

  /**
   * @param options the consumer settings
   * @param output the writers
   * @param metrics where counts go
   * @param onAssigned told (on the consumer's thread) after every assignment, with the partitions now owned
   */
  Ingester(KafkaConsumerOptions options, IngesterOutput output, IngesterMetrics metrics,
           Consumer<List<TopicPartition>> onAssigned) {
    this.options = options;
    this.output = output;
    this.metrics = metrics;
    this.onAssigned = onAssigned;
    this.workers = new Worker[options.threads()];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i);
    }
    this.pollThread = new Thread(this::run, "clymene-ingester-consumer");
  }

  /** Creates the clients and starts consuming; completes once the clients exist (not when joined). */
  CompletableFuture<Void> start() {
    for (Worker w : workers) {
      w.thread.start();
    }
    pollThread.start();
    return started;
  }

  /**
   * Stops consuming: waits up to {@code revoke_wait} for records with the writers, commits what is done,
   * closes the clients. Blocks; call it off the event loop.
   */
  void stop() throws Exception {
    stopping = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      stopped.get(options.revokeWait().toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } finally {
      for (Worker w : workers) {
        w.thread.interrupt();
      }
    }
  }

  // ---- the consumer's thread ----

  private void run() {
    try {
      Properties props = options.consumerProperties("clymene-ingester-" + ProcessHandle.current().pid());
      consumer = new KafkaConsumer<>(props);
      deadLetters = new KafkaProducer<>(options.deadLetterProperties("clymene-ingester-dlq-"
          + ProcessHandle.current().pid()));
      ensureDeadLetterTopic();
    } catch (Exception e) {
      started.completeExceptionally(e);
      stopped.complete(null);
      return;
    }
    started.complete(null);
    try {
      consumer.subscribe(List.of(options.topic()), new Rebalance());
      LOG.info("ingester consuming {} ({})", options.topic(), options);
      while (!stopping) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
          for (TopicPartition tp : records.partitions()) {
            take(tp, records.records(tp));
          }
          afterPoll();
        } catch (WakeupException e) {
          // stopping
        } catch (RuntimeException e) {
          pollLog.warn("ingester: polling {} failed, trying again: {}", options.topic(), e.toString());
          sleep(500);
        }
      }
      revoke(new ArrayList<>(partitions.keySet()), "shutting down",
          options.revokeWait().compareTo(SHUTDOWN_WAIT) < 0 ? options.revokeWait() : SHUTDOWN_WAIT);
    } catch (RuntimeException e) {
      LOG.error("ingester: the consumer stopped on an unexpected error", e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(1));
      } catch (RuntimeException e) {
        LOG.warn("ingester: closing the consumer: {}", e.toString());
      }
      deadLetters.close(Duration.ofSeconds(1));
      admin.close(Duration.ZERO);
      stopped.complete(null);
    }
  }

  /**
   * Creates the dead-letter topic with the brokers' defaults when it does not exist, so that the first
   * undecodable record does not wait for it (brokers often do not create topics on first use). Does not
   * block: the admin client answers on its own thread and is closed when the ingester stops.
   */
  private void ensureDeadLetterTopic() throws IOException {
    String topic = options.deadLetterTopic();
    admin = Admin.create(options.adminProperties("clymene-ingester-admin-" + ProcessHandle.current().pid()));
    admin.listTopics().names().thenApply(names -> names.contains(topic)).whenComplete((exists, err) -> {
      if (err != null) {
        LOG.warn("ingester: cannot check the dead-letter topic {} ({}); undecodable records are dropped, counted and "
            + "logged while it does not exist", topic, err.toString());
      } else if (!exists) {
        admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()))).all()
            .whenComplete((v, e) -> {
              if (e == null) {
                LOG.info("ingester: created the dead-letter topic {}", topic);
              } else if (!(e instanceof TopicExistsException || e.getCause() instanceof TopicExistsException)) {
                LOG.warn("ingester: cannot create the dead-letter topic {} ({}); undecodable records are dropped, "
                    + "counted and logged while it does not exist", topic, e.toString());
              }
            });
      }
    });
  }

  /** Remembers the records as in flight and gives them to the partition's worker. */
  private void take(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
    Partition p = partitions.get(tp);
    if (p == null || records.isEmpty()) {
      return;
    }
    if (p.safe < 0) {
      p.safe = records.get(0).offset();
    }
    Entry[] entries = new Entry[records.size()];
    long bytes = 0;
    for (int i = 0; i < entries.length; i++) {
      entries[i] = new Entry(records.get(i).offset());
      p.inFlight.add(entries[i]);
      bytes += size(records.get(i));
    }
    p.pending.addAndGet(entries.length);
    p.pendingBytes.addAndGet(bytes);
    p.worker.tasks.add(new Task(p, records, entries));
  }

  /** Rewinds partitions whose records a writer lost, pauses and resumes, commits, refreshes the lag. */
  private void afterPoll() {
    for (Partition p : new ArrayList<>(partitions.values())) {
      advance(p);
      if (p.lost != null) {
        rewind(p);
        continue;
      }
      int pending = p.pending.get();
      long bytes = p.pendingBytes.get();
      if (!p.paused && (pending > options.maxPendingRecords() || bytes > options.maxPendingBytes())) {
        consumer.pause(List.of(p.tp));
        p.paused = true;
        metrics.paused.incrementAndGet();
      } else if (p.paused && pending <= options.maxPendingRecords() / 2 && bytes <= options.maxPendingBytes() / 2) {
        consumer.resume(List.of(p.tp));
        p.paused = false;
        metrics.paused.decrementAndGet();
      }
    }
    long now = System.nanoTime();
    if (now - lastCommit >= options.commitInterval().toNanos()) {
      lastCommit = now;
      commitAsync();
    }
    if (now - lastLag >= LAG_EVERY.toNanos()) {
      lastLag = now;
      refreshLag();
    }
  }

  /** Moves the partition's safe offset past the done records at the head of its in-flight list. */
  private static void advance(Partition p) {
    Entry head;
    while ((head = p.inFlight.peek()) != null) {
      int s = head.state;
      if (s == Entry.DONE) {
        p.safe = head.offset + 1;
        p.inFlight.poll();
      } else {
        if (s == Entry.LOST && p.lost == null) {
          p.lost = head.reason;
        }
        return;
      }
    }
  }

  /** A writer lost some of this partition's records: read again from the safe offset. */
  private void rewind(Partition p) {
    LOG.warn("ingester: a writer lost records of {} ({}); reading it again from offset {} (records after it may "
        + "be written twice)", p.tp, p.lost, p.safe);
    metrics.rewinds.increment();
    p.revoked = true;
    Partition fresh = new Partition(p.tp, p.worker, p.safe, p.committed, p.gauge);
    partitions.put(p.tp, fresh);
    if (p.paused) {
      consumer.resume(List.of(p.tp));
      metrics.paused.decrementAndGet();
    }
    consumer.seek(p.tp, p.safe);
  }

  private void commitAsync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = committable();
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets, (done, err) -> {
      if (err == null) {
        metrics.commitsOk.increment();
        committed(done);
      } else {
        metrics.commitsFailed.increment();
        commitLog.warn("ingester: committing offsets failed (they are committed again later): {}", err.toString());
      }
    });
  }

  private Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Partition p : partitions.values()) {
      advance(p);
      if (p.safe >= 0 && p.safe > p.committed) {
        offsets.put(p.tp, new OffsetAndMetadata(p.safe));
      }
    }
    return offsets;
  }

  private void committed(Map<TopicPartition, OffsetAndMetadata> done) {
    done.forEach((tp, o) -> {
      Partition p = partitions.get(tp);
      if (p != null && o.offset() > p.committed) {
        p.committed = o.offset();
      }
    });
  }

  private void refreshLag() {
    if (partitions.isEmpty()) {
      return;
    }
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions.keySet(), Duration.ofSeconds(2));
      ends.forEach((tp, end) -> {
        Partition p = partitions.get(tp);
        if (p != null && end != null && p.committed >= 0) {
          p.lag = Math.max(0, end - p.committed);
        }
      });
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      pollLog.warn("ingester: cannot read the end offsets of {} for the lag: {}", options.topic(), e.toString());
    }
  }

  /**
   * Partitions leave this consumer: stop their workers, wait up to {@code revoke_wait} for records already
   * with the writers, commit what is done (synchronously, so the next owner starts from there).
   */
  private void revoke(Collection<TopicPartition> tps, String why) {
    revoke(tps, why, options.revokeWait());
  }

  private void revoke(Collection<TopicPartition> tps, String why, Duration wait) {
    List<Partition> leaving = new ArrayList<>();
    for (TopicPartition tp : tps) {
      Partition p = partitions.get(tp);
      if (p != null) {
        p.revoked = true;
        leaving.add(p);
      }
    }
    if (leaving.isEmpty()) {
      return;
    }
    output.hurry();
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      boolean waiting = false;
      for (Partition p : leaving) {
        advance(p);
        Entry head = p.inFlight.peek();
        waiting |= head != null && head.state == Entry.OFFERED;
      }
      if (!waiting) {
        break;
      }
      sleep(5);
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Partition p : leaving) {
      if (p.safe >= 0 && p.safe > p.committed) {
        offsets.put(p.tp, new OffsetAndMetadata(p.safe));
      }
    }
    if (!offsets.isEmpty()) {
      try {
        try {
          consumer.commitSync(offsets, Duration.ofSeconds(10));
        } catch (WakeupException e) {
          // stop() woke the consumer while it was not blocked: that wake-up is spent now, commit again
          consumer.commitSync(offsets, Duration.ofSeconds(10));
        }
        metrics.commitsOk.increment();
      } catch (KafkaException e) {
        metrics.commitsFailed.increment();
        LOG.warn("ingester: committing the offsets of {} before giving them up failed (the next owner reads "
            + "some records again): {}", offsets.keySet(), e.toString());
      }
    }
    for (Partition p : leaving) {
      forget(p);
    }
    LOG.info("ingester: {}; gave up {} partition(s), committed {}", why, leaving.size(), offsets.entrySet().stream()
        .map(e -> e.getKey() + "@" + e.getValue().offset()).toList());
  }

  private void forget(Partition p) {
    p.revoked = true;
    partitions.remove(p.tp);
    metrics.registry.remove(p.gauge);
    if (p.paused) {
      metrics.paused.decrementAndGet();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> tps) {
      revoke(tps, "partitions revoked");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> tps) {
      LOG.warn("ingester: lost {} partition(s) without a clean handover (their uncommitted records are read again "
          + "by the next owner): {}", tps.size(), tps);
      for (TopicPartition tp : tps) {
        Partition p = partitions.get(tp);
        if (p != null) {
          forget(p);
        }
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> tps) {
      for (TopicPartition tp : tps) {
        long position;
        try {
          position = consumer.position(tp, Duration.ofSeconds(5));
        } catch (KafkaException e) {
          position = -1; // learnt from the first record taken
          pollLog.warn("ingester: cannot read the position of {} yet: {}", tp, e.toString());
        }
        Worker w = workers[Math.floorMod(tp.hashCode(), workers.length)];
        partitions.put(tp, new Partition(tp, w, position, position, null));
      }
      List<TopicPartition> owned = new ArrayList<>(partitions.keySet());
      LOG.info("ingester: group {} assigned {} (now {} partition(s))", options.groupId(), tps, owned.size());
      onAssigned.accept(owned);
    }
  }

  // ---- workers ----

  /** Decodes and delivers the records of the partitions it owns, one task at a time, in order. */
  private final class Worker {
    final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
    final Thread thread;
    final Map<KafkaEncoding, KafkaRecordDecoder> decoders = new EnumMap<>(KafkaEncoding.class);

    Worker(int i) {
      this.thread = new Thread(this::run, "clymene-ingester-" + i);
      this.thread.setDaemon(true);
    }

    private void run() {
      try {
        while (!stopping) {
          Task t = tasks.poll(100, TimeUnit.MILLISECONDS);
          if (t != null) {
            work(t);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void work(Task t) throws InterruptedException {
      Partition p = t.partition;
      int i = 0;
      try {
        for (; i < t.records.size(); i++) {
          // a record left pending is never committed: whoever owns the partition next reads it again
          if (p.revoked || stopping || !one(p, t.records.get(i), t.entries[i])) {
            return;
          }
          p.pending.decrementAndGet();
          p.pendingBytes.addAndGet(-size(t.records.get(i)));
        }
      } catch (RuntimeException ex) {
        // a bug, not bad data (that goes to the dead letters): the partition is read again from its safe offset
        LOG.error("ingester: unexpected error on {}@{}", p.tp, t.entries[i].offset, ex);
        t.entries[i].lost("unexpected error: " + ex);
      } finally {
        // the ones skipped
        p.pending.addAndGet(-(t.records.size() - i));
        for (int k = i; k < t.records.size(); k++) {
          p.pendingBytes.addAndGet(-size(t.records.get(k)));
        }
      }
    }

    /** Decodes and delivers one record; false if the partition left while it waited for room. */
    private boolean one(Partition p, ConsumerRecord<byte[], byte[]> r, Entry e) throws InterruptedException {
      SeriesBatch batch;
      try {
        batch = decoder(r).decode(r.value());
      } catch (RecordDecodeException ex) {
        deadLetter(r, e, ex.getMessage());
        return true;
      }
      int n = batch.sampleCount();
      if (n == 0) {
        metrics.recordsOk.increment();
        e.done();
        return true;
      }
      String full;
      while ((full = output.roomFor(n)) != null) {
        if (p.revoked || stopping) {
          return false;
        }
        waitLog.warn("ingester: waiting to give {} samples of {}@{} to the writers: {}", n, p.tp, r.offset(), full);
        Thread.sleep(20);
      }
      // OFFERED before the last look at revoked (both volatile): revoke() either sees OFFERED and waits for
      // it, or this sees revoked and leaves the record to the next owner; never written by both
      e.state = Entry.OFFERED;
      if (p.revoked || stopping) {
        e.state = Entry.PENDING;
        return false;
      }
      output.deliver(batch).onComplete(ar -> {
        if (ar.succeeded()) {
          e.done();
        } else {
          e.lost(ar.cause().getMessage());
        }
      });
      metrics.recordsOk.increment();
      metrics.samples.increment(n);
      return true;
    }

    private KafkaRecordDecoder decoder(ConsumerRecord<byte[], byte[]> r) throws RecordDecodeException {
      Header h = r.headers().lastHeader(KafkaEncoding.HEADER);
      KafkaEncoding enc = h == null ? options.encoding() : KafkaEncoding.fromHeader(h.value());
      if (enc == null) {
        throw new RecordDecodeException(options.encoding(), -1, null, "unknown " + KafkaEncoding.HEADER + " header '"
            + (h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)) + "'");
      }
      return decoders.computeIfAbsent(enc, KafkaRecordDecoder::new);
    }
  }

  /** Sends an undecodable record to the dead-letter topic with what was wrong; it is done once written there. */
  private void deadLetter(ConsumerRecord<byte[], byte[]> r, Entry e, String error) {
    RecordHeaders headers = new RecordHeaders(r.headers().toArray());
    headers.add("clymene-error", error.getBytes(StandardCharsets.UTF_8));
    headers.add("clymene-source-topic", r.topic().getBytes(StandardCharsets.UTF_8));
    headers.add("clymene-source-partition", Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
    headers.add("clymene-source-offset", Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    e.state = Entry.OFFERED; // a revoke waits for it like for a record with the writers
    try {
      deadLetters.send(new ProducerRecord<>(options.deadLetterTopic(), null, r.timestamp(), r.key(), r.value(),
          headers), (md, err) -> {
            if (err == null) {
              metrics.recordsDeadLetter.increment();
              deadLetterLog.warn("ingester: record {} cannot be decoded ({}); moved to {}", where, error,
                  options.deadLetterTopic());
            } else {
              metrics.deadLetterFailures.increment();
              LOG.error("ingester: record {} cannot be decoded ({}) and writing it to {} failed, so it is dropped: {}",
                  where, error, options.deadLetterTopic(), err.toString());
            }
            e.done();
          });
    } catch (KafkaException ex) {
      metrics.deadLetterFailures.increment();
      LOG.error("ingester: record {} cannot be decoded ({}) and writing it to {} failed, so it is dropped: {}",
          where, error, options.deadLetterTopic(), ex.toString());
      e.done();
    }
  }

  private static long size(ConsumerRecord<byte[], byte[]> r) {
    return Math.max(0, r.serializedValueSize()) + Math.max(0, r.serializedKeySize());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- state ----

  /** A partition this consumer owns. Fields without volatile belong to the consumer's thread. */
  private final class Partition {
    final TopicPartition tp;
    final Worker worker;
    final ArrayDeque<Entry> inFlight = new ArrayDeque<>();
    final AtomicInteger pending = new AtomicInteger();
    final AtomicLong pendingBytes = new AtomicLong();
    final Gauge gauge;
    /** Set when the partition leaves (or is rewound): workers stop taking its records. */
    volatile boolean revoked;
    volatile long lag;
    /** The offset after the last record that is done, with all before it. */
    long safe;
    long committed;
    boolean paused;
    String lost;

    Partition(TopicPartition tp, Worker worker, long safe, long committed, Gauge gauge) {
      this.tp = tp;
      this.worker = worker;
      this.safe = safe;
      this.committed = committed;
      if (gauge != null) {
        metrics.registry.remove(gauge);
      }
      this.gauge = Gauge.builder("clymene.ingester.lag.records", this, p -> p.lag)
          .description("Records of a partition not yet committed: the log end offset minus the committed offset")
          .tag("topic", tp.topic()).tag("partition", Integer.toString(tp.partition()))
          .register(metrics.registry);
    }
  }

  /** One record taken from Kafka. */
  private static final class Entry {
    static final int PENDING = 0;
    static final int OFFERED = 1;
    static final int DONE = 2;
    static final int LOST = 3;
    final long offset;
    volatile int state = PENDING;
    volatile String reason;

    Entry(long offset) {
      this.offset = offset;
    }

    void done() {
      state = DONE;
    }

    void lost(String why) {
      reason = why;
      state = LOST;
    }
  }

  /** Records of one partition from one poll. */
  private record Task(Partition partition, List<ConsumerRecord<byte[], byte[]>> records, Entry[] entries) {
  }
}
