package io.clymene.storage.queue;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.spill.DiskQueue;
import io.vertx.core.Future;
import java.util.List;

/** A {@link Spill} on a writer's {@link DiskQueue}. */
public final class DiskSpill implements Spill {
  private final DiskQueue disk;

  public DiskSpill(DiskQueue disk) {
    this.disk = disk;
  }

  @Override
  public Future<Void> append(List<SeriesBatch> batches) {
    return disk.append(batches);
  }

  @Override
  public Future<List<SeriesBatch>> peek(int maxSamples) {
    return disk.peek(maxSamples);
  }

  @Override
  public Future<Void> commit() {
    return disk.commit();
  }

  @Override
  public long samples() {
    return disk.samples();
  }

  @Override
  public long bytes() {
    return disk.bytes();
  }

  @Override
  public Future<Void> close() {
    return disk.close();
  }
}
