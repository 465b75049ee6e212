package io.clymene.agent.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.AgentVerticle;
import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * An agent that is one member of a cluster scrapes only the targets the division gives it, hands targets over
 * without stale markers when the division changes (their series go on at another member), and still writes
 * stale markers for targets that vanish. Real HTTP targets from file SD; the divisions are snapshots as the cluster gives
 * them.
 */
@Timeout(60)
class ShardedScrapeTest {
  private static final int TARGETS = 12;

  private Vertx vertx;
  private HttpServer server;
  private final List<SeriesBatch> sent = new CopyOnWriteArrayList<>();

  /** A division where this member ("me") owns about half the targets (by a bit of their hash), or all, or none. */
  private record Division(String mode) implements TargetShards {
    @Override
    public List<String> owners(long targetHash) {
      return switch (mode) {
        case "all" -> List.of("me");
        case "none" -> List.of("other");
        default -> List.of((targetHash * 0x9E3779B97F4A7C15L) >>> 63 == 0 ? "me" : "other");
      };
    }

    @Override
    public String self() {
      return "me";
    }
  }

  @TempDir
  Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.response().end("m 1\n"))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /** Writes {@code targets} targets to the file-SD file (atomically). */
  private void writeTargets(int targets) throws Exception {
    io.vertx.core.json.JsonArray groups = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < targets; i++) {
      groups.add(new JsonObject().put("targets", new io.vertx.core.json.JsonArray().add("127.0.0.1:" + server.actualPort()))
          .put("labels", new JsonObject().put("__metrics_path__", "/m/" + i).put("t", Integer.toString(i))));
    }
    Path tmp = dir.resolve("targets.tmp");
    Files.writeString(tmp, groups.encode());
    Files.move(tmp, dir.resolve("targets.json"), StandardCopyOption.ATOMIC_MOVE);
  }

  private PrometheusConfig config() {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load(
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}\nscrape_configs:\n  - job_name: j\n"
        + "    file_sd_configs: [{files: ['" + dir.resolve("targets.json") + "'], refresh_interval: 1s}]\n");
    return PrometheusConfigLoader.parse("p.yml", new JsonObject(map));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }

  /** The {@code t} labels of targets with a batch sent after {@code index}, and whether any was a stale marker. */
  private Set<String> scrapedSince(int index) {
    Set<String> out = new TreeSet<>();
    for (SeriesBatch b : new ArrayList<>(sent.subList(index, sent.size()))) {
      for (int i = 0; i < b.size(); i++) {
        out.add(b.labels(i).get("t"));
      }
    }
    return out;
  }

  private long staleSince(int index) {
    long n = 0;
    for (SeriesBatch b : new ArrayList<>(sent.subList(index, sent.size()))) {
      for (int s = 0; b.size() > 0 && s < b.sampleEnd(b.size() - 1); s++) {
        n += StaleMarkers.isStale(b.value(s)) ? 1 : 0;
      }
    }
    return n;
  }

  private static Set<String> owned(List<PoolStatus> pools) {
    Set<String> out = new TreeSet<>();
    pools.get(0).active().forEach(t -> out.add(t.target().labels().get("t")));
    return out;
  }

  @Test
  void scrapesItsShareHandsOverWithoutStaleMarkersAndMarksVanishedTargets() throws Exception {
    writeTargets(TARGETS);
    AgentVerticle agent = new AgentVerticle(config(), b -> {
      sent.add(b);
      return Future.succeededFuture();
    }, new SimpleMeterRegistry(), "test", new Division("half"));
    await(vertx.deployVerticle(agent));

    List<PoolStatus> pools = Await.until("targets discovered", Duration.ofSeconds(5), () -> {
      List<PoolStatus> p = agent.pools().toCompletionStage().toCompletableFuture().join();
      return p.get(0).active().size() + p.get(0).elsewhere().size() == TARGETS ? p : null;
    });
    Set<String> mine = owned(pools);
    Set<String> others = new TreeSet<>();
    pools.get(0).elsewhere().forEach(e -> {
      others.add(e.target().labels().get("t"));
      assertThat(e.owners()).containsExactly("other");
    });
    assertThat(mine).as("this member's half").isNotEmpty().hasSizeLessThan(TARGETS);
    assertThat(mine.size() + others.size()).isEqualTo(TARGETS);
    assertThat(mine).doesNotContainAnyElementsOf(others);
    int start = sent.size();
    Await.until("two rounds of this member's targets", Duration.ofSeconds(10),
        () -> scrapedSince(start).equals(mine) && sent.size() - start >= 2 * mine.size() ? true : null);
    assertThat(scrapedSince(start)).as("only its own targets are scraped").isEqualTo(mine);

    // everything goes to another member: loops stop, no stale markers (the series continue there)
    agent.reshard(new Division("none"));
    Await.until("no targets left here", Duration.ofSeconds(5),
        () -> owned(agent.pools().toCompletionStage().toCompletableFuture().join()).isEmpty() ? true : null);
    int handedOver = sent.size();
    Thread.sleep(1_500);
    assertThat(staleSince(handedOver)).as("stale markers after a hand-over").isZero();
    assertThat(scrapedSince(handedOver)).isEmpty();

    // everything comes here
    agent.reshard(new Division("all"));
    int all = sent.size();
    Await.until("every target scraped here", Duration.ofSeconds(10),
        () -> scrapedSince(all).size() == TARGETS ? true : null);

    // targets that vanish from discovery still get stale markers
    int vanish = sent.size();
    writeTargets(TARGETS / 2);
    Await.until("stale markers for the vanished targets", Duration.ofSeconds(5),
        () -> staleSince(vanish) >= TARGETS / 2 ? true : null);
  }
}
