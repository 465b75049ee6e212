package io.clymene.transport.kafka;

/**
 * A Kafka record value that cannot be decoded: a poison record. Retrying cannot help, so a consumer counts
 * it, logs the message and moves on. The message names the encoding, where the problem is (byte offset
 * into the record value and, for JSON, the path such as {@code $.timeseries[2].samples[0].value}; for
 * protobuf the offset into the decompressed message, inside the text) and what is wrong.
 */
public final class RecordDecodeException extends Exception {
  private final KafkaEncoding encoding;
  private final long offset;
  private final String path;

  /**
   * @param encoding the encoding the value was decoded as
   * @param offset byte offset into the record value, or -1 when unknown
   * @param path JSON path of the bad element, or null
   * @param problem what is wrong
   */
  public RecordDecodeException(KafkaEncoding encoding, long offset, String path, String problem) {
    super(describe(encoding, offset, path, problem), null, false, false);
    this.encoding = encoding;
    this.offset = offset;
    this.path = path;
  }

  private static String describe(KafkaEncoding encoding, long offset, String path, String problem) {
    StringBuilder sb = new StringBuilder("bad ").append(encoding.configName()).append(" record");
    if (offset >= 0) {
      sb.append(" at byte ").append(offset);
    }
    if (path != null) {
      sb.append(" (").append(path).append(')');
    }
    return sb.append(": ").append(problem).toString();
  }

  /** The encoding the value was decoded as. */
  public KafkaEncoding encoding() {
    return encoding;
  }

  /** Byte offset into the record value, or -1 when unknown. */
  public long offset() {
    return offset;
  }

  /** JSON path of the bad element, or null. */
  public String path() {
    return path;
  }
}
