package io.clymene.agent.scrape;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.ScrapeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link ScrapePool} per job in line with the configuration. On reload, a job whose settings
 * did not change keeps its loops (targets are only added or removed); a changed job is restarted; the
 * external labels apply to every job, so a change there restarts all.
 */
public final class ScrapeManager {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeManager.class);

  private final Vertx vertx;
  private final BatchOutput output;
  private final MeterRegistry registry;
  private final String version;
  private final Map<String, ScrapePool> pools = new LinkedHashMap<>();
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
    pools.entrySet().removeIf(e -> {
      ScrapeConfig next = wanted.get(e.getKey());
      if (next == null || externalChanged || !next.raw().equals(e.getValue().config().raw())
          || !next.equals(e.getValue().config())) {
        stopping.add(e.getValue().stop());
        return true;
      }
      return false;
    });
    int targets = 0;
    for (ScrapeConfig sc : wanted.values()) {
      ScrapePool pool = pools.computeIfAbsent(sc.jobName(),
          j -> new ScrapePool(vertx, sc, config.externalLabels(), output, registry, version));
      List<ScrapeTarget> t = TargetBuilder.staticTargets(sc);
      pool.sync(t);
      targets += t.size();
    }
    current = config;
    LOG.info("scraping {} target(s) in {} job(s) from {}", targets, pools.size(), config.file());
    return Future.join(stopping).mapEmpty();
  }

  /** Every active loop's target and state, for status pages. */
  public List<TargetStatus> targets() {
    List<TargetStatus> list = new ArrayList<>();
    pools.values().forEach(p -> p.loops().forEach(l -> list.add(new TargetStatus(l.target(), l.health(),
        l.lastError(), l.lastScrapeMillis(), l.lastDurationSeconds()))));
    return list;
  }

  /** Stops every job. */
  public Future<Void> stop() {
    List<Future<Void>> stopping = new ArrayList<>();
    pools.values().forEach(p -> stopping.add(p.stop()));
    pools.clear();
    return Future.join(stopping).mapEmpty();
  }
}
