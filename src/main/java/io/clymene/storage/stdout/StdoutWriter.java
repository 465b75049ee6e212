package io.clymene.storage.stdout;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.codec.json.JsonLinesEncoder;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes each request's samples as NDJSON lines to an output stream (standard output), encoded on the
 * writer's context and written and flushed on a worker executor of one thread: requests stay in order
 * and a blocked pipe never blocks the event loop. A write fails (retryable) when the stream does, e.g.
 * a closed pipe.
 */
final class StdoutWriter implements StorageWriter {
  private final WriterContext context;
  private final StorageEntry entry;
  private final OutputStream out;
  private final JsonLinesEncoder encoder = new JsonLinesEncoder();
  private WorkerExecutor worker;

  StdoutWriter(WriterContext context, StorageEntry entry, OutputStream out) {
    this.context = context;
    this.entry = entry;
    this.out = out;
  }

  @Override
  public Future<Void> start() {
    worker = context.vertx().createSharedWorkerExecutor("clymene-stdout-" + entry.name(), 1);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    byte[] lines = encoder.encode(batches);
    if (lines.length == 0) {
      return Future.succeededFuture();
    }
    return worker.<Void>executeBlocking(() -> {
      out.write(lines);
      out.flush();
      return null;
    }).recover(err -> Future.failedFuture(WriteException.retryable("stdout: cannot write " + lines.length
        + " bytes: " + err, err)));
  }

  @Override
  public Future<Void> stop() {
    if (worker == null) {
      return Future.succeededFuture();
    }
    WorkerExecutor w = worker;
    worker = null;
    return w.<Void>executeBlocking(() -> {
      out.flush(); // standard output stays open: other parts of the process may still print
      return null;
    }).eventually(w::close);
  }
}
