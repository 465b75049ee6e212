package io.clymene.storage.lineprotocol;

import java.util.Set;

/**
 * The rules of one store that reads InfluxDB line protocol: which names it cannot hold, which label names
 * clash with the sample's own columns, and whether it stores NaN and ±Inf.
 */
public enum LineProtocolDialect {
  /**
   * QuestDB (the embedded store and an external one): one table per metric, so a {@code :} in a metric
   * name becomes {@code _}; labels {@code value} and {@code timestamp} clash with its columns; NaN and ±Inf
   * are stored.
   */
  QUESTDB(true, true, false, Set.of("value", "timestamp")),
  /**
   * InfluxDB 1.x/2.x and VictoriaMetrics' Influx endpoint: fields cannot hold NaN or ±Inf (such samples
   * are skipped and counted), empty tag values are not allowed (the tag is left out), and tags named
   * {@code value} (the field) or {@code time} (the timestamp) are renamed.
   */
  INFLUXDB(false, false, true, Set.of("value", "time")),
  /** TDengine's schemaless writes through taosAdapter: InfluxDB's rules, {@code ts} is its time column. */
  TDENGINE(false, false, true, Set.of("value", "time", "ts"));

  private final boolean colonToUnderscore;
  private final boolean nonFinite;
  private final boolean omitEmptyTags;
  private final Set<String> clashing;

  LineProtocolDialect(boolean colonToUnderscore, boolean nonFinite, boolean omitEmptyTags, Set<String> clashing) {
    this.colonToUnderscore = colonToUnderscore;
    this.nonFinite = nonFinite;
    this.omitEmptyTags = omitEmptyTags;
    this.clashing = clashing;
  }

  /** Whether a {@code :} in a metric name is written as {@code _}. */
  boolean colonToUnderscore() {
    return colonToUnderscore;
  }

  /** Whether NaN, ±Inf and stale markers can be written. */
  public boolean storesNonFinite() {
    return nonFinite;
  }

  /** Whether a label with an empty value is left out. */
  boolean omitEmptyTags() {
    return omitEmptyTags;
  }

  /** Label names written with a {@code label_} prefix because they clash with a column of the sample. */
  Set<String> clashing() {
    return clashing;
  }
}
