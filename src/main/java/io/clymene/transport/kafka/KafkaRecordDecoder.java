package io.clymene.transport.kafka;

import io.clymene.gateway.decode.DecodeException;
import io.clymene.gateway.decode.RemoteWriteDecoder;
import io.clymene.model.SeriesBatch;
import java.util.Objects;

/**
 * Decodes one Kafka record value in a {@link KafkaEncoding} into a batch; reads what the Go Clymene's
 * {@code plugin/storage/kafka/marshaller.go} writes and what {@link KafkaRecordEncoder} writes. Series are
 * validated as the gateway validates remote write (a {@code __name__}, no empty or duplicate label names,
 * valid UTF-8; protobuf labels must also be sorted); series without samples are dropped. Any bad value is a
 * {@link RecordDecodeException}, never another exception. Reusable, not thread-safe.
 */
public final class KafkaRecordDecoder {
  /** The default limit on a record value's decoded size: 64 MiB. */
  public static final int DEFAULT_MAX_DECODED_BYTES = 64 << 20;

  private final KafkaEncoding encoding;
  private final int maxDecodedBytes;
  private RemoteWriteDecoder protobuf;
  private JsonCodec json;
  private JsonLinesCodec jsonLines;

  public KafkaRecordDecoder(KafkaEncoding encoding) {
    this(encoding, DEFAULT_MAX_DECODED_BYTES);
  }

  /**
   * @param maxDecodedBytes the largest decompressed protobuf message, or JSON value, accepted
   */
  public KafkaRecordDecoder(KafkaEncoding encoding, int maxDecodedBytes) {
    this.encoding = Objects.requireNonNull(encoding, "encoding");
    if (maxDecodedBytes <= 0) {
      throw new IllegalArgumentException("maxDecodedBytes must be positive, got " + maxDecodedBytes);
    }
    this.maxDecodedBytes = maxDecodedBytes;
    switch (encoding) {
      case PROTOBUF -> protobuf = new RemoteWriteDecoder(maxDecodedBytes);
      case JSON -> json = new JsonCodec();
      case JSON_LINES -> jsonLines = new JsonLinesCodec();
      default -> throw new AssertionError(encoding);
    }
  }

  public KafkaEncoding encoding() {
    return encoding;
  }

  /**
   * Decodes a record value.
   *
   * @return the series, labels sorted, in record order; shares nothing with this decoder
   * @throws RecordDecodeException for a null, malformed, invalid or oversized value, saying where and what
   */
  public SeriesBatch decode(byte[] value) throws RecordDecodeException {
    if (value == null) {
      throw new RecordDecodeException(encoding, -1, null, "null record value (a tombstone?)");
    }
    try {
      return switch (encoding) {
        case PROTOBUF -> decodeProtobuf(value);
        case JSON -> json.decode(checkSize(value), value.length);
        case JSON_LINES -> jsonLines.decode(checkSize(value), value.length);
      };
    } catch (RuntimeException e) {
      // a decoder bug must not stop a consumer on one record: report it as this record's problem
      throw new RecordDecodeException(encoding, -1, null, "unexpected " + e.getClass().getName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private SeriesBatch decodeProtobuf(byte[] value) throws RecordDecodeException {
    try {
      // no Content-Type means remote write 1.0, no Content-Encoding means snappy block format
      return protobuf.decode(value, null, null).batch();
    } catch (DecodeException e) {
      throw new RecordDecodeException(encoding, -1, null, e.getMessage());
    }
  }

  private byte[] checkSize(byte[] value) throws RecordDecodeException {
    if (value.length > maxDecodedBytes) {
      throw new RecordDecodeException(encoding, -1, null,
          "value of " + value.length + " bytes exceeds the limit of " + maxDecodedBytes + " bytes");
    }
    return value;
  }
}
