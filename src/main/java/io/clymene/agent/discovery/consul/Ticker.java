package io.clymene.agent.discovery.consul;

import java.time.Duration;

/**
 * The pace of one watch, as a Go ticker paces Prometheus' Consul watches: ticks fall every interval
 * from the start, at most one missed tick is remembered, and a query waits for the next tick. So queries
 * run at most once per interval, and at once when the last one took longer than the interval.
 */
final class Ticker {
  private final long intervalNanos;
  private final long originNanos;
  private long consumed;

  /**
   * @param interval time between ticks
   * @param nowNanos the start, from {@link System#nanoTime()}
   */
  Ticker(Duration interval, long nowNanos) {
    this.intervalNanos = Math.max(1, interval.toNanos());
    this.originNanos = nowNanos;
  }

  /** Takes the next tick: how many milliseconds after {@code nowNanos} it comes (0 when one is pending). */
  long takeMillis(long nowNanos) {
    long latest = (nowNanos - originNanos) / intervalNanos;
    if (latest > consumed) {
      consumed = latest;
      return 0;
    }
    consumed++;
    long wait = originNanos + consumed * intervalNanos - nowNanos;
    return (wait + 999_999) / 1_000_000;
  }
}
