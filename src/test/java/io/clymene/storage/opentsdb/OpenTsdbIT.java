package io.clymene.storage.opentsdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.OnContext;
import io.clymene.testing.RawSample;
import io.clymene.testing.VictoriaMetricsApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The opentsdb writer against a real VictoriaMetrics serving OpenTSDB telnet ({@code -opentsdbListenAddr})
 * and HTTP ({@code -opentsdbHTTPListenAddr}) on free ports: points written both ways are read back (values,
 * timestamps, sanitised tags; VictoriaMetrics trims telnet timestamps to seconds, so telnet samples use
 * whole, distinct seconds), NaN is skipped and counted, a series without tags is rejected and counted, and a VictoriaMetrics stop/start in the middle of a
 * stream driven through the writer's real queue loses no value (duplicates allowed: at least once).
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenTsdbIT {
  private ExternalServer vm;
  private int telnetPort;
  private int httpPort;
  private Vertx vertx;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private VictoriaMetricsApi api;
  private final long base = (System.currentTimeMillis() / 1000 - 3600) * 1000;

  @BeforeAll
  void startServer() throws IOException {
    vm = ExternalServer.victoriaMetricsWith(2, "-opentsdbListenAddr=127.0.0.1:{port1}",
        "-opentsdbHTTPListenAddr=127.0.0.1:{port2}");
    telnetPort = vm.port(1);
    httpPort = vm.port(2);
    api = new VictoriaMetricsApi(vm.url());
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stopServer() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vm != null) {
      vm.close();
    }
  }

  @Test
  void httpPointsAreReadBackWithMillisecondsAndSanitisedTags() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    StorageWriter w = writer(new JsonObject().put("url", "http://127.0.0.1:" + httpPort));
    OnContext.await(ctx, Duration.ofSeconds(10), w::start);
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < 3; s++) {
      b.beginSeries().label("__name__", "otsdb_http").label("instance", "host:91" + s).label("job", "node");
      for (int i = 0; i < 200; i++) {
        b.sample(base + i * 250L + s, s * 1000 + i + 0.5);
      }
      b.sample(base + 200 * 250L + s, Double.NaN);
      b.endSeries();
    }
    assertThat(OnContext.write(ctx, Duration.ofSeconds(20), w, b.build())).isNull();

    Map<Map<String, String>, List<RawSample>> got = Await.until("600 HTTP samples in VictoriaMetrics",
        Duration.ofSeconds(20), () -> {
          var m = export("{__name__=\"otsdb_http\"}");
          return m != null && m.values().stream().mapToInt(List::size).sum() == 600 ? m : null;
        });
    assertThat(got.keySet()).extracting(l -> l.get("instance")).containsExactly("host_910", "host_911", "host_912");
    for (int s = 0; s < 3; s++) {
      List<RawSample> samples = got.get(new TreeMap<>(Map.of("__name__", "otsdb_http", "instance", "host_91" + s, "job", "node")));
      assertThat(samples).hasSize(200);
      assertThat(samples.get(7)).isEqualTo(new RawSample(base + 7 * 250L + s, s * 1000 + 7.5));
    }
    assertThat(registry.get("clymene.dropped.samples").tag("reason", "unsupported_value").counter().count())
        .isEqualTo(3.0);
    OnContext.await(ctx, Duration.ofSeconds(10), w::stop);
  }

  @Test
  void telnetPointsAreReadBackWithWholeSeconds() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    StorageWriter w = writer(new JsonObject().put("address", "127.0.0.1:" + telnetPort));
    OnContext.await(ctx, Duration.ofSeconds(10), w::start);
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < 4; s++) {
      b.beginSeries().label("__name__", "otsdb_telnet").label("series", "s" + s);
      for (int i = 0; i < 250; i++) {
        b.sample(base + i * 1000L, i % 2 == 0 ? i : -i * 0.125);
      }
      b.endSeries();
    }
    b.beginSeries().label("__name__", "otsdb_telnet_untagged").sample(base, 1).sample(base + 1000, 2);
    b.endSeries();

    Throwable err = OnContext.write(ctx, Duration.ofSeconds(20), w, b.build());

    // OpenTSDB refuses a point without tags: counted as rejected, the rest written
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).partial()).isTrue();
    assertThat(((WriteException) err).rejectedSamples()).isEqualTo(2);
    assertThat(((WriteException) err).retryBatches()).isEmpty();

    Map<Map<String, String>, List<RawSample>> got = Await.until("1000 telnet samples in VictoriaMetrics",
        Duration.ofSeconds(20), () -> {
          var m = export("{__name__=\"otsdb_telnet\"}");
          return m != null && m.values().stream().mapToInt(List::size).sum() == 1000 ? m : null;
        });
    List<RawSample> s3 = got.get(new TreeMap<>(Map.of("__name__", "otsdb_telnet", "series", "s3")));
    assertThat(s3).hasSize(250);
    assertThat(s3.get(0)).isEqualTo(new RawSample(base, 0));
    assertThat(s3.get(249)).isEqualTo(new RawSample(base + 249_000L, -249 * 0.125));
    OnContext.await(ctx, Duration.ofSeconds(10), w::stop);
  }

  @Test
  void telnetStreamSurvivesARestartOfTheServer() throws Exception {
    restartMidStream("otsdb_restart_telnet", new JsonObject().put("address", "127.0.0.1:" + telnetPort));
  }

  @Test
  void httpStreamSurvivesARestartOfTheServer() throws Exception {
    restartMidStream("otsdb_restart_http", new JsonObject().put("url", "http://127.0.0.1:" + httpPort));
  }

  /**
   * Offers 150 batches (10 series, one sample each, a whole second apart) every 20 ms through a real
   * queue; VictoriaMetrics is stopped after batch 50 and started after batch 100. Every value arrives.
   */
  private void restartMidStream(String metric, JsonObject json) throws Exception {
    Context ctx = vertx.getOrCreateContext();
    StorageWriter w = writer(json);
    OnContext.await(ctx, Duration.ofSeconds(10), w::start);
    QueueOptions q = new QueueOptions().setMaxSamplesPerSend(100).setBatchSendDeadline(Duration.ofMillis(50))
        .setMinBackoff(Duration.ofMillis(50)).setMaxBackoff(Duration.ofMillis(500)).setMaxShards(2);
    WriterQueue queue = new WriterQueue(metric, w, q, ctx, registry);
    int batches = 150;
    int series = 10;
    AtomicInteger offered = new AtomicInteger();
    long timer = vertx.setPeriodic(20, t -> {
      int k = offered.get();
      if (k >= batches) {
        return;
      }
      SeriesBatch.Builder b = new SeriesBatch.Builder();
      for (int s = 0; s < series; s++) {
        b.beginSeries().label("__name__", metric).label("series", "s" + s).sample(base + k * 1000L, k);
        b.endSeries();
      }
      assertThat(queue.offer(b.build())).isTrue();
      offered.incrementAndGet();
    });
    Await.until("50 batches offered", Duration.ofSeconds(20), () -> offered.get() >= 50);
    vm.stop();
    Await.until("100 batches offered", Duration.ofSeconds(20), () -> offered.get() >= 100);
    vm.start();
    Await.until("every batch offered", Duration.ofSeconds(20), () -> offered.get() >= batches);
    vertx.cancelTimer(timer);

    Map<Map<String, String>, List<RawSample>> got = Await.until("every value of " + metric, Duration.ofSeconds(30),
        () -> {
          var m = export("{__name__=\"" + metric + "\"}");
          return m != null && m.size() == series && m.values().stream().allMatch(l -> distinct(l).size() == batches)
              ? m : null;
        });
    List<Long> expected = new ArrayList<>();
    for (int k = 0; k < batches; k++) {
      expected.add(base + k * 1000L);
    }
    int duplicates = 0;
    for (List<RawSample> samples : got.values()) {
      assertThat(distinct(samples)).containsExactlyElementsOf(expected);
      samples.forEach(r -> assertThat(r.value()).isEqualTo((r.timestamp() - base) / 1000));
      duplicates += samples.size() - batches;
    }
    System.out.println(metric + ": " + series * batches + " values arrived, " + duplicates + " duplicates");
    OnContext.await(ctx, Duration.ofSeconds(20), () -> queue.flushAndStop(Duration.ofSeconds(5)));
    OnContext.await(ctx, Duration.ofSeconds(10), w::stop);
  }

  /** VictoriaMetrics' raw samples, after making what it buffers searchable. */
  private Map<Map<String, String>, List<RawSample>> export(String selector) {
    Http.get(vm.url() + "/internal/force_flush");
    return api.export(selector);
  }

  private static TreeSet<Long> distinct(List<RawSample> samples) {
    TreeSet<Long> ts = new TreeSet<>();
    samples.forEach(r -> ts.add(r.timestamp()));
    return ts;
  }

  private StorageWriter writer(JsonObject json) {
    StorageEntry entry = StorageEntry.from(json.put("type", "opentsdb"), "storage[0]", "otsdb",
        new OpenTsdbProvider().defaultQueueOptions());
    new OpenTsdbProvider().check(entry);
    return new OpenTsdbProvider().create(new WriterContext(vertx, registry, "test", null), entry);
  }
}
