package io.clymene.util;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring problem at most once per interval, saying how many similar messages were
 * suppressed in between, so an outage does not flood the log.
 */
public final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public ThrottledLog(Logger log, java.time.Duration interval) {
    this.log = log;
    this.intervalNanos = interval.toNanos();
  }

  /** Logs a warning unless one was logged within the interval. */
  public void warn(String format, Object... args) {
    long now = System.nanoTime();
    long prev = last.get();
    if (prev != Long.MIN_VALUE && now - prev < intervalNanos) {
      suppressed.incrementAndGet();
      return;
    }
    if (!last.compareAndSet(prev, now)) {
      suppressed.incrementAndGet();
      return;
    }
    long n = suppressed.getAndSet(0);
    if (n > 0) {
      log.warn(format + " (" + n + " similar messages suppressed)", args);
    } else {
      log.warn(format, args);
    }
  }
}
