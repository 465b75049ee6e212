package io.clymene.transport.eventbus;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Sends batches to an address on the local event bus with the batch codec (no copy) and returns the
 * consumer's answer.
 */
public final class EventBusBatchSender {
  private final EventBus bus;
  private final String address;
  private final DeliveryOptions options;

  public EventBusBatchSender(Vertx vertx, String address) {
    this.bus = vertx.eventBus();
    this.address = address;
    this.options = new DeliveryOptions().setCodecName(SeriesBatchCodec.NAME).setLocalOnly(true);
  }

  /** Registers the batch codec once per Vert.x instance (idempotent). */
  public static void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new SeriesBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by another role in this process
    }
  }

  /** Sends a batch; completes with the consumer's reply body. */
  public Future<Object> send(SeriesBatch batch) {
    return bus.request(address, batch, options).map(m -> m.body());
  }
}
