package io.clymene.storage.composite;

/** A writer lost samples of a batch handed to {@link CompositeWriterVerticle#deliver}: it must be sent again. */
public final class UndeliveredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UndeliveredException(String message) {
    super(message);
  }
}
