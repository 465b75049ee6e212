package io.clymene.storage.discard;

import io.clymene.config.Schema;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import java.util.List;

/**
 * The {@code discard} storage: takes every batch and keeps nothing, counting the samples in
 * {@code clymene_discarded_samples_total{writer}}. For measuring receivers and agents without a backend
 * (the gateway benchmarks), and for dry runs.
 */
public final class DiscardProvider implements StorageProvider {
  public static final String TYPE = "discard";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public ObjectSchema schema() {
    return Schema.object();
  }

  @Override
  public StorageWriter create(WriterContext context, StorageEntry entry) {
    Counter discarded = Counter.builder("clymene.discarded.samples")
        .description("Samples a discard writer took and dropped on purpose")
        .tag("writer", entry.name()).register(context.registry());
    return new StorageWriter() {
      @Override
      public Future<Void> start() {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> write(List<SeriesBatch> batches) {
        long n = 0;
        for (SeriesBatch b : batches) {
          n += b.sampleCount();
        }
        discarded.increment(n);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> stop() {
        return Future.succeededFuture();
      }
    };
  }
}
