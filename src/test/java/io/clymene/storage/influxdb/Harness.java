package io.clymene.storage.influxdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.OnContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Drives a line-protocol writer as its queue does, for the writer tests: writers made by their provider from an
 * entry's JSON, single writes on a Vert.x context, and an outage drill through a real {@link WriterQueue}.
 */
final class Harness implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  final Vertx vertx = Vertx.vertx();
  final Context context = vertx.getOrCreateContext();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<StorageWriter> writers = new ArrayList<>();

  /** A started writer of {@code entry} (its provider's queue defaults, then the entry's). */
  StorageWriter writer(StorageProvider provider, JsonObject entry) throws Exception {
    StorageEntry e = entry(provider, entry);
    provider.check(e);
    StorageWriter w = provider.create(new WriterContext(vertx, registry, "test", null), e);
    OnContext.await(context, TIMEOUT, w::start);
    writers.add(w);
    return w;
  }

  static StorageEntry entry(StorageProvider provider, JsonObject entry) {
    return StorageEntry.from(entry, "storage[0]", entry.getString("name", provider.type()),
        provider.defaultQueueOptions());
  }

  /** Writes batches in one request; the failure, or null. */
  Throwable write(StorageWriter w, List<SeriesBatch> batches) {
    try {
      OnContext.await(context, TIMEOUT, () -> w.write(batches));
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  double dropped(String writer, String reason) {
    Counter c = registry.find("clymene.dropped.samples").tag("writer", writer).tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  /** Adds one series: labels as name, value pairs; samples as timestamp, value pairs. */
  static SeriesBatch.Builder series(SeriesBatch.Builder b, String[] labels, double... samples) {
    b.beginSeries();
    for (int i = 0; i < labels.length; i += 2) {
      b.label(labels[i], labels[i + 1]);
    }
    for (int i = 0; i < samples.length; i += 2) {
      b.sample((long) samples[i], samples[i + 1]);
    }
    b.endSeries();
    return b;
  }

  /**
   * {@code batches} batches of {@code series} series, one sample each: series {@code s} of batch {@code k} has
   * labels {@code __name__=<metric>, job=drill, series=<s>}, value {@code k + 1} at {@code t0 + k * 1000 + s}.
   */
  static SeriesBatch batch(String metric, int k, int series, long t0) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < series; s++) {
      b.beginSeries().label("__name__", metric).label("job", "drill").label("series", Integer.toString(s))
          .sample(t0 + k * 1000L + s, k + 1);
      b.endSeries();
    }
    return b.build();
  }

  /**
   * The outage drill: a writer's real queue (retries every 100-500 ms) is offered {@code batches} batches of
   * {@code series} series; half-way the server is stopped, the second half is offered while it is down, then
   * it is started again. Every sample must arrive ({@code stored} reaches the total), none dropped.
   */
  void outage(StorageProvider provider, JsonObject entry, ExternalServer server, String metric, int batches,
              int series, LongSupplier stored) throws Exception {
    QueueOptions q = provider.defaultQueueOptions().setMaxSamplesPerSend(series * 2)
        .setBatchSendDeadline(Duration.ofMillis(200)).setCapacity(batches * series)
        .setMinBackoff(Duration.ofMillis(100)).setMaxBackoff(Duration.ofMillis(500)).setMaxShards(2);
    StorageEntry e = new StorageEntry(provider.type(), entry.getString("name", provider.type()), "storage[0]", q,
        entry(provider, entry).http(), entry);
    StorageWriter w = provider.create(new WriterContext(vertx, registry, "test", null), e);
    OnContext.await(context, TIMEOUT, w::start);
    writers.add(w);
    WriterQueue queue = new WriterQueue(e.name(), w, q, context, registry);
    long t0 = System.currentTimeMillis() - 3_600_000;
    for (int k = 0; k < batches / 2; k++) {
      assertThat(queue.offer(batch(metric, k, series, t0))).isTrue();
    }
    Await.until("the first half stored", TIMEOUT, () -> stored.getAsLong() == (long) batches / 2 * series);
    server.stop();
    for (int k = batches / 2; k < batches; k++) {
      assertThat(queue.offer(batch(metric, k, series, t0))).isTrue();
    }
    Await.until("a write to fail while the server is down", TIMEOUT,
        () -> registry.find("clymene.writer.samples").tag("status", "retried").counter().count() > 0);
    server.start();
    Await.until("every sample stored after the outage", Duration.ofSeconds(60),
        () -> stored.getAsLong() == (long) batches * series);
    Await.until("the queue drained", TIMEOUT, () -> queue.length() == 0);
    assertThat(dropped(e.name(), "rejected") + dropped(e.name(), "queue_full")).isZero();
    OnContext.await(context, TIMEOUT, () -> queue.flushAndStop(Duration.ofSeconds(5)));
  }

  @Override
  public void close() throws Exception {
    for (StorageWriter w : writers) {
      OnContext.await(context, TIMEOUT, w::stop);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
