package io.clymene.agent;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.scrape.BatchOutput;
import io.clymene.agent.scrape.PoolStatus;
import io.clymene.agent.scrape.ScrapeManager;
import io.clymene.agent.scrape.TargetShards;
import io.clymene.agent.scrape.TargetStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent: scrapes the targets of a Prometheus-format configuration and hands each scrape's batch
 * to its output. {@link #apply} switches to a new configuration without disturbing unchanged jobs.
 */
public final class AgentVerticle extends VerticleBase {
  private final AtomicReference<PrometheusConfig> config;
  private final BatchOutput output;
  private final MeterRegistry registry;
  private final String version;
  private final TargetShards shards;
  private ScrapeManager manager;

  /**
   * @param initial the configuration loaded at start
   * @param output where batches go
   * @param registry the metrics registry
   * @param version the Clymene version, for User-Agent
   */
  public AgentVerticle(PrometheusConfig initial, BatchOutput output, MeterRegistry registry, String version) {
    this(initial, output, registry, version, TargetShards.STANDALONE);
  }

  /**
   * An agent that shares the targets with the other members of a cluster.
   *
   * @param shards which targets this member scrapes at start; {@link #reshard} replaces it
   */
  public AgentVerticle(PrometheusConfig initial, BatchOutput output, MeterRegistry registry, String version,
                       TargetShards shards) {
    this.config = new AtomicReference<>(initial);
    this.output = output;
    this.registry = registry;
    this.version = version;
    this.shards = shards;
  }

  @Override
  public Future<?> start() {
    manager = new ScrapeManager(vertx, output, registry, version, shards);
    return manager.apply(config.get());
  }

  @Override
  public Future<?> stop() {
    return manager == null ? Future.succeededFuture() : manager.stop();
  }

  /** The configuration in use. */
  public PrometheusConfig scrapeConfig() {
    return config.get();
  }

  /**
   * Applies a configuration checked by the caller; unchanged jobs keep their targets and loops. Runs on
   * the agent's context.
   */
  public Future<PrometheusConfig> apply(PrometheusConfig next) {
    Promise<PrometheusConfig> done = Promise.promise();
    context.runOnContext(v -> manager.apply(next).map(next)
        .onSuccess(config::set)
        .onComplete(done));
    return done.future();
  }

  /** Switches to a new division of the targets (a member joined or left); call from any thread. */
  public void reshard(TargetShards next) {
    context.runOnContext(v -> manager.reshard(next));
  }

  /** Every job's targets, dropped targets and discovery failures, read on the agent's context. */
  public Future<List<PoolStatus>> pools() {
    Promise<List<PoolStatus>> p = Promise.promise();
    context.runOnContext(v -> p.complete(manager.pools()));
    return p.future();
  }

  /** The active targets and their last scrape, read on the agent's context. */
  public Future<List<TargetStatus>> targets() {
    Promise<List<TargetStatus>> p = Promise.promise();
    context.runOnContext(v -> p.complete(manager.targets()));
    return p.future();
  }
}
