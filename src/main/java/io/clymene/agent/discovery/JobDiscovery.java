package io.clymene.agent.discovery;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.agent.config.TargetGroup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target groups of one job: its {@code static_configs} and the groups its discoverers send, merged
 * by source. Bursts of updates are coalesced: the job hears of a change at most once per
 * {@link #MIN_GAP_MILLIS}, with the full list of groups. Runs on the agent's context; discoverers may
 * send from any thread.
 *
 * <p>A job whose discovery changed on reload starts with the groups of the discovery it replaces, so that
 * continuing targets keep their loops; they are replaced once every new discoverer has sent its first
 * update.
 */
public final class JobDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(JobDiscovery.class);
  /** Least time between two changes sent to the job. */
  static final long MIN_GAP_MILLIS = 1000;
  /** Time to wait for more updates after one arrives. */
  static final long SETTLE_MILLIS = 100;

  private final Context context;
  private final MeterRegistry registry;
  private final ScrapeConfig config;
  private final List<Provider> providers = new ArrayList<>();
  private final Map<String, TargetGroup> inherited = new LinkedHashMap<>();
  private final List<TargetGroup> statics;
  private final Gauge gauge;
  private Consumer<List<TargetGroup>> listener;
  private long lastFlushMillis;
  private long flushTimer = -1;
  private boolean started;
  private boolean stopped;

  private final class Provider {
    final SdEntry entry;
    final DiscoveryContext ctx;
    final Discoverer discoverer;
    final Map<String, TargetGroup> groups = new LinkedHashMap<>();
    boolean reported;

    Provider(SdEntry entry, DiscoveryContext ctx, Discoverer discoverer) {
      this.entry = entry;
      this.ctx = ctx;
      this.discoverer = discoverer;
    }
  }

  /**
   * @param context the agent's context
   * @param registry for the discovery meters
   * @param config the job
   * @param previous the groups of the discovery this one replaces (empty for a new job)
   */
  public JobDiscovery(Context context, MeterRegistry registry, ScrapeConfig config, List<TargetGroup> previous) {
    this.context = context;
    this.registry = registry;
    this.config = config;
    this.statics = config.staticConfigs();
    previous.forEach(g -> inherited.put("previous/" + g.source(), g));
    for (SdEntry e : config.discovery()) {
      DiscoveryContext dc = new DiscoveryContext(context.owner(), registry, config.jobName(), e.name(),
          e.config().mechanism());
      Discoverer d;
      try {
        d = e.config().create(dc);
      } catch (RuntimeException ex) {
        dc.failed("cannot start: " + ex.getMessage());
        continue;
      }
      providers.add(new Provider(e, dc, d));
    }
    this.gauge = Gauge.builder("clymene.sd.discovered.targets", this, JobDiscovery::targetCount)
        .description("Targets found by service discovery and static_configs, before relabeling")
        .tag("job", config.jobName()).register(registry);
  }

  /** The job this discovery serves. */
  public ScrapeConfig config() {
    return config;
  }

  /**
   * Starts the discoverers. The listener hears of the groups now when every discoverer answered at once
   * (static configs only, for example) and after every change.
   */
  public void start(Consumer<List<TargetGroup>> listener) {
    this.listener = listener;
    started = true;
    for (Provider p : providers) {
      try {
        p.discoverer.start(groups -> onUpdate(p, groups));
      } catch (RuntimeException e) {
        p.ctx.failed("cannot start: " + e.getMessage());
        p.reported = true;
      }
    }
    if (allReported()) {
      inherited.clear();
    }
    flush();
  }

  /** Sends the current groups to a new listener (a job restarted with the same discovery). */
  public void retarget(Consumer<List<TargetGroup>> listener) {
    this.listener = listener;
    flush();
  }

  private void onUpdate(Provider p, List<TargetGroup> groups) {
    if (io.vertx.core.Vertx.currentContext() == context) {
      apply(p, groups);
    } else {
      context.runOnContext(v -> apply(p, groups));
    }
  }

  private void apply(Provider p, List<TargetGroup> groups) {
    if (stopped) {
      return;
    }
    for (TargetGroup g : groups) {
      if (g.targets().isEmpty()) {
        p.groups.remove(g.source());
      } else {
        p.groups.put(g.source(), g);
      }
    }
    boolean first = !p.reported;
    p.reported = true;
    if (first && !inherited.isEmpty() && allReported()) {
      inherited.clear();
    }
    schedule();
  }

  private boolean allReported() {
    for (Provider p : providers) {
      if (!p.reported) {
        return false;
      }
    }
    return true;
  }

  private void schedule() {
    if (flushTimer >= 0 || !started) {
      return;
    }
    long now = System.currentTimeMillis();
    long delay = Math.max(SETTLE_MILLIS, lastFlushMillis + MIN_GAP_MILLIS - now);
    flushTimer = context.owner().setTimer(delay, id -> {
      flushTimer = -1;
      flush();
    });
  }

  private void flush() {
    if (stopped || listener == null) {
      return;
    }
    lastFlushMillis = System.currentTimeMillis();
    try {
      listener.accept(groups());
    } catch (RuntimeException e) {
      LOG.error("job {}: applying discovered targets failed", config.jobName(), e);
    }
  }

  /** Every current group: static ones first, then each discoverer's, then inherited ones. */
  public List<TargetGroup> groups() {
    List<TargetGroup> all = new ArrayList<>(statics);
    for (Provider p : providers) {
      all.addAll(p.groups.values());
    }
    all.addAll(inherited.values());
    return all;
  }

  private double targetCount() {
    int n = 0;
    for (TargetGroup g : statics) {
      n += g.targets().size();
    }
    for (Provider p : providers) {
      for (TargetGroup g : p.groups.values()) {
        n += g.targets().size();
      }
    }
    return n;
  }

  /**
   * The discoverers' unresolved failures.
   *
   * @return discovery entry name to its last error
   */
  public Map<String, DiscoveryContext> failing() {
    Map<String, DiscoveryContext> out = new LinkedHashMap<>();
    for (Provider p : providers) {
      if (p.ctx.lastError() != null) {
        out.put(p.entry.name(), p.ctx);
      }
    }
    return out;
  }

  /** Stops every discoverer. */
  public Future<Void> stop() {
    stopped = true;
    if (flushTimer >= 0) {
      context.owner().cancelTimer(flushTimer);
      flushTimer = -1;
    }
    registry.remove(gauge);
    List<Future<Void>> all = new ArrayList<>();
    for (Provider p : providers) {
      try {
        all.add(p.discoverer.stop().recover(err -> Future.succeededFuture()));
      } catch (RuntimeException e) {
        LOG.warn("job {}: stopping {} failed: {}", config.jobName(), p.entry.name(), e.toString());
      }
    }
    return Future.join(all).mapEmpty();
  }
}
