package io.clymene.transport.kafka;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import org.xerial.snappy.Snappy;

/**
 * Encodes batches into one Kafka record value in a {@link KafkaEncoding}, as the Go Clymene's Kafka
 * storage plugin ({@code plugin/storage/kafka/marshaller.go}) does for {@code protobuf} and {@code json}.
 * Metric metadata is not written (the Go Clymene's records have none). Reusable, keeps its buffers; not
 * thread-safe: use one per producer thread.
 */
public final class KafkaRecordEncoder {
  private final KafkaEncoding encoding;
  private RemoteWriteEncoder protobuf;
  private JsonCodec json;
  private JsonLinesCodec jsonLines;

  public KafkaRecordEncoder(KafkaEncoding encoding) {
    this.encoding = Objects.requireNonNull(encoding, "encoding");
    switch (encoding) {
      case PROTOBUF -> protobuf = new RemoteWriteEncoder();
      case JSON -> json = new JsonCodec();
      case JSON_LINES -> jsonLines = new JsonLinesCodec();
      default -> throw new AssertionError(encoding);
    }
  }

  public KafkaEncoding encoding() {
    return encoding;
  }

  /** The record value holding all series of the batches, in order (an empty list gives an empty request). */
  public byte[] encode(List<SeriesBatch> batches) {
    return switch (encoding) {
      case PROTOBUF -> snappy(protobuf.encode(batches));
      case JSON -> json.encode(batches);
      case JSON_LINES -> jsonLines.encode(batches);
    };
  }

  /** {@link #encode(List)} of one batch. */
  public byte[] encode(SeriesBatch batch) {
    return encode(List.of(batch));
  }

  private static byte[] snappy(byte[] message) {
    try {
      return Snappy.compress(message); // block format, as Go's snappy.Encode
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    }
  }
}
