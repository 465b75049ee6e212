package io.clymene.storage;

import io.clymene.model.SeriesBatch;
import java.util.List;

/** What writers say about a write in their errors and logs: its sample count, its first series, a server's text. */
public final class Batches {

  private Batches() {
  }

  /** The samples of a write. */
  public static long sampleCount(List<SeriesBatch> batches) {
    long n = 0;
    for (SeriesBatch b : batches) {
      n += b.sampleCount();
    }
    return n;
  }

  /** The labels of a write's first series (for error messages only: this allocates). */
  public static String firstSeries(List<SeriesBatch> batches) {
    for (SeriesBatch b : batches) {
      if (!b.isEmpty()) {
        return b.labels(0).toString();
      }
    }
    return "(none)";
  }

  /** A server's message on one line, cut to {@code max} characters; empty for null. */
  public static String oneLine(String s, int max) {
    if (s == null) {
      return "";
    }
    String one = s.replaceAll("[\\r\\n]+", " ").trim();
    return one.length() <= max ? one : one.substring(0, max) + "...";
  }
}
