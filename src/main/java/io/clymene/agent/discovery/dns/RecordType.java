package io.clymene.agent.discovery.dns;

import java.util.Locale;

/** The DNS record types a {@code dns_sd_configs} entry can query, as Prometheus' {@code type} key names them. */
public enum RecordType {
  /** Service records: each gives a host and a port; the default. */
  SRV,
  /** IPv4 addresses, scraped on the configured port. */
  A,
  /** IPv6 addresses, scraped on the configured port. */
  AAAA,
  /** Mail exchangers: host names, scraped on the configured port. */
  MX;

  /** The type for a configured name, in any letter case as Prometheus accepts it; null when unknown. */
  static RecordType of(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
