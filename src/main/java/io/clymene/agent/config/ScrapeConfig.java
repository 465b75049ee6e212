package io.clymene.agent.config;

import io.clymene.agent.discovery.SdEntry;
import io.clymene.relabel.RelabelConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code scrape_configs} entry with Prometheus' defaults resolved (interval and timeout from
 * {@code global}, {@code /metrics}, {@code http}, honor_timestamps and follow_redirects true, limits
 * from {@code global}). Immutable; built by {@link PrometheusConfigLoader}.
 */
public final class ScrapeConfig {
  public static final String DEFAULT_METRICS_PATH = "/metrics";
  public static final String DEFAULT_SCHEME = "http";
  /** Offered when {@code scrape_protocols} is not set: OpenMetrics first, then the text format. */
  public static final List<ScrapeProtocol> DEFAULT_SCRAPE_PROTOCOLS = List.of(
      ScrapeProtocol.OPENMETRICS_TEXT_1_0_0, ScrapeProtocol.OPENMETRICS_TEXT_0_0_1,
      ScrapeProtocol.PROMETHEUS_TEXT_0_0_4);

  private final String jobName;
  private final Duration scrapeInterval;
  private final Duration scrapeTimeout;
  private final String metricsPath;
  private final String scheme;
  private final Map<String, List<String>> params;
  private final boolean honorLabels;
  private final boolean honorTimestamps;
  private final boolean trackTimestampsStaleness;
  private final List<ScrapeProtocol> scrapeProtocols;
  private final ScrapeProtocol fallbackScrapeProtocol;
  private final boolean enableCompression;
  private final Limits limits;
  private final List<RelabelConfig> relabelConfigs;
  private final List<RelabelConfig> metricRelabelConfigs;
  private final HttpClientConfig http;
  private final List<TargetGroup> staticConfigs;
  private final List<SdEntry> discovery;
  private final JsonObject raw;

  /**
   * Per-scrape and per-job limits; 0 means no limit.
   *
   * @param sampleLimit samples per scrape after metric relabeling
   * @param labelLimit labels per series
   * @param labelNameLengthLimit bytes per label name
   * @param labelValueLengthLimit bytes per label value
   * @param bodySizeLimit bytes of uncompressed body
   * @param targetLimit targets per job after relabeling
   * @param keepDroppedTargets dropped targets kept for the targets API
   */
  public record Limits(long sampleLimit, long labelLimit, long labelNameLengthLimit, long labelValueLengthLimit,
                       long bodySizeLimit, long targetLimit, long keepDroppedTargets) {
    public static final Limits NONE = new Limits(0, 0, 0, 0, 0, 0, 0);
  }

  @SuppressWarnings("checkstyle:ParameterNumber")
  ScrapeConfig(String jobName, Duration scrapeInterval, Duration scrapeTimeout, String metricsPath, String scheme,
               Map<String, List<String>> params, boolean honorLabels, boolean honorTimestamps,
               boolean trackTimestampsStaleness, List<ScrapeProtocol> scrapeProtocols,
               ScrapeProtocol fallbackScrapeProtocol, boolean enableCompression, Limits limits,
               List<RelabelConfig> relabelConfigs, List<RelabelConfig> metricRelabelConfigs, HttpClientConfig http,
               List<TargetGroup> staticConfigs, List<SdEntry> discovery, JsonObject raw) {
    this.jobName = jobName;
    this.scrapeInterval = scrapeInterval;
    this.scrapeTimeout = scrapeTimeout;
    this.metricsPath = metricsPath;
    this.scheme = scheme;
    this.params = Map.copyOf(params);
    this.honorLabels = honorLabels;
    this.honorTimestamps = honorTimestamps;
    this.trackTimestampsStaleness = trackTimestampsStaleness;
    this.scrapeProtocols = List.copyOf(scrapeProtocols);
    this.fallbackScrapeProtocol = fallbackScrapeProtocol;
    this.enableCompression = enableCompression;
    this.limits = limits;
    this.relabelConfigs = List.copyOf(relabelConfigs);
    this.metricRelabelConfigs = List.copyOf(metricRelabelConfigs);
    this.http = http;
    this.staticConfigs = List.copyOf(staticConfigs);
    this.discovery = List.copyOf(discovery);
    this.raw = raw.copy();
  }

  public String jobName() {
    return jobName;
  }

  public Duration scrapeInterval() {
    return scrapeInterval;
  }

  public Duration scrapeTimeout() {
    return scrapeTimeout;
  }

  public String metricsPath() {
    return metricsPath;
  }

  public String scheme() {
    return scheme;
  }

  public Map<String, List<String>> params() {
    return params;
  }

  public boolean honorLabels() {
    return honorLabels;
  }

  public boolean honorTimestamps() {
    return honorTimestamps;
  }

  /** Whether series with explicit timestamps also get stale markers. */
  public boolean trackTimestampsStaleness() {
    return trackTimestampsStaleness;
  }

  /** The formats offered in the Accept header, most preferred first. */
  public List<ScrapeProtocol> scrapeProtocols() {
    return scrapeProtocols;
  }

  /** The format assumed when a target's Content-Type is missing or unknown. */
  public ScrapeProtocol fallbackScrapeProtocol() {
    return fallbackScrapeProtocol;
  }

  /** Whether gzip is requested (Accept-Encoding). */
  public boolean enableCompression() {
    return enableCompression;
  }

  public Limits limits() {
    return limits;
  }

  public long sampleLimit() {
    return limits.sampleLimit();
  }

  public long bodySizeLimit() {
    return limits.bodySizeLimit();
  }

  public List<RelabelConfig> relabelConfigs() {
    return relabelConfigs;
  }

  public List<RelabelConfig> metricRelabelConfigs() {
    return metricRelabelConfigs;
  }

  public HttpClientConfig http() {
    return http;
  }

  public List<TargetGroup> staticConfigs() {
    return staticConfigs;
  }

  /** The job's service discovery entries, in the order of the file (static_configs aside). */
  public List<SdEntry> discovery() {
    return discovery;
  }

  /** Whether {@code other} finds its targets the same way (same static groups and discovery entries). */
  public boolean sameDiscovery(ScrapeConfig other) {
    return staticConfigs.equals(other.staticConfigs) && discovery.equals(other.discovery);
  }

  /** The normalized entry as written. */
  public JsonObject raw() {
    return raw.copy();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ScrapeConfig c)) {
      return false;
    }
    return jobName.equals(c.jobName) && scrapeInterval.equals(c.scrapeInterval) && scrapeTimeout.equals(c.scrapeTimeout)
        && limits.equals(c.limits) && raw.equals(c.raw) && http.equals(c.http);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobName, scrapeInterval, scrapeTimeout, limits, raw);
  }

  @Override
  public String toString() {
    return "ScrapeConfig[" + jobName + "]";
  }
}
