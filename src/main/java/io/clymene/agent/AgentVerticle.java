package io.clymene.agent;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.agent.scrape.BatchOutput;
import io.clymene.agent.scrape.ScrapeManager;
import io.clymene.agent.scrape.TargetStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: scrapes the targets of a Prometheus-format configuration and hands each scrape's batch
 * to its output. {@link #reload()} re-reads the file and applies it without disturbing unchanged jobs;
 * an invalid file is rejected and the running configuration stays.
 */
public final class AgentVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);

  private final AtomicReference<PrometheusConfig> config;
  private final BatchOutput output;
  private final MeterRegistry registry;
  private final String version;
  private ScrapeManager manager;

  /**
   * @param initial the configuration loaded at start
   * @param output where batches go
   * @param registry the metrics registry
   * @param version the Clymene version, for User-Agent
   */
  public AgentVerticle(PrometheusConfig initial, BatchOutput output, MeterRegistry registry, String version) {
    this.config = new AtomicReference<>(initial);
    this.output = output;
    this.registry = registry;
    this.version = version;
  }

  @Override
  public Future<?> start() {
    manager = new ScrapeManager(vertx, output, registry, version);
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
   * Re-reads the configuration file and applies it. Fails, keeping the running configuration, when the
   * new file is invalid; the failure message names the file, key and problem.
   */
  public Future<PrometheusConfig> reload() {
    Promise<PrometheusConfig> done = Promise.promise();
    context.runOnContext(v -> PrometheusConfigLoader.load(vertx, config.get().file())
        .compose(next -> {
          next.warnings().forEach(w -> LOG.warn("{}: {}", next.file(), w));
          if (!next.remoteWrite().equals(config.get().remoteWrite())) {
            LOG.warn("{}: remote_write changed; the new writers take effect after a restart", next.file());
          }
          return manager.apply(next).map(next);
        })
        .onSuccess(next -> {
          config.set(next);
          LOG.info("configuration reloaded from {}", next.file());
        })
        .onFailure(err -> LOG.error("reload rejected, keeping the running configuration: {}", err.getMessage()))
        .onComplete(done));
    return done.future();
  }

  /** The active targets and their last scrape, read on the agent's context. */
  public Future<List<TargetStatus>> targets() {
    Promise<List<TargetStatus>> p = Promise.promise();
    context.runOnContext(v -> p.complete(manager.targets()));
    return p.future();
  }
}
