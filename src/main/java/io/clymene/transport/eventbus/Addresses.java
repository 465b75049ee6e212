package io.clymene.transport.eventbus;

/** Event-bus addresses: those the roles of one process share, and the one cluster members send to. */
public final class Addresses {
  /** Batches for the composite writer; the reply says whether every writer queue took it. */
  public static final String STORAGE_WRITE = "clymene.storage.write";
  /**
   * Remote-write v1 {@code WriteRequest}s (protobuf, no snappy) from agents with {@code agent.output: eventbus}
   * to the gateways (and all-in-ones) of the cluster; the default of {@code agent.eventbus.address}.
   */
  public static final String GATEWAY_WRITE = "clymene.gateway.write";

  private Addresses() {
  }
}
