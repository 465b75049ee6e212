package io.clymene.transport.eventbus;

/** Event-bus addresses shared by the roles of one process. */
public final class Addresses {
  /** Batches for the composite writer; the reply says whether every writer queue took it. */
  public static final String STORAGE_WRITE = "clymene.storage.write";

  private Addresses() {
  }
}
