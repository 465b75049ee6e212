package io.clymene.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ClymeneAdmin;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A receiver outage loses nothing and holds memory down: the agent scrapes {@value #SERIES} counting
 * series every second and remote-writes to a real VictoriaMetrics, which is stopped for
 * {@code clymene.test.outage.seconds} (default 120) seconds and then started again on the same port and
 * data. The writer's memory queue (capacity 500 x 2 shards = 1000 samples, about three scrapes) cannot
 * hold the outage, so it must spill to {@code <data_dir>/spill/vm} within a few seconds and replay the disk
 * queue in order once the receiver is back. VictoriaMetrics must then hold, per series, exactly the values
 * 1..N (N: requests the target served), each once, at rising timestamps: count N and sum N(N+1)/2.
 * During the outage the memory queue never holds more than twice its capacity. (A scrape that times out,
 * which the agent reports with up 0, never delivered its values to the agent: those are not expected,
 * and at most two are tolerated.)
 */
@Timeout(480) // room for outages up to about five minutes
class OutageTest {
  private static final int SERIES = 300;
  private static final int CAPACITY = 500;
  private static final int MAX_SHARDS = 2;
  private static final String WRITER = "vm";
  private static final long SCRAPE_INTERVAL_MS = 1_000;
  private static final long SCRAPE_TIMEOUT_MS = 900;

  private ExternalServer vm;
  private Vertx vertx;
  private CounterTarget target;
  private Launcher launcher;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vm = ExternalServer.victoriaMetrics();
    vertx = Vertx.vertx();
    target = CounterTarget.start(vertx, "outage_requests_total", SERIES);
    dir = Files.createTempDirectory("clymene-outage-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    vm.close();
    TempDirs.delete(dir);
  }

  @Test
  void everySampleScrapedDuringAnOutageArrivesOnce() throws Exception {
    int outageSeconds = Integer.getInteger("clymene.test.outage.seconds", 120);
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, String.join("\n",
        "global: {scrape_interval: 1s, scrape_timeout: " + SCRAPE_TIMEOUT_MS + "ms}",
        "scrape_configs:",
        "  - job_name: outage",
        "    static_configs: [{targets: ['" + target.address() + "']}]",
        "remote_write:",
        "  - url: " + vm.url() + "/api/v1/write",
        "    name: " + WRITER,
        "    queue_config: {capacity: " + CAPACITY + ", max_shards: " + MAX_SHARDS
            + ", max_samples_per_send: 200, batch_send_deadline: 500ms}",
        ""));
    Path dataDir = dir.resolve("data");
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", prom.toString(),
        "--data_dir=" + dataDir, "--admin.host=127.0.0.1", "--admin.port=0"));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    ClymeneAdmin admin = new ClymeneAdmin(launcher.adminPort());
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());

    Await.until("every series in VictoriaMetrics", Duration.ofSeconds(30), () -> {
      var got = api.export(target.metric());
      return got != null && target.bySeries(got).size() == SERIES ? Boolean.TRUE : null;
    });
    Exposition before = admin.metrics();
    double capacity = before.require("clymene_writer_queue_capacity_samples", "writer", WRITER);
    assertThat(capacity).isEqualTo(CAPACITY * MAX_SHARDS);
    assertThat(before.require("clymene_writer_spilling", "writer", WRITER)).isEqualTo(0.0);

    // the outage: watch the writer every second
    vm.stop();
    long outageStart = System.nanoTime();
    double maxQueued = 0;
    List<String> overCapacity = new ArrayList<>();
    double spillingAfter = -1;
    long maxSpillSamples = 0;
    long maxSpillBytes = 0;
    for (int second = 1; second <= outageSeconds; second++) {
      sleepUntil(outageStart + second * 1_000_000_000L);
      double t = (System.nanoTime() - outageStart) / 1e9;
      Exposition m = admin.metrics();
      assertThat(m).as("the admin server's /metrics during the outage").isNotNull();
      double queued = m.require("clymene_writer_queue_samples", "writer", WRITER);
      maxQueued = Math.max(maxQueued, queued);
      if (queued > 2 * capacity) {
        overCapacity.add(String.format("%.0f samples at %.1f s", queued, t));
      }
      if (spillingAfter < 0 && m.require("clymene_writer_spilling", "writer", WRITER) == 1.0) {
        spillingAfter = t;
      }
      JsonObject status = admin.writer(WRITER);
      maxSpillSamples = Math.max(maxSpillSamples, status.getLong("spillSamples"));
      maxSpillBytes = Math.max(maxSpillBytes, status.getLong("spillBytes"));
    }
    JsonObject atEnd = admin.writer(WRITER);
    Path spillDir = dataDir.resolve("spill").resolve(WRITER);
    long filesInSpillDir;
    try (Stream<Path> files = Files.list(spillDir)) {
      filesInSpillDir = files.count();
    }

    vm.start();
    long backAt = System.nanoTime();
    Map<String, Long> n = target.stop();
    long last = n.values().iterator().next();
    String selector = "{__name__=~\"" + target.metric() + "|up\",job=\"outage\"}";
    SortedSet<Long> failedScrapes = new TreeSet<>();
    Map<String, List<RawSample>> delivered = Await.until("every scraped sample in VictoriaMetrics",
        Duration.ofSeconds(120), () -> {
          var got = api.export(selector);
          if (got == null) {
            return null;
          }
          failedScrapes.clear();
          failedScrapes.addAll(target.failedScrapes(got, "outage", SCRAPE_INTERVAL_MS + SCRAPE_TIMEOUT_MS));
          return CounterTarget.requireComplete(target.bySeries(got), n, failedScrapes::contains);
        });
    double deliveredAfter = (System.nanoTime() - backAt) / 1e9;
    Await.until("the writer back on its memory queue", Duration.ofSeconds(30), () -> {
      JsonObject s = admin.writer(WRITER);
      return !s.getBoolean("spilling") && s.getLong("spillSamples") == 0 ? Boolean.TRUE : null;
    });
    Exposition after = admin.metrics();

    System.out.printf("outage of %d s: N=%d per series (failed scrapes: %s); spilling after %.1f s; memory queue "
            + "at most %.0f of %.0f samples; disk queue up to %d samples, %d bytes (%d at the end); all delivered "
            + "%.1f s after the receiver came back%n",
        outageSeconds, last, failedScrapes, spillingAfter, maxQueued, capacity, maxSpillSamples, maxSpillBytes,
        atEnd.getLong("spillSamples"), deliveredAfter);

    assertThat(spillingAfter).as("seconds into the outage until clymene_writer_spilling is 1")
        .isBetween(0.0, 5.0);
    assertThat(overCapacity).as("clymene_writer_queue_samples above twice the capacity (%.0f)", 2 * capacity)
        .isEmpty();
    assertThat(maxSpillSamples).as("spillSamples in /api/v1/status/remote-write").isPositive();
    assertThat(atEnd.getBoolean("spilling")).isTrue();
    assertThat(atEnd.getLong("spillSamples")).as("samples on disk at the end of the outage: more than memory holds")
        .isGreaterThan(2L * CAPACITY * MAX_SHARDS);
    assertThat(filesInSpillDir).as("files in " + spillDir).isPositive();
    assertThat(last).as("scrapes served").isGreaterThanOrEqualTo(outageSeconds);

    // per series: the values 1..N, each once: count N and checksum N(N+1)/2 (less the values of scrapes
    // that failed, which the agent reported with up 0: a timed-out scrape stores nothing)
    assertThat(failedScrapes).as("values served to scrapes that failed").hasSizeLessThanOrEqualTo(2);
    long failedSum = failedScrapes.stream().mapToLong(Long::longValue).sum();
    List<String> wrong = new ArrayList<>();
    n.forEach((series, max) -> {
      TreeSet<Long> values = new TreeSet<>();
      for (RawSample s : delivered.getOrDefault(series, List.of())) {
        if (!Double.isNaN(s.value())) {
          values.add((long) s.value());
        }
      }
      long sum = values.stream().mapToLong(Long::longValue).sum();
      long count = max - failedScrapes.size();
      long checksum = max * (max + 1) / 2 - failedSum;
      if (values.size() != count || sum != checksum) {
        wrong.add(series + ": " + values.size() + " distinct values summing to " + sum + ", expected " + count
            + " summing to " + checksum);
      }
    });
    assertThat(wrong).isEmpty();
    assertThat(CounterTarget.check(delivered, n, failedScrapes::contains)).isEmpty();
    assertThat(after.sum("clymene_dropped_samples_total", "writer", WRITER)).as("samples dropped").isEqualTo(0.0);
  }

  /** Paces the watch loop (not an assertion). */
  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long ms = (nanoTime - System.nanoTime()) / 1_000_000;
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }
}
