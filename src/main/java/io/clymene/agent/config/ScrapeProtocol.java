package io.clymene.agent.config;

/** Exposition formats a scrape can ask for, with Prometheus' names and media types. */
public enum ScrapeProtocol {
  OPENMETRICS_TEXT_1_0_0("OpenMetricsText1.0.0", "application/openmetrics-text;version=1.0.0"),
  OPENMETRICS_TEXT_0_0_1("OpenMetricsText0.0.1", "application/openmetrics-text;version=0.0.1"),
  PROMETHEUS_TEXT_1_0_0("PrometheusText1.0.0", "text/plain;version=1.0.0"),
  PROMETHEUS_TEXT_0_0_4("PrometheusText0.0.4", "text/plain;version=0.0.4"),
  PROMETHEUS_PROTO("PrometheusProto",
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");

  private final String configName;
  private final String mediaType;

  ScrapeProtocol(String configName, String mediaType) {
    this.configName = configName;
    this.mediaType = mediaType;
  }

  /** The name used in prometheus.yml. */
  public String configName() {
    return configName;
  }

  /** The media type (with version) used in the Accept header. */
  public String mediaType() {
    return mediaType;
  }

  /** Whether Clymene can parse this format. */
  public boolean supported() {
    return this != PROMETHEUS_PROTO;
  }

  /** The protocol of a config name, or null. */
  public static ScrapeProtocol byName(String name) {
    for (ScrapeProtocol p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    return null;
  }
}
