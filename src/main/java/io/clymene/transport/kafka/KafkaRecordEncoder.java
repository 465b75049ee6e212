package io.clymene.transport.kafka;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
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
  /** The largest snappy output buffer kept between records (larger records get a buffer of their own). */
  static final int KEEP_BUFFER_BYTES = 4 << 20;
  /** Snappy's output, kept between records: {@code Snappy.compress} allocates one of ~1.2x the input each time. */
  private byte[] compressed = new byte[0];

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

  private byte[] snappy(byte[] message) {
    int max = Snappy.maxCompressedLength(message.length);
    byte[] out = compressed;
    if (out.length < max) {
      out = new byte[Math.max(max, Math.min(out.length * 2, KEEP_BUFFER_BYTES))];
      if (out.length <= KEEP_BUFFER_BYTES) {
        compressed = out;
      }
    }
    try {
      // block format, as Go's snappy.Encode
      return Arrays.copyOf(out, Snappy.rawCompress(message, 0, message.length, out, 0));
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    }
  }
}
