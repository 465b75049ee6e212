package io.clymene.storage.postgresql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The writer's JDBC connections: one per write in flight (so at most max_shards), kept idle between
 * writes, opened on demand with autocommit off. A connection that failed is discarded; after a
 * connection-level failure the idle ones are closed too, as they most likely lead to the same
 * restarted or unreachable server. Used on worker threads only.
 */
final class ConnectionPool {
  private final PostgresSettings settings;
  private final org.postgresql.Driver driver = new org.postgresql.Driver();
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  ConnectionPool(PostgresSettings settings) {
    this.settings = settings;
  }

  /**
   * An idle connection or a new one.
   *
   * @throws IOException when the password file cannot be read
   */
  Connection take() throws SQLException, IOException {
    if (closed) {
      throw new SQLException("the writer is stopped", "08003");
    }
    Connection c = idle.pollFirst();
    if (c != null) {
      return c;
    }
    c = driver.connect(settings.jdbcUrl(), settings.connectionProperties());
    try {
      c.setAutoCommit(false);
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  /** Returns a healthy connection after its transaction ended. */
  void give(Connection c) {
    if (closed) {
      closeQuietly(c);
    } else {
      idle.addFirst(c);
    }
  }

  /** Drops a connection that failed; with {@code closeIdle} the idle ones too. */
  void discard(Connection c, boolean closeIdle) {
    closeQuietly(c);
    if (closeIdle) {
      for (Connection i; (i = idle.pollFirst()) != null; ) {
        closeQuietly(i);
      }
    }
  }

  /** Closes the idle connections; connections in use are closed when given back. */
  void close() {
    closed = true;
    for (Connection i; (i = idle.pollFirst()) != null; ) {
      closeQuietly(i);
    }
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException ignored) {
      // already broken
    }
  }
}
