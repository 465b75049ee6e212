package io.clymene.testing;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs a writer's calls on a Vert.x context, as its queue does, and waits for them (for writer tests). */
public final class OnContext {
  private OnContext() {
  }

  /** Runs {@code action} on {@code context} and waits for its future; its failure is the cause of the thrown exception. */
  public static void await(Context context, Duration timeout, Supplier<Future<Void>> action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(null);
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Writes one batch on {@code context}; returns the failure, or null on success. */
  public static Throwable write(Context context, Duration timeout, StorageWriter w, SeriesBatch batch) {
    try {
      await(context, timeout, () -> w.write(List.of(batch)));
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
