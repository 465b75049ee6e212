package io.clymene.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void delaySecondsAndHttpDates() {
    assertThat(RetryAfter.parse(" 7 ", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.parse("0", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("Thu, 26 Nov 2026 10:02:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(2));
    assertThat(RetryAfter.parse("Thu, 26 Nov 2026 09:00:00 GMT", NOW)).as("a date in the past").isZero();
  }

  @Test
  void absentOrUnreadableIsNull() {
    assertThat(RetryAfter.parse(null, NOW)).isNull();
    assertThat(RetryAfter.parse("", NOW)).isNull();
    assertThat(RetryAfter.parse("-3", NOW)).isNull();
    assertThat(RetryAfter.parse("soon", NOW)).isNull();
  }
}
