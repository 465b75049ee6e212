package io.clymene.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header for {@link WriteException#throttled}, the same way for every writer. */
public final class RetryAfter {

  private RetryAfter() {
  }

  /**
   * The delay a {@code Retry-After} header asks for: delay-seconds, or an HTTP date (time until then, at
   * least 0); null when absent or unreadable.
   */
  public static Duration parse(String header) {
    return parse(header, Clock.systemUTC());
  }

  static Duration parse(String header, Clock clock) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.trim();
    try {
      long s = Long.parseLong(h);
      return s >= 0 ? Duration.ofSeconds(s) : null;
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(clock.instant(), ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
