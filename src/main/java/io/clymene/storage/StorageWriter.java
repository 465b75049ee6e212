package io.clymene.storage;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;
import java.util.List;

/**
 * One storage backend's way of writing batches. Its queue calls it on the writer's own Vert.x context
 * (so implementations need no locking and must never block), with one request in flight per queue
 * shard: several {@link #write} calls may be outstanding at once, each series always in the same one.
 */
public interface StorageWriter {

  /** Connects or starts what the writer needs; the writer is ready when this completes. */
  Future<Void> start();

  /**
   * Writes batches. Fails with a {@link WriteException} saying whether a retry may help.
   *
   * @param batches series to write, in order; together at most the queue's max_samples_per_send
   */
  Future<Void> write(List<SeriesBatch> batches);

  /** Releases what {@link #start} acquired. */
  Future<Void> stop();
}
