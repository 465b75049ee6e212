package io.clymene.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as Prometheus writes them: {@code 512}, {@code 10KB}, {@code 64MiB}, {@code 1GB}, {@code 0}. */
public final class ByteSizes {
  private static final Pattern PATTERN =
      Pattern.compile("^(\\d+)\\s*(b|kb|kib|k|mb|mib|m|gb|gib|g|tb|tib|t)?$", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {
  }

  /**
   * Parses a size; Prometheus (units.Base2Bytes) treats KB and KiB alike as powers of 1024.
   *
   * @throws IllegalArgumentException when the text is not a size
   */
  public static long parse(String text) {
    Matcher m = PATTERN.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a byte size: '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long mult = switch (unit.charAt(0)) {
      case 'k' -> 1L << 10;
      case 'm' -> 1L << 20;
      case 'g' -> 1L << 30;
      case 't' -> 1L << 40;
      default -> 1L;
    };
    return Math.multiplyExact(n, mult);
  }
}
