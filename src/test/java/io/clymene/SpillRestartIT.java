package io.clymene;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.ClymeneAdmin;
import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.CounterTarget;
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
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The disk queue survives SIGKILL. The packaged agent (scripts/clymene) scrapes {@value #SERIES}
 * counting series every second and remote-writes to a real VictoriaMetrics; VictoriaMetrics is stopped,
 * the agent spills to {@code <data_dir>/spill/vm}, and is then killed with SIGKILL in the middle of the
 * outage. A second agent on the same {@code --data_dir} finds the disk queue, keeps spilling while the
 * receiver is down, and replays everything in order once VictoriaMetrics is back.
 *
 * <p>What may be lost: only what was scraped but not yet handed to the disk queue when the process died.
 * A batch goes to the disk queue (the OS page cache, which a killed process does not take with it) as soon
 * as the scrape that produced it ends, so that is at most the batches of the last scrape round; the test
 * allows the values served in the last {@value #LOSS_WINDOW_MS} ms before the kill (at most two or three
 * rounds at one scrape per second). Every value served before that window, and every value served to the
 * second agent, must arrive: per series the values 1..N with only that window's values possibly absent,
 * each value at one timestamp, in timestamp order. (A value served to a scrape that timed out never
 * reached the agent, which reports that scrape with up 0; such values may be absent too.)
 */
@Timeout(240)
class SpillRestartIT {
  private static final int SERIES = 300;
  private static final String WRITER = "vm";
  private static final long LOSS_WINDOW_MS = 2_000;
  private static final long SCRAPE_INTERVAL_MS = 1_000;
  private static final long SCRAPE_TIMEOUT_MS = 900;

  private ExternalServer vm;
  private Vertx vertx;
  private CounterTarget target;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vm = ExternalServer.victoriaMetrics();
    vertx = Vertx.vertx();
    target = CounterTarget.start(vertx, "restart_requests_total", SERIES);
    dir = Files.createTempDirectory("clymene-spill-restart-");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
    vm.close();
    TempDirs.delete(dir);
  }

  @Test
  void theDiskQueueSurvivesSigkillAndIsReplayedInOrder() throws Exception {
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, String.join("\n",
        "global: {scrape_interval: 1s, scrape_timeout: " + SCRAPE_TIMEOUT_MS + "ms}",
        "scrape_configs:",
        "  - job_name: restart",
        "    static_configs: [{targets: ['" + target.address() + "']}]",
        "remote_write:",
        "  - url: " + vm.url() + "/api/v1/write",
        "    name: " + WRITER,
        "    queue_config: {capacity: 500, max_shards: 2, max_samples_per_send: 200, batch_send_deadline: 500ms}",
        ""));
    Path dataDir = dir.resolve("data");
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());

    long killedAt;
    long servedToFirst;
    long onDiskBeforeKill;
    String firstLog;
    try (Agent first = start(prom, dataDir, "first")) {
      ClymeneAdmin admin = new ClymeneAdmin(first.adminPort);
      first.process.await("every series in VictoriaMetrics", Duration.ofSeconds(60), () -> {
        var got = api.export(target.metric());
        return got != null && target.bySeries(got).size() == SERIES ? Boolean.TRUE : null;
      });
      vm.stop();
      first.process.await("the first agent to spill", Duration.ofSeconds(10), () -> {
        JsonObject s = admin.writer(WRITER);
        return s != null && s.getBoolean("spilling") && s.getLong("spillSamples") > 0 ? Boolean.TRUE : null;
      });
      // a few scrapes' worth on disk, then SIGKILL in the middle of the outage
      onDiskBeforeKill = first.process.await("several scrapes in the disk queue", Duration.ofSeconds(30), () -> {
        JsonObject s = admin.writer(WRITER);
        return s != null && s.getLong("spillSamples") >= 5L * SERIES ? s.getLong("spillSamples") : null;
      });
      killedAt = System.currentTimeMillis();
      first.process.signal("KILL");
      assertThat(first.process.awaitExit(Duration.ofSeconds(10))).as("the agent killed").isNotNull();
      servedToFirst = target.served();
      firstLog = first.process.log();
    }
    LongPredicate mayBeLost = v -> v <= servedToFirst && target.servedAt(v) >= killedAt - LOSS_WINDOW_MS;
    long window = 0;
    for (long v = 1; v <= servedToFirst; v++) {
      window += mayBeLost.test(v) ? 1 : 0;
    }
    assertThat(window).as("scrapes served in the last %d ms before the kill", LOSS_WINDOW_MS).isBetween(1L, 3L);

    Map<String, Long> n;
    Map<String, List<RawSample>> delivered;
    SortedSet<Long> failedScrapes = new TreeSet<>();
    long foundOnDisk;
    try (Agent second = start(prom, dataDir, "second")) {
      ClymeneAdmin admin = new ClymeneAdmin(second.adminPort);
      // the receiver is still down: the second agent starts from the disk queue and keeps spilling
      foundOnDisk = second.process.await("the second agent to find the disk queue", Duration.ofSeconds(60), () -> {
        JsonObject s = admin.writer(WRITER);
        return s != null && s.getBoolean("spilling") ? s.getLong("spillSamples") : null;
      });
      second.process.await("the second agent to scrape", Duration.ofSeconds(30),
          () -> target.served() >= servedToFirst + 3 ? Boolean.TRUE : null);
      vm.start();
      second.process.await("the disk queue replayed", Duration.ofSeconds(60), () -> {
        JsonObject s = admin.writer(WRITER);
        return s != null && !s.getBoolean("spilling") && s.getLong("spillSamples") == 0 ? Boolean.TRUE : null;
      });
      n = target.stop();
      String selector = "{__name__=~\"" + target.metric() + "|up\",job=\"restart\"}";
      try {
        delivered = second.process.await("every sample except the last round before the kill in VictoriaMetrics",
            Duration.ofSeconds(60), () -> {
              var got = api.export(selector);
              if (got == null) {
                return null;
              }
              failedScrapes.clear();
              failedScrapes.addAll(target.failedScrapes(got, "restart", SCRAPE_INTERVAL_MS + SCRAPE_TIMEOUT_MS));
              return CounterTarget.requireComplete(target.bySeries(got), n,
                  v -> mayBeLost.test(v) || failedScrapes.contains(v));
            });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n(values that may be lost: the last " + window
            + " served to the killed agent, 1.." + servedToFirst + ", and failed scrapes " + failedScrapes
            + ")\n--- killed agent's log (start) ---\n" + head(firstLog), e);
      }
      second.process.signal("TERM");
      assertThat(second.process.awaitExit(Duration.ofSeconds(15))).as(second.process.log()).isNotNull();
    }

    TreeSet<Long> lost = new TreeSet<>();
    n.forEach((series, last) -> {
      TreeSet<Long> values = new TreeSet<>();
      delivered.get(series).forEach(s -> values.add((long) s.value()));
      for (long v = 1; v <= last; v++) {
        if (!values.contains(v)) {
          lost.add(v);
        }
      }
    });
    System.out.printf("SIGKILL during an outage: %d samples on disk before the kill, %d found by the restarted "
            + "agent; values served 1..%d (%d to the killed agent); lost: %s (window allowed: %d; failed scrapes: "
            + "%s)%n", onDiskBeforeKill, foundOnDisk, n.values().iterator().next(), servedToFirst, lost, window,
        failedScrapes);
    assertThat(foundOnDisk).as("samples the restarted agent found on disk").isGreaterThanOrEqualTo(onDiskBeforeKill);
    assertThat(failedScrapes).as("values served to scrapes that failed (up 0)").hasSizeLessThanOrEqualTo(2);
    assertThat(lost).as("values lost").allMatch(v -> mayBeLost.test(v) || failedScrapes.contains(v));
    assertThat(CounterTarget.check(delivered, n, v -> mayBeLost.test(v) || failedScrapes.contains(v))).isEmpty();
  }

  private static String head(String log) {
    return log.length() <= 4000 ? log : log.substring(0, 4000) + "...";
  }

  /** An agent process and its admin port. */
  private record Agent(ClymeneProcess process, int adminPort) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }

  private Agent start(Path prom, Path dataDir, String name) throws Exception {
    int adminPort = Ports.free();
    return new Agent(ClymeneProcess.start("scripts/clymene", dir.resolve(name + ".log"), "--role", "agent",
        "--config.file", prom.toString(), "--data_dir=" + dataDir, "--admin.host=127.0.0.1",
        "--admin.port=" + adminPort), adminPort);
  }
}
