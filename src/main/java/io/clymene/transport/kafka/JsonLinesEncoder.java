package io.clymene.transport.kafka;

import io.clymene.model.SeriesBatch;
import java.util.List;

/**
 * The Kafka {@code json-lines} encoding (one flat JSON object per sample, newline-terminated; see
 * {@link JsonLinesCodec} for the format) for other outputs that write the same lines, such as the
 * {@code file} and {@code stdout} storage, so that one reader serves all of them. Not thread-safe.
 */
public final class JsonLinesEncoder {
  private final JsonLinesCodec codec = new JsonLinesCodec();

  /** The lines of every sample of the batches, in order. */
  public byte[] encode(List<SeriesBatch> batches) {
    return codec.encode(batches);
  }
}
