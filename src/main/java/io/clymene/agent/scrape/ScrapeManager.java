package io.clymene.agent.scrape;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.ScrapeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link ScrapePool} per job in line with the configuration, as Prometheus' scrape manager
 * does on reload: an unchanged job keeps its loops (targets are only added or removed); a changed job is
 * restarted, its continuing targets without stale markers; a removed job stops without stale markers.
 * A change of the external labels restarts every job.
 */
public final class ScrapeManager {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeManager.class);

  private final Vertx vertx;
  private final BatchOutput output;
  private final MeterRegistry registry;
  private final String version;
  private final Map<String, ScrapePool> pools = new LinkedHashMap<>();
  private final ScrapeScratch scratch = new ScrapeScratch();
  private PrometheusConfig current;

  public ScrapeManager(Vertx vertx, BatchOutput output, MeterRegistry registry, String version) {
    this.vertx = vertx;
    this.output = output;
    this.registry = registry;
    this.version = version;
  }

  /** Applies a configuration; call on the agent's context. */
  public Future<Void> apply(PrometheusConfig config) {
    List<Future<Void>> stopping = new ArrayList<>();
    boolean externalChanged = current != null && !current.externalLabels().equals(config.externalLabels());
    Map<String, ScrapeConfig> wanted = new LinkedHashMap<>();
    config.scrapeConfigs().forEach(sc -> wanted.put(sc.jobName(), sc));
    Map<String, List<TargetBuilder.Result>> targets = new LinkedHashMap<>();
    wanted.forEach((job, sc) -> targets.put(job, TargetBuilder.fromGroups(sc, sc.staticConfigs())));
    pools.entrySet().removeIf(e -> {
      ScrapeConfig next = wanted.get(e.getKey());
      if (next == null) {
        stopping.add(e.getValue().stop(keys(e.getValue())));
        return true;
      }
      if (externalChanged || !next.equals(e.getValue().config())) {
        Set<String> continuing = new HashSet<>();
        targets.get(e.getKey()).forEach(r -> {
          if (r.target() != null) {
            continuing.add(r.target().key());
          }
        });
        stopping.add(e.getValue().stop(continuing));
        return true;
      }
      return false;
    });
    int active = 0;
    for (ScrapeConfig sc : wanted.values()) {
      ScrapePool pool = pools.computeIfAbsent(sc.jobName(),
          j -> new ScrapePool(vertx, sc, config.externalLabels(), output, registry, version, scratch));
      pool.sync(targets.get(sc.jobName()));
      active += pool.loops().size();
    }
    current = config;
    LOG.info("scraping {} target(s) in {} job(s) from {}", active, pools.size(), config.file());
    return Future.join(stopping).mapEmpty();
  }

  private static Set<String> keys(ScrapePool pool) {
    Set<String> all = new HashSet<>();
    pool.loops().forEach(l -> all.add(l.target().key()));
    return all;
  }

  /** Every active loop's target and state, for status pages. */
  public List<TargetStatus> targets() {
    List<TargetStatus> list = new ArrayList<>();
    pools.values().forEach(p -> p.loops().forEach(l -> list.add(new TargetStatus(l.target(), l.health(),
        l.lastError(), l.lastScrapeMillis(), l.lastDurationSeconds()))));
    return list;
  }

  /** Stops every job (no stale markers: the process is going away or restarting). */
  public Future<Void> stop() {
    List<Future<Void>> stopping = new ArrayList<>();
    pools.values().forEach(p -> stopping.add(p.stop(keys(p))));
    pools.clear();
    return Future.join(stopping).mapEmpty();
  }
}
