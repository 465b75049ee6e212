package io.clymene.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ClymeneAdmin;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Ports;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dead receiver does not slow the live one down. The same scrape load ({@value #SERIES} series every
 * second) is remote-written twice: once to a real VictoriaMetrics only (the baseline), once to it and to a
 * closed port (a dead writer, which fails every send and spills to its disk queue). For the live writer
 * the test records, for every scrape round, the delay between the round's scrape timestamp and the moment
 * the writer reports it delivered ({@code clymene_writer_highest_sent_timestamp_seconds}, polled every
 * {@value #POLL_MS} ms), over {@value #MEASURE_SECONDS} s. With the dead writer the live writer must still
 * deliver every sample (the values 1..N of every series in VictoriaMetrics) with a median delay within one
 * second of the baseline's and a 90th percentile within two. Both measurements are printed.
 */
@Timeout(180)
class DeadWriterIsolationTest {
  private static final int SERIES = 1000;
  private static final int MEASURE_SECONDS = 20;
  private static final int POLL_MS = 50;
  private static final long SCRAPE_INTERVAL_MS = 1_000;
  private static final long SCRAPE_TIMEOUT_MS = 900;
  private static final String LIVE = "live";
  private static final String DEAD = "dead";

  private ExternalServer vm;
  private Vertx vertx;
  private Launcher launcher;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vm = ExternalServer.victoriaMetrics();
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("clymene-dead-writer-");
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

  /** One run's delivery delays (ms per scrape round) and samples delivered. */
  private record Measurement(List<Long> lagsMillis, long samplesDelivered, int failedScrapes) {
    long percentile(double p) {
      List<Long> sorted = new ArrayList<>(lagsMillis);
      Collections.sort(sorted);
      return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }

    @Override
    public String toString() {
      return String.format("lag p50 %d ms, p90 %d ms, max %d ms over %d rounds; %d samples delivered, all that "
          + "were scraped (%d failed scrapes)", percentile(0.5), percentile(0.9), percentile(1.0), lagsMillis.size(),
          samplesDelivered, failedScrapes);
    }
  }

  @Test
  void aDeadWriterDoesNotDelayTheLiveOne() throws Exception {
    Measurement baseline = run("baseline", false);
    Measurement withDead = run("with_dead", true);
    System.out.printf("dead-writer isolation (%d series/s, %d s): live writer alone: %s%n", SERIES, MEASURE_SECONDS,
        baseline);
    System.out.printf("dead-writer isolation (%d series/s, %d s): live writer next to a dead one: %s%n", SERIES,
        MEASURE_SECONDS, withDead);
    assertThat(withDead.lagsMillis()).as("scrape rounds delivered while measuring")
        .hasSizeGreaterThanOrEqualTo(MEASURE_SECONDS / 2);
    assertThat(withDead.percentile(0.5)).as("median delay with the dead writer")
        .isLessThanOrEqualTo(baseline.percentile(0.5) + 1_000);
    assertThat(withDead.percentile(0.9)).as("90th percentile delay with the dead writer")
        .isLessThanOrEqualTo(baseline.percentile(0.9) + 2_000);
  }

  private Measurement run(String name, boolean withDead) throws Exception {
    CounterTarget target = CounterTarget.start(vertx, "isolation_" + name + "_total", SERIES);
    Path prom = dir.resolve(name + ".yml");
    String queue = "    queue_config: {batch_send_deadline: 500ms}";
    Files.writeString(prom, String.join("\n",
        "global: {scrape_interval: 1s, scrape_timeout: " + SCRAPE_TIMEOUT_MS + "ms}",
        "scrape_configs:",
        "  - job_name: " + name,
        "    static_configs: [{targets: ['" + target.address() + "']}]",
        "remote_write:",
        "  - url: " + vm.url() + "/api/v1/write",
        "    name: " + LIVE,
        queue,
        withDead ? "  - url: http://127.0.0.1:" + Ports.free() + "/api/v1/write\n    name: " + DEAD + "\n" + queue
            : "",
        ""));
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", prom.toString(),
        "--data_dir=" + dir.resolve(name), "--admin.host=127.0.0.1", "--admin.port=0"));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    ClymeneAdmin admin = new ClymeneAdmin(launcher.adminPort());
    Await.until("a first delivery by the live writer", Duration.ofSeconds(30),
        () -> admin.metrics().require("clymene_writer_highest_sent_timestamp_seconds", "writer", LIVE) > 0
            ? Boolean.TRUE : null);
    if (withDead) {
      Await.until("the dead writer to spill", Duration.ofSeconds(10),
          () -> admin.writer(DEAD).getBoolean("spilling") ? Boolean.TRUE : null);
    }

    List<Long> lags = new ArrayList<>();
    long highest = (long) (admin.metrics().require("clymene_writer_highest_sent_timestamp_seconds", "writer", LIVE)
        * 1000);
    long end = System.nanoTime() + MEASURE_SECONDS * 1_000_000_000L;
    while (System.nanoTime() < end) {
      Thread.sleep(POLL_MS); // polling interval, not an assertion
      long now = System.currentTimeMillis();
      long sent = Math.round(admin.metrics().require("clymene_writer_highest_sent_timestamp_seconds", "writer", LIVE)
          * 1000);
      if (sent > highest) {
        highest = sent;
        lags.add(now - sent);
      }
    }
    if (withDead) {
      JsonObject dead = admin.writer(DEAD);
      assertThat(dead.getBoolean("spilling")).as("the dead writer spilling").isTrue();
      assertThat(dead.getLong("samplesSent")).as("samples the dead writer sent").isZero();
    }

    Map<String, Long> n = target.stop();
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());
    String selector = "{__name__=~\"" + target.metric() + "|up\",job=\"" + name + "\"}";
    SortedSet<Long> failedScrapes = new TreeSet<>();
    Map<String, List<RawSample>> delivered = Await.until("every sample of " + name + " in VictoriaMetrics",
        Duration.ofSeconds(30), () -> {
          var got = api.export(selector);
          if (got == null) {
            return null;
          }
          // a scrape that timed out (up 0) stored nothing: its values are not expected
          failedScrapes.clear();
          failedScrapes.addAll(target.failedScrapes(got, name, SCRAPE_INTERVAL_MS + SCRAPE_TIMEOUT_MS));
          return CounterTarget.requireComplete(target.bySeries(got), n, failedScrapes::contains);
        });
    assertThat(CounterTarget.check(delivered, n, failedScrapes::contains)).isEmpty();
    assertThat(failedScrapes).as("values served to scrapes that failed (up 0)").hasSizeLessThanOrEqualTo(2);
    Exposition m = admin.metrics();
    assertThat(m.sum("clymene_dropped_samples_total", "writer", LIVE)).as("samples the live writer dropped")
        .isEqualTo(0.0);
    launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    launcher = null;
    long samples = 0;
    for (List<RawSample> series : delivered.values()) {
      samples += series.stream().filter(r -> !Double.isNaN(r.value())).map(RawSample::value).distinct().count();
    }
    return new Measurement(lags, samples, failedScrapes.size());
  }
}
