package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.model.Labels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scrape loops of one job and the HTTP client they share. {@link #sync} starts loops for new
 * targets and stops those of vanished targets (which then get stale markers), leaving the others alone;
 * when the job has more targets than {@code target_limit}, every scrape of the job fails, as in
 * Prometheus. In a cluster of agents it runs loops only for the targets this member owns ({@link TargetShards});
 * a target that moves to another member stops here without stale markers, since its series go on there.
 */
final class ScrapePool {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapePool.class);

  private final Vertx vertx;
  private final ScrapeConfig config;
  private final Labels externalLabels;
  private final BatchOutput output;
  private final String version;
  private final ScrapeClient client;
  private final ScrapeMetrics metrics;
  private final Map<String, ScrapeLoop> loops = new LinkedHashMap<>();
  private final ScrapeScratch scratch;
  private final List<TargetBuilder.Result> dropped = new ArrayList<>();
  private final List<PoolStatus.ElsewhereTarget> elsewhere = new ArrayList<>();
  private List<TargetBuilder.Result> lastResults = List.of();
  private TargetShards shards;
  private final Gauge targetsGauge;
  private final Counter added;
  private final Counter removed;
  private final MeterRegistry registry;

  ScrapePool(Vertx vertx, ScrapeConfig config, Labels externalLabels, BatchOutput output, MeterRegistry registry,
             String version, ScrapeScratch scratch, TargetShards shards) {
    this.vertx = vertx;
    this.shards = shards;
    this.scratch = scratch;
    this.config = config;
    this.externalLabels = externalLabels;
    this.output = output;
    this.version = version;
    this.registry = registry;
    this.metrics = new ScrapeMetrics(registry, config.jobName());
    this.client = new ScrapeClient(vertx, config);
    this.targetsGauge = Gauge.builder("clymene.targets", loops, Map::size)
        .description("Active scrape targets, by job").tag("job", config.jobName()).register(registry);
    this.added = Counter.builder("clymene.target.changes").description("Scrape targets started and stopped")
        .tag("job", config.jobName()).tag("change", "added").register(registry);
    this.removed = Counter.builder("clymene.target.changes").description("Scrape targets started and stopped")
        .tag("job", config.jobName()).tag("change", "removed").register(registry);
  }

  ScrapeConfig config() {
    return config;
  }

  Collection<ScrapeLoop> loops() {
    return loops.values();
  }

  /** Targets dropped by relabeling, as many as keep_dropped_targets allows (all when 0). */
  List<TargetBuilder.Result> dropped() {
    return dropped;
  }

  /** The targets other members of the cluster scrape. */
  List<PoolStatus.ElsewhereTarget> elsewhere() {
    return elsewhere;
  }

  /** Switches to a new division of the targets among members and starts and stops loops for it. */
  void reshard(TargetShards next) {
    this.shards = next;
    sync(lastResults);
  }

  /** Makes the running loops match the discovered targets (those this member owns). */
  void sync(List<TargetBuilder.Result> results) {
    lastResults = results;
    Map<String, ScrapeTarget> wanted = new LinkedHashMap<>();
    Map<String, ScrapeTarget> all = new LinkedHashMap<>();
    dropped.clear();
    elsewhere.clear();
    long keep = config.limits().keepDroppedTargets();
    for (TargetBuilder.Result r : results) {
      if (r.target() != null) {
        ScrapeTarget t = r.target();
        if (all.putIfAbsent(t.key(), t) != null) {
          continue;
        }
        if (shards.scrapesHere(t.hash())) {
          wanted.put(t.key(), t);
        } else {
          elsewhere.add(new PoolStatus.ElsewhereTarget(t, shards.owners(t.hash())));
        }
      } else if (r.error() != null) {
        LOG.warn("job {}: cannot create target from {}: {}", config.jobName(), r.discovered(), r.error());
      } else if (keep == 0 || dropped.size() < keep) {
        dropped.add(r);
      }
    }
    loops.entrySet().removeIf(e -> {
      if (!wanted.containsKey(e.getKey())) {
        // a target another member took over keeps its series alive there: no stale markers from here
        e.getValue().stop(!all.containsKey(e.getKey()));
        removed.increment();
        return true;
      }
      return false;
    });
    wanted.forEach((key, target) -> loops.computeIfAbsent(key, k -> {
      ScrapeLoop loop = new ScrapeLoop(vertx, client, target, externalLabels, output, metrics, version, scratch);
      loop.start();
      added.increment();
      return loop;
    }));
    long limit = config.limits().targetLimit();
    String forced = limit > 0 && loops.size() > limit
        ? "target_limit exceeded (number of targets: " + loops.size() + ", limit: " + limit + ")" : null;
    if (forced != null) {
      LOG.warn("job {}: {}; every scrape of the job fails until the targets fit", config.jobName(), forced);
    }
    loops.values().forEach(l -> l.forceError(forced));
  }

  /**
   * Stops every loop and the client. Targets not in {@code continuing} (keys) get stale markers later;
   * the others are taken over by a new pool and do not.
   */
  Future<Void> stop(Set<String> continuing) {
    loops.forEach((key, loop) -> loop.stop(!continuing.contains(key)));
    loops.clear();
    registry.remove(targetsGauge);
    return client.close();
  }
}
