package io.clymene.storage.prometheus;

import io.vertx.core.MultiMap;

/**
 * What a remote-write 2.0 receiver says it wrote, from the {@code X-Prometheus-Remote-Write-*-Written}
 * response headers. As the specification allows, an absent header counts 0 (meaningful only when the
 * response is {@link #confirmed()}); a count is -1 when its header is not a number.
 *
 * @param confirmed whether any of the three headers was present (a 2.0 receiver must send them)
 * @param samples samples written
 * @param histograms histogram samples written
 * @param exemplars exemplars written
 */
record WrittenCounts(boolean confirmed, long samples, long histograms, long exemplars) {
  static final String SAMPLES_HEADER = "X-Prometheus-Remote-Write-Samples-Written";
  static final String HISTOGRAMS_HEADER = "X-Prometheus-Remote-Write-Histograms-Written";
  static final String EXEMPLARS_HEADER = "X-Prometheus-Remote-Write-Exemplars-Written";

  /** Reads the headers of a response. */
  static WrittenCounts from(MultiMap headers) {
    String s = headers.get(SAMPLES_HEADER);
    String h = headers.get(HISTOGRAMS_HEADER);
    String e = headers.get(EXEMPLARS_HEADER);
    boolean confirmed = present(s) || present(h) || present(e);
    return new WrittenCounts(confirmed, count(s), count(h), count(e));
  }

  private static boolean present(String v) {
    return v != null && !v.isBlank();
  }

  private static long count(String v) {
    if (!present(v)) {
      return 0;
    }
    try {
      long n = Long.parseLong(v.trim());
      return n >= 0 ? n : -1;
    } catch (NumberFormatException ex) {
      return -1;
    }
  }
}
