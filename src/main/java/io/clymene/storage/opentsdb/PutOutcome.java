package io.clymene.storage.opentsdb;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.WriteException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Merges the outcomes of the bodies one request was split into: written, to be retried (5xx, 429,
 * network: their series are resent whole, so at least once) or rejected (per-point errors of a 400
 * {@code details} answer, other 4xx, series the encoder refused). Used on the writer's context only.
 */
final class PutOutcome {
  private final String target;
  private final List<SeriesBatch> batches;
  private final TreeSet<Long> retrySeries = new TreeSet<>();
  private int written;
  private int retried;
  private long rejected;
  private String firstRejection;
  private String firstRetry;
  private Duration retryAfter;

  PutOutcome(String target, List<SeriesBatch> batches) {
    this.target = target;
    this.batches = batches;
  }

  /** A body (or part of one) was stored. */
  void written() {
    written++;
  }

  /** {@code samples} refused for good; the first reason is kept for the message. */
  void rejected(long samples, String reason) {
    rejected += samples;
    if (firstRejection == null && reason != null) {
      firstRejection = reason;
    }
  }

  /** A body to be sent again; {@code after} is a throttling delay or null. */
  void retry(PutEncoder.Body body, String reason, Duration after) {
    retried++;
    for (long s : body.series()) {
      retrySeries.add(s);
    }
    if (firstRetry == null) {
      firstRetry = reason;
    }
    if (after != null && (retryAfter == null || after.compareTo(retryAfter) > 0)) {
      retryAfter = after;
    }
  }

  long rejectedSamples() {
    return rejected;
  }

  String firstRejection() {
    return firstRejection;
  }

  /** Null when everything was written, else the failure to hand to the queue. */
  WriteException failure() {
    if (retried == 0 && rejected == 0) {
      return null;
    }
    if (retried > 0 && written == 0 && rejected == 0) {
      String m = "opentsdb " + target + ": " + firstRetry;
      return retryAfter != null ? WriteException.throttled(m, retryAfter) : WriteException.retryable(m, null);
    }
    if (retried == 0 && written == 0) { // nothing of it was written
      return WriteException.rejected("opentsdb " + target + " rejected " + rejected + " samples: " + firstRejection);
    }
    List<SeriesBatch> retry = retryBatches();
    return WriteException.partial("opentsdb " + target + ": " + rejected + " samples rejected"
        + (firstRejection != null ? " (first: " + firstRejection + ")" : "")
        + (retried > 0 ? ", " + retried + " bodies to resend (" + firstRetry + ")" : ""), retry, rejected);
  }

  private List<SeriesBatch> retryBatches() {
    List<SeriesBatch> out = new ArrayList<>();
    int batch = -1;
    List<Integer> picked = new ArrayList<>();
    for (long s : retrySeries) {
      int b = (int) (s >>> 32);
      if (b != batch && !picked.isEmpty()) {
        out.add(batches.get(batch).select(picked.stream().mapToInt(Integer::intValue).toArray()));
        picked.clear();
      }
      batch = b;
      picked.add((int) s);
    }
    if (!picked.isEmpty()) {
      out.add(batches.get(batch).select(picked.stream().mapToInt(Integer::intValue).toArray()));
    }
    return out;
  }
}
