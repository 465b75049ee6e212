package io.clymene.gateway.decode;

/**
 * A remote-write request body that cannot be accepted, with the HTTP status to answer: 400 (bad snappy,
 * malformed protobuf, invalid series), 413 (decoded body over the limit) or 415 (unsupported Content-Type
 * or Content-Encoding). The message says what is wrong and where (series index, label, byte offset into
 * the decoded message), fit to be sent back as the response body.
 */
public final class DecodeException extends Exception {
  /** Malformed or invalid input. */
  public static final int BAD_REQUEST = 400;
  /** Decoded body larger than the configured limit. */
  public static final int PAYLOAD_TOO_LARGE = 413;
  /** Content-Type or Content-Encoding not understood. */
  public static final int UNSUPPORTED_MEDIA_TYPE = 415;

  private final int status;

  /**
   * @param status the HTTP status to answer with
   * @param message what is wrong and where
   */
  public DecodeException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status to answer with: 400, 413 or 415. */
  public int status() {
    return status;
  }

  /** The same error with {@code prefix} put before its message (to name the series it happened in). */
  DecodeException withPrefix(String prefix) {
    return new DecodeException(status, prefix + getMessage());
  }
}
