package io.clymene.gateway;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;

/**
 * Where the gateway puts what it receives: the composite writers or Kafka. A receiver acknowledges a
 * request only when {@link #write} succeeded.
 */
@FunctionalInterface
public interface GatewayOutput {

  /**
   * Takes a batch. Thread-safe; called from every receiver's event loop.
   *
   * @return succeeds once the output has taken the batch; fails with {@link OutputFullException} when it
   *     has no room now (nothing was taken and the client should come back later), or with another
   *     exception when it cannot take data at all
   */
  Future<Void> write(SeriesBatch batch);
}
