package io.clymene.storage.queue;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where a {@link WriterQueue} puts batches it cannot keep in memory: an ordered, bounded store that
 * survives a restart. Calls come from the writer's context, one at a time per kind (one append, one
 * peek/commit pair outstanding).
 */
public interface Spill {

  /** Appends batches after everything appended before. */
  Future<Void> append(List<SeriesBatch> batches);

  /** The oldest batches not yet committed, about {@code maxSamples} samples (at least one); empty if none. */
  Future<List<SeriesBatch>> peek(int maxSamples);

  /** Forgets what the last {@link #peek} returned: it was delivered (or given up). */
  Future<Void> commit();

  /** Samples stored and not committed. */
  long samples();

  /** Bytes stored and not committed. */
  long bytes();

  /** The most bytes it may hold before it drops its oldest data. */
  long maxBytes();

  /** Whether nothing is stored. */
  default boolean isEmpty() {
    return samples() == 0;
  }

  /** Writes out what is buffered and releases the files. */
  Future<Void> close();
}
