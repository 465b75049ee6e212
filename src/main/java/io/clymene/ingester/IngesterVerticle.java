package io.clymene.ingester;

import io.clymene.transport.kafka.KafkaConsumerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The ingester as a verticle: starts the {@link Ingester}'s threads when deployed and, when undeployed,
 * stops consuming and commits what the writers took, before the writers themselves stop. The Kafka clients
 * are created and closed on a worker thread, never on the event loop.
 */
public final class IngesterVerticle extends VerticleBase {
  private final Ingester ingester;

  /**
   * @param options the consumer settings
   * @param output the writers
   * @param registry where the {@code clymene_ingester_*} meters go
   * @param onAssigned told after every rebalance with the partitions this ingester owns
   */
  public IngesterVerticle(KafkaConsumerOptions options, IngesterOutput output, MeterRegistry registry,
                          Consumer<List<TopicPartition>> onAssigned) {
    this.ingester = new Ingester(options, output, new IngesterMetrics(registry), onAssigned);
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> ingester.start().get(), false);
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      ingester.stop();
      return null;
    }, false);
  }
}
