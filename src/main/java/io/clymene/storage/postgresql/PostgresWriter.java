package io.clymene.storage.postgresql;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to PostgreSQL with pgjdbc: each request is one transaction (new series rows, then the samples by
 * binary COPY; see {@link CopyTransaction}) on a worker of the writer's own {@link WorkerExecutor}, sized
 * to max_shards, with one connection per write in flight, so JDBC never blocks the event loop. The
 * tables are set up at start (a database that is down then is set up before the first write); daily
 * partitions are created for yesterday to tomorrow at start and for today and tomorrow every
 * {@link #PARTITIONS_AHEAD_EVERY}, and on demand for any other day a request holds. Errors are mapped by
 * SQLSTATE ({@link SqlStates}). A retried request that was committed before is recognized by its digest
 * and skipped; delivery is at least once only for the same samples in another request (see
 * {@link CopyTransaction}).
 */
final class PostgresWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);
  /** How many series ids are remembered as stored. */
  static final int KNOWN_SERIES = 1_000_000;
  static final Duration PARTITIONS_AHEAD_EVERY = Duration.ofMinutes(10);
  private static final long DAY_MS = 86_400_000L;

  private final WriterContext context;
  private final StorageEntry entry;
  private final PostgresSettings settings;
  private final PostgresTables tables;
  private final ConnectionPool pool;
  private final CopyTransaction transaction;
  private final ThrottledLog setupLog = new ThrottledLog(LOG, Duration.ofMinutes(1));
  private WorkerExecutor executor;
  private long timer = -1;

  PostgresWriter(WriterContext context, StorageEntry entry, PostgresTables.TimescaleProbe probe) {
    this.context = context;
    this.entry = entry;
    this.settings = PostgresSettings.from(entry);
    this.tables = new PostgresTables(settings.schema(), probe);
    this.pool = new ConnectionPool(settings);
    this.transaction = new CopyTransaction(settings.schema(), tables, new KnownSeries(KNOWN_SERIES));
  }

  @Override
  public Future<Void> start() {
    executor = context.vertx().createSharedWorkerExecutor("clymene-postgresql-" + entry.name(),
        Math.max(1, entry.queue().maxShards()), 2 * entry.http().timeout().toMillis() + 60_000, TimeUnit.MILLISECONDS);
    // an unreachable or misconfigured database does not stop the process: writes retry (or reject) later
    return executor.<Void>executeBlocking(() -> {
      try {
        withConnection("setting up the tables", c -> {
          prepare(c);
          long today = Math.floorDiv(System.currentTimeMillis(), DAY_MS);
          tables.createDays(c, List.of(today - 1, today, today + 1), false);
        });
        LOG.info("writer {}: writing to {} ({})", entry.name(), settings, tables.partitioned() ? "daily partitions"
            : tables.timescaleVersion() != null ? "TimescaleDB " + tables.timescaleVersion() + ", no partitions"
            : "samples table as found, no partitions");
      } catch (WriteException e) {
        LOG.warn("writer {}: {}; trying again at the next write", entry.name(), e.getMessage());
      }
      return null;
    }, false).onComplete(ar -> timer = context.vertx().setPeriodic(PARTITIONS_AHEAD_EVERY.toMillis(),
        t -> executor.executeBlocking(this::partitionsAhead, false)));
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    int samples = 0;
    for (SeriesBatch b : batches) {
      samples += b.sampleCount();
    }
    if (samples == 0) {
      return Future.succeededFuture();
    }
    return executor.executeBlocking(() -> {
      withConnection("writing " + batches.size() + " batches", c -> {
        prepare(c);
        transaction.run(c, batches);
      });
      return null;
    }, false);
  }

  private void prepare(Connection c) throws SQLException {
    if (!tables.ready()) {
      tables.setUp(c);
    }
  }

  private Void partitionsAhead() {
    try {
      withConnection("creating partitions ahead", c -> {
        prepare(c);
        long today = Math.floorDiv(System.currentTimeMillis(), DAY_MS);
        tables.createDays(c, List.of(today, today + 1), false);
        transaction.pruneDigests(c);
      });
    } catch (WriteException e) {
      setupLog.warn("writer {}: {}", entry.name(), e.getMessage());
    }
    return null;
  }

  @FunctionalInterface
  private interface Work {
    void run(Connection c) throws SQLException;
  }

  /** Runs work on a pooled connection; maps every failure to a {@link WriteException}. */
  private void withConnection(String what, Work work) {
    Connection c;
    try {
      c = pool.take();
    } catch (SQLException e) {
      throw SqlStates.classify(entry.name(), "connecting to " + settings.jdbcUrl(), e);
    } catch (IOException e) {
      throw WriteException.retryable("postgresql writer " + entry.name() + ": cannot read password_file: "
          + e.getMessage(), e);
    }
    try {
      work.run(c);
      pool.give(c);
    } catch (SQLException e) {
      CopyTransaction.rollbackQuietly(c);
      String state = e.getSQLState();
      pool.discard(c, state == null || state.startsWith("08") || state.startsWith("57"));
      throw SqlStates.classify(entry.name(), what, e);
    } catch (IllegalArgumentException e) {
      CopyTransaction.rollbackQuietly(c);
      pool.give(c);
      throw WriteException.rejected("postgresql writer " + entry.name() + ": " + what + ": " + e.getMessage());
    } catch (RuntimeException e) {
      pool.discard(c, false);
      throw WriteException.retryable("postgresql writer " + entry.name() + ": " + what + " failed: " + e, e);
    }
  }

  @Override
  public Future<Void> stop() {
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
    }
    if (executor == null) {
      return Future.succeededFuture();
    }
    return executor.<Void>executeBlocking(() -> {
      pool.close();
      return null;
    }, false).transform(ar -> executor.close());
  }
}
