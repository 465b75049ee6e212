package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.model.Labels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scrape loops of one job and the HTTP client they share. {@link #sync} starts loops for new
 * targets and stops those of vanished targets, leaving the others alone.
 */
final class ScrapePool {
  private final Vertx vertx;
  private final ScrapeConfig config;
  private final Labels externalLabels;
  private final BatchOutput output;
  private final String version;
  private final HttpClient client;
  private final ScrapeMetrics metrics;
  private final Map<String, ScrapeLoop> loops = new LinkedHashMap<>();
  private final Gauge targetsGauge;
  private final MeterRegistry registry;

  ScrapePool(Vertx vertx, ScrapeConfig config, Labels externalLabels, BatchOutput output, MeterRegistry registry,
             String version) {
    this.vertx = vertx;
    this.config = config;
    this.externalLabels = externalLabels;
    this.output = output;
    this.version = version;
    this.registry = registry;
    this.metrics = new ScrapeMetrics(registry, config.jobName());
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions()
            .setDecompressionSupported(true)
            .setKeepAlive(true)
            .setSsl("https".equals(config.scheme()))
            .setMaxRedirects(10))
        .with(new PoolOptions().setHttp1MaxSize(2))
        .build();
    this.targetsGauge = Gauge.builder("clymene.targets", loops, Map::size)
        .description("Active scrape targets, by job").tag("job", config.jobName()).register(registry);
  }

  ScrapeConfig config() {
    return config;
  }

  Collection<ScrapeLoop> loops() {
    return loops.values();
  }

  /** Makes the running loops match {@code targets}. */
  void sync(List<ScrapeTarget> targets) {
    Map<String, ScrapeTarget> wanted = new LinkedHashMap<>();
    targets.forEach(t -> wanted.putIfAbsent(t.key(), t));
    loops.entrySet().removeIf(e -> {
      if (!wanted.containsKey(e.getKey())) {
        e.getValue().stop();
        return true;
      }
      return false;
    });
    wanted.forEach((key, target) -> loops.computeIfAbsent(key, k -> {
      ScrapeLoop loop = new ScrapeLoop(vertx, client, target, externalLabels, output, metrics, version);
      loop.start();
      return loop;
    }));
  }

  /** Stops every loop and the client. */
  Future<Void> stop() {
    loops.values().forEach(ScrapeLoop::stop);
    loops.clear();
    registry.remove(targetsGauge);
    return client.close();
  }
}
