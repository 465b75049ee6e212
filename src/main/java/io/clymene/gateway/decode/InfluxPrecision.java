package io.clymene.gateway.decode;

import java.util.Locale;

/**
 * The unit of the timestamps of an InfluxDB line protocol body, as named by the {@code precision} query
 * parameter of {@code /write} (v1) and {@code /api/v2/write}.
 *
 * <p>Accepted spellings: {@code ns} or {@code n} (the default), {@code us}, {@code u} or {@code µs},
 * {@code ms}, {@code s}, {@code m}, {@code h}.
 */
public enum InfluxPrecision {
  /** Nanoseconds (the default). */
  NANOSECONDS,
  /** Microseconds. */
  MICROSECONDS,
  /** Milliseconds. */
  MILLISECONDS,
  /** Seconds. */
  SECONDS,
  /** Minutes. */
  MINUTES,
  /** Hours. */
  HOURS;

  /**
   * The precision a {@code precision} parameter names.
   *
   * @param param the parameter value; {@code null} or empty means nanoseconds
   * @throws IllegalArgumentException for any other spelling
   */
  public static InfluxPrecision fromParameter(String param) {
    if (param == null || param.isEmpty()) {
      return NANOSECONDS;
    }
    switch (param.toLowerCase(Locale.ROOT)) {
      case "ns":
      case "n":
        return NANOSECONDS;
      case "us":
      case "u":
      case "µs":
      case "µ":
        return MICROSECONDS;
      case "ms":
        return MILLISECONDS;
      case "s":
        return SECONDS;
      case "m":
        return MINUTES;
      case "h":
        return HOURS;
      default:
        throw new IllegalArgumentException(
            "unknown precision \"" + param + "\": expected one of ns, us, ms, s, m, h");
    }
  }

  /**
   * Converts a timestamp in this precision to milliseconds since the epoch, rounding finer precisions
   * down (towards negative infinity).
   *
   * @throws ArithmeticException if the result does not fit a {@code long}
   */
  public long toMillis(long timestamp) {
    switch (this) {
      case NANOSECONDS:
        return Math.floorDiv(timestamp, 1_000_000L);
      case MICROSECONDS:
        return Math.floorDiv(timestamp, 1_000L);
      case MILLISECONDS:
        return timestamp;
      case SECONDS:
        return Math.multiplyExact(timestamp, 1_000L);
      case MINUTES:
        return Math.multiplyExact(timestamp, 60_000L);
      case HOURS:
        return Math.multiplyExact(timestamp, 3_600_000L);
      default:
        throw new AssertionError(this);
    }
  }
}
