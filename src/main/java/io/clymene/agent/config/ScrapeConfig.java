package io.clymene.agent.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One {@code scrape_configs} entry with Prometheus' defaults resolved (interval and timeout from
 * {@code global}, {@code /metrics}, {@code http}, honor_timestamps true). Immutable.
 *
 * @param jobName the job name, unique in the file
 * @param scrapeInterval how often each target is scraped
 * @param scrapeTimeout how long one scrape may take (never longer than the interval)
 * @param metricsPath the HTTP path
 * @param scheme http or https
 * @param params URL query parameters
 * @param honorLabels whether scraped labels win over target labels
 * @param honorTimestamps whether timestamps in the exposition are kept
 * @param sampleLimit the most samples a scrape may return (0: no limit)
 * @param bodySizeLimit the largest body in bytes (0: no limit)
 * @param staticConfigs the static target groups
 * @param raw the normalized entry, so that reloads can tell whether it changed
 */
public record ScrapeConfig(
    String jobName,
    Duration scrapeInterval,
    Duration scrapeTimeout,
    String metricsPath,
    String scheme,
    Map<String, List<String>> params,
    boolean honorLabels,
    boolean honorTimestamps,
    long sampleLimit,
    long bodySizeLimit,
    List<TargetGroup> staticConfigs,
    JsonObject raw) {

  public static final String DEFAULT_METRICS_PATH = "/metrics";
  public static final String DEFAULT_SCHEME = "http";

  public ScrapeConfig {
    params = Map.copyOf(params);
    staticConfigs = List.copyOf(staticConfigs);
  }
}
