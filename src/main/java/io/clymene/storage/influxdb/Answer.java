package io.clymene.storage.influxdb;

import java.time.Duration;

/**
 * What a server's answer to one line-protocol request means for its samples.
 *
 * @param kind the outcome
 * @param message the server's reason on one line (empty when written)
 * @param rejectedSamples for {@link Kind#PARTIAL}: how many lines the server refused (the rest was written)
 * @param retryAfter for {@link Kind#THROTTLED}: the delay the server asked for, or null
 */
record Answer(Kind kind, String message, long rejectedSamples, Duration retryAfter) {

  /** The outcomes a line-protocol server's answer can have. */
  enum Kind {
    /** Every line was written. */
    WRITTEN,
    /** Some lines were refused for good ({@link #rejectedSamples}), the rest was written: nothing to resend. */
    PARTIAL,
    /** Nothing was written and sending the same lines again cannot help. */
    REJECTED,
    /** Nothing was written; a retry may succeed (server error, timeout). */
    RETRY,
    /** Nothing was written; the server asks to slow down ({@link #retryAfter}). */
    THROTTLED,
    /** The body exceeded the server's limit: send it again in smaller parts. */
    TOO_LARGE
  }

  static final Answer WRITTEN = new Answer(Kind.WRITTEN, "", 0, null);

  static Answer partial(String message, long rejected) {
    return new Answer(Kind.PARTIAL, message, rejected, null);
  }

  static Answer rejected(String message) {
    return new Answer(Kind.REJECTED, message, 0, null);
  }

  static Answer retry(String message) {
    return new Answer(Kind.RETRY, message, 0, null);
  }

  static Answer throttled(String message, Duration retryAfter) {
    return new Answer(Kind.THROTTLED, message, 0, retryAfter);
  }

  static Answer tooLarge(String message) {
    return new Answer(Kind.TOO_LARGE, message, 0, null);
  }
}
