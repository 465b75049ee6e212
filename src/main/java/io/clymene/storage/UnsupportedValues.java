package io.clymene.storage;

import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the samples a writer leaves out because its backend cannot store their value (NaN, ±Inf or a
 * stale marker in a store whose numbers must be finite): {@code clymene_dropped_samples_total{writer,
 * reason="unsupported_value"}}, with a log line at most once a minute. Thread-safe.
 */
public final class UnsupportedValues {
  private static final Logger LOG = LoggerFactory.getLogger(UnsupportedValues.class);

  private final String writer;
  private final String what;
  private final Counter counter;
  private final ThrottledLog log = new ThrottledLog(LOG, Duration.ofMinutes(1));

  /**
   * @param registry where the counter goes
   * @param writer the writer's name
   * @param what the values the backend refuses, for the log line (e.g. "NaN and ±Inf (InfluxDB 1.x)")
   */
  public UnsupportedValues(MeterRegistry registry, String writer, String what) {
    this.writer = writer;
    this.what = what;
    this.counter = Counter.builder("clymene.dropped.samples").description("Samples dropped, by writer and reason")
        .tag("writer", writer).tag("reason", "unsupported_value").register(registry);
  }

  /** Counts {@code n} samples left out (nothing happens for 0). */
  public void count(long n) {
    if (n <= 0) {
      return;
    }
    counter.increment(n);
    log.warn("writer {}: left out {} samples its backend cannot store: {}", writer, n, what);
  }

  /** Samples left out so far. */
  public long total() {
    return (long) counter.count();
  }
}
