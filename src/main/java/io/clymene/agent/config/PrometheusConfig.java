package io.clymene.agent.config;

import io.clymene.model.Labels;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * A loaded and checked Prometheus-format configuration: what the agent scrapes and where it writes.
 *
 * @param file the file it came from
 * @param scrapeInterval the global default interval
 * @param scrapeTimeout the global default timeout
 * @param externalLabels labels added to every series the agent sends (a series' own label wins)
 * @param scrapeConfigs the jobs
 * @param remoteWrite each {@code remote_write} entry as a Clymene storage entry of type prometheus
 * @param warnings settings accepted but not used
 */
public record PrometheusConfig(
    String file,
    Duration scrapeInterval,
    Duration scrapeTimeout,
    Labels externalLabels,
    List<ScrapeConfig> scrapeConfigs,
    List<JsonObject> remoteWrite,
    List<String> warnings) {

  public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_SCRAPE_TIMEOUT = Duration.ofSeconds(10);

  public PrometheusConfig {
    scrapeConfigs = List.copyOf(scrapeConfigs);
    remoteWrite = List.copyOf(remoteWrite);
    warnings = List.copyOf(warnings);
  }

  /** The job of that name, or null. */
  public ScrapeConfig job(String name) {
    return scrapeConfigs.stream().filter(c -> c.jobName().equals(name)).findFirst().orElse(null);
  }
}
