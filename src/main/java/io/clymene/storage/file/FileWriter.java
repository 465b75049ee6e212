package io.clymene.storage.file;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.codec.json.JsonLinesEncoder;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.List;

/**
 * Appends each request's samples as NDJSON lines (the Kafka {@code json-lines} object: labels,
 * {@code timestamp} in ms, {@code value}, with NaN, ±Inf and stale markers as strings) to a
 * {@link RotatingFile}. Lines are encoded on the writer's context; the blocking I/O runs on a worker
 * executor of one thread, so requests reach the file in order and the event loop never waits. A write
 * completes when its bytes are in the file (the OS page cache: no fsync except on rotation and stop).
 * An I/O error (e.g. a full disk) is retryable; a path that cannot be opened fails {@link #start} with
 * the entry's {@code path} key in the message.
 */
final class FileWriter implements StorageWriter {
  private final WriterContext context;
  private final StorageEntry entry;
  private final RotatingFile file;
  private final JsonLinesEncoder encoder = new JsonLinesEncoder();
  private WorkerExecutor worker;

  FileWriter(WriterContext context, StorageEntry entry, RotatingFile file) {
    this.context = context;
    this.entry = entry;
    this.file = file;
  }

  @Override
  public Future<Void> start() {
    worker = context.vertx().createSharedWorkerExecutor("clymene-file-" + entry.name(), 1);
    return worker.<Void>executeBlocking(() -> {
      file.open();
      return null;
    }).recover(err -> Future.failedFuture(new ConfigException(null, entry.path() + ".path",
        "cannot open '" + file.path().toAbsolutePath() + "' for appending: " + err, err)));
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    byte[] lines = encoder.encode(batches);
    if (lines.length == 0) {
      return Future.succeededFuture();
    }
    return worker.<Void>executeBlocking(() -> {
      file.append(lines);
      return null;
    }).recover(err -> Future.failedFuture(WriteException.retryable("file " + file.path() + ": cannot append "
        + lines.length + " bytes: " + err, err)));
  }

  @Override
  public Future<Void> stop() {
    if (worker == null) {
      return Future.succeededFuture();
    }
    WorkerExecutor w = worker;
    worker = null;
    return w.<Void>executeBlocking(() -> {
      file.close();
      return null;
    }).eventually(w::close);
  }
}
