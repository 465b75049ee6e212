package io.clymene.storage;

import java.time.Duration;

/**
 * A failed write: retryable (server errors, throttling, network) or not (the backend rejected the data,
 * so sending it again cannot help).
 */
public final class WriteException extends RuntimeException {
  private final boolean retryable;
  private final Duration retryAfter;

  private WriteException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** A failure worth retrying (5xx, 429, network). */
  public static WriteException retryable(String message, Throwable cause) {
    return new WriteException(message, true, null, cause);
  }

  /** A throttling answer with the delay the backend asked for (may be null). */
  public static WriteException throttled(String message, Duration retryAfter) {
    return new WriteException(message, true, retryAfter, null);
  }

  /** A rejection: the data will not be accepted however often it is sent. */
  public static WriteException rejected(String message) {
    return new WriteException(message, false, null, null);
  }

  public boolean retryable() {
    return retryable;
  }

  /** The delay the backend asked for, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
