package io.clymene.storage.opensearch;

import io.vertx.core.buffer.Buffer;

/**
 * One encoded bulk body and, for each of its items (in order, as the answer lists them), the batch and
 * the series of that batch it came from; likewise for each sample left out because its value is not
 * finite (counted only once the series is done with, not again on every retry).
 *
 * @param body the NDJSON body
 * @param itemBatch index in the request's batch list of item k
 * @param itemSeries series index within that batch of item k
 * @param items how many items (documents) the body holds
 * @param skippedBatch batch index of each sample left out
 * @param skippedSeries series index of each sample left out
 */
record BulkRequest(Buffer body, int[] itemBatch, int[] itemSeries, int items, int[] skippedBatch,
                   int[] skippedSeries) {

  /** Samples left out because their value is not finite. */
  int skipped() {
    return skippedBatch.length;
  }
}
