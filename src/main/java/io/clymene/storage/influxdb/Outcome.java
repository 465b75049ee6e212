package io.clymene.storage.influxdb;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.WriteException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The merged outcome of the parts of one write (one part unless a 413 split the request): which lines were
 * written, refused for good, or must be sent again, turned into the writer's result.
 */
final class Outcome {
  private final String server;
  private final long requestSamples;
  private final List<SeriesBatch> retry = new ArrayList<>();
  private WriteException retryCause;
  private long rejected;
  private String rejection;

  /**
   * @param server the product and URL, for messages
   * @param requestSamples the samples of the whole request
   */
  Outcome(String server, long requestSamples) {
    this.server = server;
    this.requestSamples = requestSamples;
  }

  /** Records a part the server answered. */
  void answer(int status, Answer a, List<SeriesBatch> part, long lines) {
    String what = server + " answered " + status + ": " + a.message();
    switch (a.kind()) {
      case WRITTEN -> {
      }
      case PARTIAL -> refused(a.rejectedSamples(), server + " wrote " + (lines - a.rejectedSamples()) + " of "
          + lines + " samples and refused " + a.rejectedSamples() + " (HTTP " + status + ": " + a.message() + ")");
      case REJECTED, TOO_LARGE -> refused(lines, server + " rejected " + lines + " samples (HTTP " + status + ": "
          + a.message() + ")");
      case RETRY -> retry(part, WriteException.retryable(what, null));
      case THROTTLED -> retry(part, WriteException.throttled(what, a.retryAfter()));
    }
  }

  private void refused(long lines, String message) {
    rejected += lines;
    rejection = rejection == null ? message : rejection;
  }

  /** Records a part to send again; {@code cause} null keeps the cause already recorded. */
  void retry(List<SeriesBatch> part, WriteException cause) {
    retry.addAll(part);
    if (cause != null) {
      retryCause = cause;
    }
  }

  /** Whether some part is to be sent again. */
  boolean retrying() {
    return !retry.isEmpty();
  }

  /** The writer's result: success, a whole-request failure, or a partial write. */
  Future<Void> result() {
    if (retry.isEmpty()) {
      if (rejected == 0) {
        return Future.succeededFuture();
      }
      // a whole rejection only when every sample of the request was refused (none skipped as unsupported)
      return Future.failedFuture(rejected == requestSamples ? WriteException.rejected(rejection)
          : WriteException.partial(rejection, List.of(), rejected));
    }
    if (samples(retry) == requestSamples) {
      return Future.failedFuture(retryCause);
    }
    String message = retryCause.getMessage() + "; " + samples(retry) + " samples to be sent again"
        + (rejected > 0 ? ", " + rejected + " refused: " + rejection : "");
    return Future.failedFuture(WriteException.partial(message, retry, rejected));
  }

  static long samples(List<SeriesBatch> batches) {
    long n = 0;
    for (SeriesBatch b : batches) {
      n += b.sampleCount();
    }
    return n;
  }
}
