package io.clymene.cli;

import io.clymene.config.ConfigException;
import io.clymene.ingester.IngesterOutput;
import io.clymene.ingester.IngesterVerticle;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.composite.CompositeWriterVerticle;
import io.clymene.transport.kafka.KafkaConsumerOptions;
import io.vertx.core.Future;

/**
 * The ingester: a Kafka consumer group member in front of the composite writer. Ready once it has joined
 * its group and been given its partitions (possibly none, when the group has more members than partitions).
 */
final class IngesterRoot implements RoleRoot {

  @Override
  public Future<Void> deploy(RoleContext ctx) {
    KafkaConsumerOptions options;
    try {
      options = ctx.config.ingester();
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    return Wiring.storage(ctx).compose(composite -> {
      ctx.readiness.notReady("ingester", "joining consumer group " + options.groupId() + " at " + options.brokers());
      IngesterVerticle ingester = new IngesterVerticle(options, output(composite), ctx.registry,
          owned -> ctx.readiness.ready("ingester", "group " + options.groupId() + ", topic " + options.topic() + ", "
              + owned.size() + " partition(s): " + owned));
      return ctx.deploy(ingester);
    }).mapEmpty();
  }

  private static IngesterOutput output(CompositeWriterVerticle composite) {
    return new IngesterOutput() {
      @Override
      public String roomFor(int samples) {
        return composite.roomFor(samples);
      }

      @Override
      public Future<Void> deliver(SeriesBatch batch) {
        return composite.deliver(batch);
      }

      @Override
      public void hurry() {
        composite.hurry();
      }
    };
  }
}
