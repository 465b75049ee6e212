package io.clymene.storage.opensearch;

import io.clymene.model.SeriesBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a bulk answer means for the request's series: the series to send again (every series with an item
 * answered 429 or 5xx, whole: its written samples come back as 409 next time, which counts as written),
 * the samples refused for good (other 4xx items of the other series), the 409s (samples stored before: a
 * replay) and the non-finite samples to count as unsupported (those of series not sent again).
 *
 * @param retry series to send again, cut from the request's batches
 * @param refused samples refused for good
 * @param conflicts samples answered 409 (already stored)
 * @param unsupported non-finite samples left out of the series that are done with
 * @param firstRefusal the first refusal, "status type: reason", or null
 * @param firstRefusedSeries the labels of the first refused sample's series, or null
 * @param firstRetry the first retryable item failure, or null
 */
record ItemOutcomes(List<SeriesBatch> retry, long refused, long conflicts, long unsupported, String firstRefusal,
                    String firstRefusedSeries, String firstRetry) {

  /** Outcomes of a request whose answer said {@code errors: false}, or that had no item to send. */
  static ItemOutcomes allWritten(BulkRequest request) {
    return new ItemOutcomes(List.of(), 0, 0, request.skipped(), null, null, null);
  }

  static ItemOutcomes of(List<SeriesBatch> batches, BulkRequest request, BulkAnswer answer) {
    if (!answer.errors()) {
      return allWritten(request);
    }
    boolean[][] again = new boolean[batches.size()][];
    int retrySeries = 0;
    long conflicts = 0;
    for (int k = 0; k < answer.items(); k++) {
      int status = answer.status(k);
      if (status == 409) {
        conflicts++;
      } else if (BulkAnswer.outcome(status) == BulkAnswer.Outcome.RETRY) {
        int b = request.itemBatch()[k];
        if (again[b] == null) {
          again[b] = new boolean[batches.get(b).size()];
        }
        if (!again[b][request.itemSeries()[k]]) {
          again[b][request.itemSeries()[k]] = true;
          retrySeries++;
        }
      }
    }
    long refused = 0;
    for (int k = 0; k < answer.items(); k++) {
      if (BulkAnswer.outcome(answer.status(k)) == BulkAnswer.Outcome.REFUSED
          && !marked(again, request.itemBatch()[k], request.itemSeries()[k])) {
        refused++;
      }
    }
    long unsupported = 0;
    for (int s = 0; s < request.skipped(); s++) {
      if (!marked(again, request.skippedBatch()[s], request.skippedSeries()[s])) {
        unsupported++;
      }
    }
    List<SeriesBatch> retry = new ArrayList<>();
    for (int b = 0; b < batches.size() && retrySeries > 0; b++) {
      if (again[b] != null) {
        int[] idx = new int[again[b].length];
        int n = 0;
        for (int i = 0; i < again[b].length; i++) {
          if (again[b][i]) {
            idx[n++] = i;
          }
        }
        retry.add(batches.get(b).select(Arrays.copyOf(idx, n)));
      }
    }
    int first = answer.firstRefusedItem();
    String firstSeries = first < 0 ? null
        : batches.get(request.itemBatch()[first]).labels(request.itemSeries()[first]).toString();
    return new ItemOutcomes(retry, refused, conflicts, unsupported, answer.firstRefusal(), firstSeries,
        answer.firstRetry());
  }

  private static boolean marked(boolean[][] again, int batch, int series) {
    return again[batch] != null && again[batch][series];
  }

  /** Whether every sample was written (or stored before). */
  boolean complete() {
    return retry.isEmpty() && refused == 0;
  }
}
