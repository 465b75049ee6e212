package io.clymene.ingester;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;

/** Where the ingester puts what it consumes: the writers, reached through this port only. */
public interface IngesterOutput {

  /**
   * Whether every writer has room for {@code samples} more samples now.
   *
   * @return null if so, else why not
   */
  String roomFor(int samples);

  /**
   * Hands a batch to every writer; the future succeeds once every writer is done with it (delivered,
   * on its disk queue, or refused for good) and fails when one lost it. Callable from any thread.
   */
  Future<Void> deliver(SeriesBatch batch);

  /** Asks the writers to send what they hold now, not at their batch deadline (before a commit that waits). */
  void hurry();
}
