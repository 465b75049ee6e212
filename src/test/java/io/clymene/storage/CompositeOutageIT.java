package io.clymene.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageBackends.Backend;
import io.clymene.storage.composite.CompositeWriterVerticle;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Composite write: five writers, each into its own real server, fed the same stream at a fixed rate; one
 * backend (VictoriaMetrics behind the {@code prometheus} writer) is stopped for a while. The other four must
 * keep their throughput and stay current while it is down; the stopped one spills to disk and, once its
 * server is back, catches up until its server holds every value of every series exactly once. No writer drops
 * anything, and every server ends with every sample.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class CompositeOutageIT {
  private static final int SERIES = 2_000;
  private static final int TICKS_PER_SECOND = 5;
  private static final long RATE = (long) SERIES * TICKS_PER_SECOND;
  /** How far (in seconds of offered data) a live writer may fall behind: its 1 s batch deadline and a send. */
  private static final int MAX_LAG_SECONDS = 3;

  private final List<Backend> backends = new ArrayList<>();
  private ExternalServer stopped;
  private Vertx vertx;
  private Path dataDir;

  @BeforeAll
  void startServers() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      List<Future<Backend>> starting = new ArrayList<>();
      for (Callable<Backend> c : StorageBackends.fiveForOutageTest()) {
        starting.add(pool.submit(c));
      }
      for (Future<Backend> f : starting) {
        backends.add(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    stopped = backends.get(0).server();
    dataDir = Files.createTempDirectory("clymene-composite-");
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stopServers() {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    backends.forEach(b -> b.server().close());
    TempDirs.delete(dataDir);
  }

  @Test
  void fourWritersKeepTheirPaceWhileOneBackendIsDownAndItCatchesUpAfterwards() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StorageProviders providers = StorageProviders.load();
    List<JsonObject> json = backends.stream().map(b -> b.entry().copy().put("name", b.name())
        .put("queue", new JsonObject().put("batch_send_deadline", "1s"))).toList();
    List<StorageEntry> entries = providers.entries(json, i -> "storage[" + i + "]");
    CompositeWriterVerticle composite = new CompositeWriterVerticle(entries, providers,
        new WriterContext(vertx, registry, "test", dataDir.toString()), Duration.ofSeconds(3));
    vertx.deployVerticle(composite).await(60, TimeUnit.SECONDS);
    Map<String, WriterQueue> queues = new LinkedHashMap<>();
    composite.queues().forEach(q -> queues.put(q.name(), q));

    Generator gen = new Generator(composite);
    gen.runFor(Duration.ofSeconds(5)); // warm-up
    Map<String, Long> before = sent(queues);
    long t0 = System.nanoTime();
    gen.runFor(Duration.ofSeconds(8));
    Map<String, Double> baseline = rates(before, sent(queues), (System.nanoTime() - t0) / 1e9);

    stopped.stop();
    gen.runFor(Duration.ofSeconds(3)); // the stopped writer starts failing and spilling
    before = sent(queues);
    List<String> lagging = new ArrayList<>();
    long outageStart = System.nanoTime();
    while (System.nanoTime() - outageStart < TimeUnit.SECONDS.toNanos(15)) {
      gen.runFor(Duration.ofSeconds(1));
      for (Backend b : backends.subList(1, backends.size())) {
        long behind = gen.offered - queues.get(b.name()).status().getLong("samplesSent");
        if (behind > MAX_LAG_SECONDS * RATE) {
          lagging.add(String.format(Locale.ROOT, "%s %,d samples behind", b.name(), behind));
        }
      }
    }
    double outageSecs = (System.nanoTime() - outageStart) / 1e9;
    Map<String, Double> during = rates(before, sent(queues), outageSecs);
    assertThat(queues.get(backends.get(0).name()).status().getBoolean("spilling"))
        .as("the stopped backend's writer spills to disk").isTrue();

    stopped.start();
    gen.runFor(Duration.ofSeconds(5));
    long total = gen.offered;
    System.out.printf(Locale.ROOT, "offered %,d samples (%,d samples/s); sent samples/s before / during the "
        + "outage: %s / %s%n", total, RATE, baseline, during);
    assertThat(lagging).as("live writers more than %d s behind during the outage", MAX_LAG_SECONDS).isEmpty();
    for (Backend b : backends.subList(1, backends.size())) {
      // a baseline window can hold a burst of batches from before it (a writer sends up to its
      // max_samples_per_send at once): the offered rate is what a writer that keeps up sends
      assertThat(during.get(b.name())).as(b.name() + ": samples/s during the outage vs offered %,d and its "
          + "baseline %,.0f", RATE, baseline.get(b.name()))
          .isGreaterThanOrEqualTo(0.9 * Math.min(RATE, baseline.get(b.name())));
    }
    Await.until("every writer sent everything", Duration.ofSeconds(90), () -> {
      for (WriterQueue q : queues.values()) {
        JsonObject s = q.status();
        if (s.getLong("samplesSent") < total || s.getBoolean("spilling")) {
          return null;
        }
      }
      return true;
    });
    for (WriterQueue q : queues.values()) {
      assertThat(q.status().getLong("samplesDropped")).as(q.name() + " dropped").isZero();
    }
    for (Backend b : backends) {
      Await.until(b.name() + " to hold all " + total + " samples", Duration.ofSeconds(30),
          () -> b.stored().getAsLong() >= total ? true : null);
      assertThat(b.stored().getAsLong()).as(b.name() + " holds every sample once").isEqualTo(total);
      System.out.printf(Locale.ROOT, "%s holds %,d samples%n", b.name(), b.stored().getAsLong());
    }
    Map<Map<String, String>, List<RawSample>> got = new VictoriaMetricsApi(stopped.url())
        .export("{__name__=\"composite_outage_counter\"}");
    assertThat(got).hasSize(SERIES);
    long ticks = total / SERIES;
    got.forEach((labels, samples) -> {
      assertThat(samples).as("values of %s", labels).hasSize((int) ticks);
      for (int k = 0; k < ticks; k++) {
        assertThat(samples.get(k).value()).as("value %d of %s", k + 1, labels).isEqualTo(k + 1);
      }
    });
    vertx.undeploy(vertx.deploymentIDs().iterator().next()).await(30, TimeUnit.SECONDS);
  }

  private static Map<String, Long> sent(Map<String, WriterQueue> queues) {
    Map<String, Long> m = new LinkedHashMap<>();
    queues.forEach((n, q) -> m.put(n, q.status().getLong("samplesSent")));
    return m;
  }

  /** Samples/s each writer sent between two readings {@code secs} apart. */
  private static Map<String, Double> rates(Map<String, Long> from, Map<String, Long> to, double secs) {
    Map<String, Double> m = new LinkedHashMap<>();
    from.forEach((n, a) -> m.put(n, (double) Math.round((to.get(n) - a) / secs)));
    return m;
  }

  /**
   * Offers {@link #SERIES} counters {@link #TICKS_PER_SECOND} times a second of wall time; tick k carries
   * value k for every series at logical time base + k seconds (distinct seconds, as OpenTSDB needs).
   */
  private static final class Generator {
    private final CompositeWriterVerticle composite;
    private final long base = (System.currentTimeMillis() / 1000 - 3600) * 1000;
    private final SeriesBatch.Builder builder = new SeriesBatch.Builder();
    private long tick;
    private long offered;
    private long next = System.nanoTime();

    Generator(CompositeWriterVerticle composite) {
      this.composite = composite;
    }

    void runFor(Duration d) throws InterruptedException {
      long end = System.nanoTime() + d.toNanos();
      while (System.nanoTime() < end) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        next += 1_000_000_000L / TICKS_PER_SECOND;
        tick++;
        for (int i = 0; i < SERIES; i++) {
          builder.beginSeries().label("__name__", "composite_outage_counter").label("job", "composite")
              .label("series", "s" + i).sample(base + tick * 1000, tick);
          builder.endSeries();
        }
        SeriesBatch b = builder.build();
        assertThat(composite.offer(b)).as("writers that took tick %d", tick).isEqualTo(5);
        offered += b.sampleCount();
      }
    }
  }
}
