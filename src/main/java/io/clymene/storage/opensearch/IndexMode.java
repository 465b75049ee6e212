package io.clymene.storage.opensearch;

import java.time.LocalDate;

/**
 * Where documents go: one index per UTC day of each sample ({@code daily}, {@code <index>-YYYY.MM.DD}), one
 * fixed index ({@code static}, {@code <index>}) or a data stream ({@code data_stream}, named {@code <index>},
 * whose backing indices the cluster rolls over).
 */
enum IndexMode {
  DAILY("daily"), STATIC("static"), DATA_STREAM("data_stream");

  static final String[] CONFIG_VALUES = {"daily", "static", "data_stream"};
  private static final long DAY_MS = 86_400_000L;

  private final String configName;

  IndexMode(String configName) {
    this.configName = configName;
  }

  String configName() {
    return configName;
  }

  static IndexMode fromConfig(String value) {
    for (IndexMode m : values()) {
      if (m.configName.equals(value)) {
        return m;
      }
    }
    throw new IllegalArgumentException("expected one of daily, static, data_stream, got '" + value + "'");
  }

  /** The UTC day number of a millisecond timestamp. */
  static long day(long timestampMs) {
    return Math.floorDiv(timestampMs, DAY_MS);
  }

  /** The daily index of a UTC day: {@code <prefix>-YYYY.MM.DD}. */
  static String dailyIndex(String prefix, long day) {
    LocalDate d = LocalDate.ofEpochDay(day);
    return String.format("%s-%04d.%02d.%02d", prefix, d.getYear(), d.getMonthValue(), d.getDayOfMonth());
  }
}
