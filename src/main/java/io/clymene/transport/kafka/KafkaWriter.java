package io.clymene.transport.kafka;

import static io.clymene.storage.Batches.firstSeries;

import io.clymene.config.Durations;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kafka} writer: each write becomes one record per target ({@link RecordKeys}), encoded with
 * {@link KafkaRecordEncoder} and tagged with the {@value KafkaEncoding#HEADER} header; the write succeeds
 * once Kafka acknowledged every record.
 *
 * <p>The producer lives on its own thread: {@code KafkaProducer.send} may block (waiting for metadata or
 * buffer space), so sends are handed to that thread in order (keeping each partition's order) and
 * acknowledgements come back to the writer's context. A write fails at its first failed record, skipping
 * records not yet sent; it also fails on its own after {@code timeout} plus a second, however Kafka
 * behaves. Failures: retriable Kafka errors, timeouts and anything unknown are retryable (the queue
 * retries and spills); a record too large for Kafka is split into halves by series (a single series by
 * samples) and sent again; authentication, authorization, serialization, invalid-topic and
 * unsupported-version errors reject the data.
 */
final class KafkaWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaWriter.class);
  /** Record overhead counted besides key and value when checking {@code max.request.size}. */
  static final int RECORD_OVERHEAD = 128;
  /** How long a write waits beyond {@code timeout} before giving up on Kafka's own timeouts. */
  static final Duration GRACE = Duration.ofSeconds(1);

  private final WriterContext context;
  private final StorageEntry entry;
  private final KafkaProducerConfig config;
  private final KafkaRecordEncoder encoder;
  private final String topic;
  private final long maxRecordBytes;
  private final Counter records;
  private final Counter bytes;
  private final Counter splits;
  private final ThrottledLog failLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private ExecutorService sender;
  private volatile Producer<byte[], byte[]> producer;

  KafkaWriter(WriterContext context, StorageEntry entry, KafkaProducerConfig config) {
    this.context = context;
    this.entry = entry;
    this.config = config;
    this.encoder = new KafkaRecordEncoder(config.encoding());
    this.topic = config.topic();
    this.maxRecordBytes = config.maxRequestSize();
    this.records = Counter.builder("clymene.kafka.records")
        .description("Records a kafka writer sent that Kafka acknowledged")
        .tag("writer", entry.name()).register(context.registry());
    this.bytes = Counter.builder("clymene.kafka.bytes")
        .description("Record value bytes a kafka writer sent that Kafka acknowledged (before Kafka's compression)")
        .tag("writer", entry.name()).register(context.registry());
    this.splits = Counter.builder("clymene.kafka.splits")
        .description("Records a kafka writer split in two because they were too large for Kafka")
        .tag("writer", entry.name()).register(context.registry());
  }

  @Override
  public Future<Void> start() {
    sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "clymene-kafka-" + entry.name());
      t.setDaemon(true);
      return t;
    });
    return onSender(() -> {
      try {
        producer = new KafkaProducer<>(config.properties());
        LOG.info("writer {}: producing to topic {} on {} ({})", entry.name(), topic, config.brokers(), config);
        return null;
      } catch (KafkaException | java.io.IOException e) {
        throw new IllegalStateException("writer " + entry.name() + " (" + entry.path() + "): cannot create the "
            + "Kafka producer: " + message(e), e);
      }
    });
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    Producer<byte[], byte[]> p = producer;
    if (p == null) {
      return Future.failedFuture(WriteException.retryable("kafka writer " + entry.name() + " is not started", null));
    }
    List<RecordKeys.KeyGroup> groups = RecordKeys.groupByKey(batches);
    if (groups.isEmpty()) {
      return Future.succeededFuture();
    }
    Context ctx = currentContext();
    Write w = new Write(Promise.promise());
    long deadline = config.timeout().plus(GRACE).toMillis();
    w.timer = context.vertx().setTimer(deadline, id -> w.fail(WriteException.retryable("kafka: no acknowledgement "
        + "within " + Durations.format(config.timeout().plus(GRACE)) + " for " + w.pending + " record(s) of "
        + w.sent + " (brokers " + config.brokers() + ")", null)));
    for (RecordKeys.KeyGroup g : groups) {
      send(w, g.key(), g.batches(), ctx);
    }
    return w.promise.future();
  }

  /** Encodes and sends one part, splitting it first when it is certainly too large. */
  private void send(Write w, byte[] key, List<SeriesBatch> part, Context ctx) {
    if (w.done) {
      return;
    }
    byte[] value = encoder.encode(part);
    if (value.length + key.length + RECORD_OVERHEAD > maxRecordBytes) {
      List<List<SeriesBatch>> halves = Splits.halves(part);
      if (halves != null) {
        splits.increment();
        halves.forEach(h -> send(w, key, h, ctx));
        return;
      }
      w.fail(tooLarge(part, value.length, null));
      return;
    }
    w.pending++;
    w.sent++;
    RecordHeaders headers = new RecordHeaders();
    headers.add(new RecordHeader(KafkaEncoding.HEADER, config.encoding().headerBytes()));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, null, key, value, headers);
    int length = value.length;
    try {
      sender.execute(() -> {
        if (w.done) {
          return; // the write already failed: don't send what the retry will send again
        }
        try {
          producer.send(record, (md, err) -> ctx.runOnContext(v -> acknowledged(w, key, part, length, err, ctx)));
        } catch (RuntimeException e) {
          ctx.runOnContext(v -> acknowledged(w, key, part, length, e, ctx));
        }
      });
    } catch (RejectedExecutionException e) {
      w.fail(WriteException.retryable("kafka writer " + entry.name() + " is stopping", e));
    }
  }

  private void acknowledged(Write w, byte[] key, List<SeriesBatch> part, int length, Throwable err, Context ctx) {
    if (w.done) {
      return;
    }
    if (err == null) {
      records.increment();
      bytes.increment(length);
      if (--w.pending == 0) {
        w.succeed();
      }
      return;
    }
    countError(err);
    if (err instanceof RecordTooLargeException) {
      List<List<SeriesBatch>> halves = Splits.halves(part);
      if (halves != null) {
        splits.increment();
        halves.forEach(h -> send(w, key, h, ctx)); // before the decrement: the write is not done yet
        if (--w.pending == 0 && !w.done) {
          w.succeed();
        }
        return;
      }
      w.fail(tooLarge(part, length, err));
      return;
    }
    w.fail(classify(err, part));
  }

  private WriteException tooLarge(List<SeriesBatch> part, int length, Throwable err) {
    String line = "kafka rejected a record of " + length + " bytes holding one sample of " + firstSeries(part)
        + " as too large (max_request_size " + maxRecordBytes + (err == null ? "" : "; " + message(err))
        + "); raise max_request_size and the topic's max.message.bytes";
    failLog.warn("writer {}: {}", entry.name(), line);
    return WriteException.rejected(line);
  }

  /** Maps a send failure to retryable or rejected. */
  WriteException classify(Throwable err, List<SeriesBatch> part) {
    String what = err.getClass().getSimpleName() + ": " + message(err);
    if (err instanceof AuthorizationException || err instanceof AuthenticationException
        || err instanceof SerializationException || err instanceof InvalidTopicException
        || err instanceof UnsupportedVersionException) {
      String line = "kafka rejected a write to topic " + topic + " (" + what + "); first series " + firstSeries(part);
      failLog.warn("writer {}: {}", entry.name(), line);
      return WriteException.rejected(line);
    }
    // RetriableException, TimeoutException, disconnects, a closed producer and anything unknown: retry
    return WriteException.retryable("kafka write to topic " + topic + " on " + config.brokers() + " failed: "
        + what, err);
  }

  private void countError(Throwable err) {
    Counter.builder("clymene.kafka.send.errors")
        .description("Records a kafka writer failed to send, by Kafka exception type")
        .tag("writer", entry.name()).tag("error", err.getClass().getSimpleName())
        .register(context.registry()).increment();
  }

  @Override
  public Future<Void> stop() {
    if (sender == null) {
      return Future.succeededFuture();
    }
    Future<Void> closed = onSender(() -> {
      Producer<byte[], byte[]> p = producer;
      if (p != null) {
        p.close(config.timeout()); // sends what is buffered first
      }
      return null;
    });
    sender.shutdown();
    return closed;
  }

  /** Runs blocking work on the producer's thread; the result comes back on the caller's context. */
  private Future<Void> onSender(java.util.concurrent.Callable<Void> work) {
    Context ctx = currentContext();
    Promise<Void> promise = Promise.promise();
    try {
      sender.execute(() -> {
        try {
          work.call();
          ctx.runOnContext(v -> promise.tryComplete());
        } catch (Exception e) {
          ctx.runOnContext(v -> promise.tryFail(e));
        }
      });
    } catch (RejectedExecutionException e) {
      promise.tryFail(e);
    }
    return promise.future();
  }

  private Context currentContext() {
    Context ctx = Vertx.currentContext();
    return ctx != null ? ctx : context.vertx().getOrCreateContext();
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("[\\r\\n]+", " ");
  }

  /** One write's records: counted and completed on the writer's context only. */
  private final class Write {
    final Promise<Void> promise;
    int pending;
    int sent;
    long timer = -1;
    volatile boolean done;

    Write(Promise<Void> promise) {
      this.promise = promise;
    }

    void succeed() {
      done = true;
      context.vertx().cancelTimer(timer);
      promise.tryComplete();
    }

    void fail(WriteException e) {
      if (done) {
        return;
      }
      done = true;
      context.vertx().cancelTimer(timer);
      promise.tryFail(e);
    }
  }

  /** Splitting a record's series in two. */
  static final class Splits {
    private Splits() {
    }

    /**
     * Two halves of the series of {@code part}, in order: by series, or by samples for a single series;
     * null when it holds at most one sample.
     */
    static List<List<SeriesBatch>> halves(List<SeriesBatch> part) {
      int series = 0;
      for (SeriesBatch b : part) {
        series += b.size();
      }
      if (series > 1) {
        int half = series / 2;
        List<SeriesBatch> first = new ArrayList<>();
        List<SeriesBatch> second = new ArrayList<>();
        int seen = 0;
        for (SeriesBatch b : part) {
          if (seen + b.size() <= half) {
            first.add(b);
          } else if (seen >= half) {
            second.add(b);
          } else {
            first.add(b.slice(0, half - seen));
            second.add(b.slice(half - seen, b.size()));
          }
          seen += b.size();
        }
        return List.of(first, second);
      }
      for (SeriesBatch b : part) {
        if (b.size() == 1) {
          int from = b.sampleStart(0);
          int to = b.sampleEnd(0);
          if (to - from < 2) {
            return null;
          }
          int mid = from + (to - from) / 2;
          return List.of(List.of(copy(b, from, mid)), List.of(copy(b, mid, to)));
        }
      }
      return null;
    }

    /** Series 0 of {@code b} with samples {@code [from, to)}. */
    private static SeriesBatch copy(SeriesBatch b, int from, int to) {
      SeriesBatch.Builder out = new SeriesBatch.Builder();
      int start = b.labelStart(0);
      out.beginEncodedSeries(b.labelData(), start, b.labelEnd(0) - start, b.hash(0));
      for (int s = from; s < to; s++) {
        out.sample(b.timestamp(s), b.value(s));
      }
      out.endSeries();
      return out.build();
    }
  }
}
