package io.clymene.agent.discovery;

/**
 * A parsed, immutable service discovery configuration (one entry of a {@code *_sd_configs} list).
 * Implementations are value types: two equal configurations discover the same targets, so a reload
 * keeps the running discoverer of an unchanged one.
 */
public interface SdConfig {

  /** The mechanism's short name, as in Prometheus' metrics: {@code file}, {@code http}, {@code dns} ... */
  String mechanism();

  /** A discoverer for this configuration; not started. */
  Discoverer create(DiscoveryContext context);
}
