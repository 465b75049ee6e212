package io.clymene.gateway;

/**
 * The output has no room for a batch now; the client should retry later (HTTP 429, gRPC
 * RESOURCE_EXHAUSTED). Carries no stack trace: it is an answer, not a fault.
 */
public final class OutputFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message which part of the output is full */
  public OutputFullException(String message) {
    super(message, null, false, false);
  }
}
