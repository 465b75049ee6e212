package io.clymene.agent.scrape;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.ScrapeConfig;
import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.JobDiscovery;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
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
 * Keeps one {@link ScrapePool} and one {@link JobDiscovery} per job in line with the configuration, as
 * Prometheus' scrape and discovery managers do on reload: an unchanged job keeps its loops and
 * discoverers; a changed job is restarted, its continuing targets without stale markers, and keeps its
 * discoverers when its discovery entries did not change; a removed job stops without stale markers.
 * Discovered changes reach the job's pool, which starts and stops loops for them. A change of the
 * external labels restarts every job.
 */
public final class ScrapeManager {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeManager.class);

  private final Vertx vertx;
  private final BatchOutput output;
  private final MeterRegistry registry;
  private final String version;
  private final Map<String, ScrapePool> pools = new LinkedHashMap<>();
  private final Map<String, JobDiscovery> discoveries = new LinkedHashMap<>();
  private final ScrapeScratch scratch = new ScrapeScratch();
  private PrometheusConfig current;
  private TargetShards shards;

  /**
   * @param shards which targets this member scrapes ({@link TargetShards#STANDALONE} outside a cluster)
   */
  public ScrapeManager(Vertx vertx, BatchOutput output, MeterRegistry registry, String version,
                       TargetShards shards) {
    this.vertx = vertx;
    this.output = output;
    this.registry = registry;
    this.version = version;
    this.shards = shards;
  }

  /**
   * Switches to a new division of the targets among the cluster's members (a member joined or left): loops
   * start for targets this member now owns and stop, without stale markers, for those it handed over. Call on
   * the agent's context.
   */
  public void reshard(TargetShards next) {
    shards = next;
    pools.values().forEach(p -> p.reshard(next));
    int active = 0;
    int total = 0;
    for (ScrapePool p : pools.values()) {
      active += p.loops().size();
      total += p.loops().size() + p.elsewhere().size();
    }
    LOG.info("cluster members {}: this member ({}) scrapes {} of {} target(s)", next.members(), next.self(),
        active, total);
  }

  /** The current division of the targets. */
  public TargetShards shards() {
    return shards;
  }

  /** Applies a configuration; call on the agent's context. */
  public Future<Void> apply(PrometheusConfig config) {
    Context context = vertx.getOrCreateContext();
    List<Future<Void>> stopping = new ArrayList<>();
    boolean externalChanged = current != null && !current.externalLabels().equals(config.externalLabels());
    Map<String, ScrapeConfig> wanted = new LinkedHashMap<>();
    config.scrapeConfigs().forEach(sc -> wanted.put(sc.jobName(), sc));
    pools.entrySet().removeIf(e -> {
      if (!wanted.containsKey(e.getKey())) {
        stopping.add(e.getValue().stop(keys(e.getValue())));
        stopping.add(discoveries.remove(e.getKey()).stop());
        return true;
      }
      return false;
    });
    for (ScrapeConfig sc : wanted.values()) {
      String job = sc.jobName();
      ScrapePool old = pools.get(job);
      if (old != null && !externalChanged && sc.equals(old.config())) {
        continue;
      }
      JobDiscovery oldDiscovery = discoveries.get(job);
      boolean keepDiscovery = oldDiscovery != null && oldDiscovery.config().sameDiscovery(sc);
      List<TargetGroup> known = oldDiscovery == null ? List.of() : oldDiscovery.groups();
      if (old != null) {
        // loops of targets that continue under the new config are replaced without stale markers
        Set<String> continuing = new HashSet<>();
        TargetBuilder.fromGroups(sc, known).forEach(r -> {
          if (r.target() != null) {
            continuing.add(r.target().key());
          }
        });
        stopping.add(old.stop(continuing));
      }
      ScrapePool pool = new ScrapePool(vertx, sc, config.externalLabels().withAll(shards.seriesLabels()), output,
          registry, version, scratch, shards);
      pools.put(job, pool);
      if (keepDiscovery) {
        oldDiscovery.retarget(groups -> pool.sync(TargetBuilder.fromGroups(sc, groups)));
      } else {
        if (oldDiscovery != null) {
          stopping.add(oldDiscovery.stop());
        }
        JobDiscovery d = new JobDiscovery(context, registry, sc, known);
        discoveries.put(job, d);
        d.start(groups -> pool.sync(TargetBuilder.fromGroups(sc, groups)));
      }
    }
    current = config;
    int active = 0;
    for (ScrapePool p : pools.values()) {
      active += p.loops().size();
    }
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
    pools.values().forEach(p -> p.loops().forEach(l -> list.add(status(l))));
    return list;
  }

  private static TargetStatus status(ScrapeLoop l) {
    return new TargetStatus(l.target(), l.health(), l.lastError(), l.lastScrapeMillis(), l.lastDurationSeconds());
  }

  /** Every job's targets, dropped targets and discovery failures, for the targets API. */
  public List<PoolStatus> pools() {
    List<PoolStatus> list = new ArrayList<>();
    pools.forEach((job, p) -> {
      List<TargetStatus> active = new ArrayList<>();
      p.loops().forEach(l -> active.add(status(l)));
      List<PoolStatus.DiscoveryError> errors = new ArrayList<>();
      JobDiscovery d = discoveries.get(job);
      if (d != null) {
        for (Map.Entry<String, DiscoveryContext> e : d.failing().entrySet()) {
          errors.add(new PoolStatus.DiscoveryError(e.getKey(), e.getValue().lastError(),
              e.getValue().lastErrorMillis()));
        }
      }
      List<io.clymene.model.Labels> dropped = new ArrayList<>();
      p.dropped().forEach(r -> dropped.add(r.discovered()));
      list.add(new PoolStatus(job, p.config(), active, dropped, errors, List.copyOf(p.elsewhere())));
    });
    return list;
  }

  /** Stops every job (no stale markers: the process is going away or restarting). */
  public Future<Void> stop() {
    List<Future<Void>> stopping = new ArrayList<>();
    discoveries.values().forEach(d -> stopping.add(d.stop()));
    discoveries.clear();
    pools.values().forEach(p -> stopping.add(p.stop(keys(p))));
    pools.clear();
    return Future.join(stopping).mapEmpty();
  }
}
