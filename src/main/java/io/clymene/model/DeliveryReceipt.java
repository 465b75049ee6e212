package io.clymene.model;

/**
 * Hears what writers did with the samples of a batch (see {@link SeriesBatch#receipt()}): each writer
 * reports every sample exactly once, as settled or lost, possibly in several calls (a writer cuts batches
 * into requests) and from its own thread. Implementations must be thread-safe and quick.
 */
public interface DeliveryReceipt {

  /** {@code samples} were delivered, written to the writer's disk queue, or refused for good by the backend. */
  void settled(int samples);

  /** {@code samples} were lost: dropped on a full queue or at shutdown. */
  void lost(int samples, String reason);
}
