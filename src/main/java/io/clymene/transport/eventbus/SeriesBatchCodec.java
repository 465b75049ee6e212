package io.clymene.transport.eventbus;

import io.clymene.model.SeriesBatch;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Event-bus codec of {@link SeriesBatch}. Locally the batch is passed as is: it is immutable, so
 * nothing is copied. Batches do not cross a clustered event bus in this version.
 */
public final class SeriesBatchCodec implements MessageCodec<SeriesBatch, SeriesBatch> {
  /** The codec's registered name. */
  public static final String NAME = "clymene-series-batch";

  @Override
  public void encodeToWire(Buffer buffer, SeriesBatch batch) {
    throw new UnsupportedOperationException("series batches do not cross a clustered event bus in this version");
  }

  @Override
  public SeriesBatch decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("series batches do not cross a clustered event bus in this version");
  }

  @Override
  public SeriesBatch transform(SeriesBatch batch) {
    return batch;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
