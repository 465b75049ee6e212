package io.clymene.storage.queue;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;

/**
 * A {@link Spill} in memory, for the queue's own spill rules; the disk queue itself is tested in
 * io.clymene.storage.spill, and both together in the outage tests.
 */
final class MemorySpill implements Spill {
  final LinkedList<SeriesBatch> stored = new LinkedList<>();
  private int peeked;
  int appends;
  boolean closed;

  @Override
  public synchronized Future<Void> append(List<SeriesBatch> batches) {
    stored.addAll(batches);
    appends++;
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<SeriesBatch>> peek(int maxSamples) {
    List<SeriesBatch> out = new ArrayList<>();
    int n = 0;
    for (SeriesBatch b : stored) {
      if (!out.isEmpty() && n + b.sampleCount() > maxSamples) {
        break;
      }
      out.add(b);
      n += b.sampleCount();
    }
    peeked = out.size();
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Void> commit() {
    for (int i = 0; i < peeked; i++) {
      stored.removeFirst();
    }
    peeked = 0;
    return Future.succeededFuture();
  }

  @Override
  public synchronized long samples() {
    long n = 0;
    for (SeriesBatch b : stored) {
      n += b.sampleCount();
    }
    return n;
  }

  @Override
  public long maxBytes() {
    return Long.MAX_VALUE;
  }

  @Override
  public long bytes() {
    return samples() * 16;
  }

  @Override
  public synchronized Future<Void> close() {
    closed = true;
    return Future.succeededFuture();
  }
}
