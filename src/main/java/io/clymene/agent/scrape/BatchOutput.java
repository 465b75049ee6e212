package io.clymene.agent.scrape;

import io.clymene.model.SeriesBatch;
import io.vertx.core.Future;

/** Where the agent sends each scrape's batch (the local composite writer, a gateway, Kafka ...). */
@FunctionalInterface
public interface BatchOutput {

  /** Hands a batch over; completes when the output took it (or refused it, counted there). */
  Future<?> send(SeriesBatch batch);
}
