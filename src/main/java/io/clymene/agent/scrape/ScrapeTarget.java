package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.model.Labels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One target to scrape: its final labels (attached to every sample), the labels it was discovered with,
 * its URL and timing. Immutable; two targets with the same {@link #key()} are the same target.
 */
public final class ScrapeTarget {
  private final ScrapeConfig config;
  private final Labels labels;
  private final Labels discoveredLabels;
  private final String url;
  private final Duration interval;
  private final Duration timeout;
  private final String key;
  private final long hash;
  private final byte[][] labelNames;
  private final String[] labelValues;

  ScrapeTarget(ScrapeConfig config, Labels labels, Labels discoveredLabels, String url, Duration interval,
               Duration timeout) {
    this.config = config;
    this.labels = labels;
    this.discoveredLabels = discoveredLabels;
    this.url = url;
    this.interval = interval;
    this.timeout = timeout;
    this.key = config.jobName() + " " + url + " " + labels;
    this.hash = fnv1a(key);
    this.labelNames = new byte[labels.size()][];
    this.labelValues = new String[labels.size()];
    for (int i = 0; i < labels.size(); i++) {
      labelNames[i] = labels.name(i).getBytes(StandardCharsets.UTF_8);
      labelValues[i] = labels.value(i);
    }
  }

  public ScrapeConfig config() {
    return config;
  }

  /** Labels attached to every sample of this target (job, instance, group labels). */
  public Labels labels() {
    return labels;
  }

  /** The labels before target processing ({@code __address__}, {@code __meta_*} ...). */
  public Labels discoveredLabels() {
    return discoveredLabels;
  }

  public String url() {
    return url;
  }

  public Duration interval() {
    return interval;
  }

  public Duration timeout() {
    return timeout;
  }

  /** Identity across reloads. */
  public String key() {
    return key;
  }

  /** A stable hash of the identity, used to spread scrapes over the interval. */
  public long hash() {
    return hash;
  }

  /** The job name. */
  public String job() {
    return config.jobName();
  }

  /** The {@code instance} label. */
  public String instance() {
    return labels.get("instance");
  }

  int labelCount() {
    return labelNames.length;
  }

  byte[] labelName(int i) {
    return labelNames[i];
  }

  String labelValue(int i) {
    return labelValues[i];
  }

  /**
   * The delay before this target's first scrape, so that it falls at a fixed offset within each
   * interval: targets spread over the interval, and every restart keeps the same phase.
   */
  public long firstDelayMillis(long nowMillis) {
    long iv = interval.toMillis();
    long offset = Math.floorMod(hash, iv);
    long delay = Math.floorMod(offset - nowMillis, iv);
    return delay == 0 ? iv : delay;
  }

  private static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    return h;
  }

  @Override
  public String toString() {
    return url + " (job " + config.jobName() + ")";
  }
}
