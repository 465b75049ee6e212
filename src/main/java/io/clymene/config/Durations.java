package io.clymene.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus durations: {@code 1y2w3d4h5m6s7ms} (any subset, in that order) or {@code 0}. */
public final class Durations {
  private static final Pattern PATTERN = Pattern.compile(
      "^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");
  private static final long[] UNIT_MS = {
      365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000L, 60_000L, 1000L, 1L};

  private Durations() {
  }

  /**
   * Parses a Prometheus duration.
   *
   * @throws IllegalArgumentException when the text is not a duration
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PATTERN.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    long ms = 0;
    boolean any = false;
    for (int i = 0; i < UNIT_MS.length; i++) {
      String g = m.group(i + 1);
      if (g != null) {
        any = true;
        ms = Math.addExact(ms, Math.multiplyExact(Long.parseLong(g), UNIT_MS[i]));
      }
    }
    if (!any) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    return Duration.ofMillis(ms);
  }

  /** Formats a duration the way Prometheus prints it ({@code 1m30s}, {@code 500ms}, {@code 0s}). */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < UNIT_MS.length; i++) {
      long n = ms / UNIT_MS[i];
      if (n > 0) {
        sb.append(n).append(units[i]);
        ms -= n * UNIT_MS[i];
      }
    }
    return sb.toString();
  }
}
