package io.clymene.storage;

import io.clymene.model.SeriesBatch;
import java.time.Duration;
import java.util.List;

/**
 * A failed write: retryable (server errors, throttling, network) or not (the backend rejected the data,
 * so sending it again cannot help), or {@linkplain #partial partial}: the backend took part of the request
 * and answered for the rest item by item (a bulk API).
 */
public final class WriteException extends RuntimeException {
  private final boolean retryable;
  private final Duration retryAfter;
  private final List<SeriesBatch> retryBatches;
  private final long rejectedSamples;
  private final boolean partial;

  private WriteException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
    this.retryBatches = List.of();
    this.rejectedSamples = 0;
    this.partial = false;
  }

  private WriteException(String message, List<SeriesBatch> retry, long rejectedSamples) {
    super(message, null, false, false);
    this.retryable = !retry.isEmpty();
    this.retryAfter = null;
    this.retryBatches = List.copyOf(retry);
    this.rejectedSamples = rejectedSamples;
    this.partial = true;
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

  /**
   * Part of a request was written. {@code retry} (series cut from the request's batches with {@link
   * SeriesBatch#select} or {@link SeriesBatch#slice}, so they keep their delivery receipts) must be sent
   * again after a backoff; {@code rejectedSamples} were refused for good and are dropped, counted and
   * logged with {@code message}; every other sample of the request was written.
   */
  public static WriteException partial(String message, List<SeriesBatch> retry, long rejectedSamples) {
    if (rejectedSamples < 0) {
      throw new IllegalArgumentException("rejectedSamples < 0: " + rejectedSamples);
    }
    return new WriteException(message, retry, rejectedSamples);
  }

  /** Whether part of the request was written ({@link #partial}). */
  public boolean partial() {
    return partial;
  }

  /** The series of a partial write to send again; empty otherwise. */
  public List<SeriesBatch> retryBatches() {
    return retryBatches;
  }

  /** The samples of a partial write refused for good; 0 otherwise. */
  public long rejectedSamples() {
    return rejectedSamples;
  }

  /** Whether sending (the retry part) again may help. */
  public boolean retryable() {
    return retryable;
  }

  /** The delay the backend asked for, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
