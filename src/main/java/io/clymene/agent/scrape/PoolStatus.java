package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.model.Labels;
import java.util.List;

/**
 * One job's state for the targets API.
 *
 * @param job the job name (Prometheus' scrape pool)
 * @param config the job's configuration
 * @param active the targets being scraped
 * @param dropped the discovered labels of targets relabeling dropped (up to keep_dropped_targets)
 * @param discoveryErrors discovery entries whose last refresh failed
 * @param elsewhere targets other members of the cluster scrape (empty for a standalone agent)
 */
public record PoolStatus(String job, ScrapeConfig config, List<TargetStatus> active, List<Labels> dropped,
                         List<DiscoveryError> discoveryErrors, List<ElsewhereTarget> elsewhere) {

  /**
   * A target another member of the cluster scrapes.
   *
   * @param target the target
   * @param owners the members that scrape it, best first
   */
  public record ElsewhereTarget(ScrapeTarget target, List<String> owners) {
  }

  /**
   * A discovery entry that is failing; its last good targets are still scraped.
   *
   * @param name the entry, e.g. {@code file_sd_configs[0]}
   * @param error the failure
   * @param sinceMillis when it last failed
   */
  public record DiscoveryError(String name, String error, long sinceMillis) {
  }
}
