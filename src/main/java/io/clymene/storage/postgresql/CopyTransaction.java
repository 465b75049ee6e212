package io.clymene.storage.postgresql;

import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * One request in one transaction, on a worker thread: the request's SHA-256 into {@code writes}, the rows
 * of series not known to be stored ({@code INSERT ... SELECT FROM unnest(...) ON CONFLICT (id) DO
 * NOTHING}), then every sample by binary COPY, then commit. A COPY that finds no partition for a row
 * (SQLSTATE 23514) is rolled back; the request's days get their partitions and the transaction runs once
 * more. Only after the commit are the new series ids remembered.
 *
 * <p>The digest makes a retry of a committed request harmless: COPY has no ON CONFLICT, so when a commit's
 * answer is lost (connection cut, timeout) and the queue sends the same request again, the digest is found
 * (or waited for, while the first attempt's transaction is still open) and the request is skipped as
 * written. The same samples arriving in another request (a disk-queue replay after a restart, a sender
 * sending twice) are not recognized: delivery stays at least once in general. Digests older than
 * {@link #DIGESTS_KEPT_HOURS} hours are deleted by {@link #pruneDigests}.
 */
final class CopyTransaction {
  private final String schema;
  private final PostgresTables tables;
  private final KnownSeries known;

  CopyTransaction(String schema, PostgresTables tables, KnownSeries known) {
    this.schema = schema;
    this.tables = tables;
    this.known = known;
  }

  /** Writes the batches; on failure the transaction is rolled back and the exception thrown. */
  void run(Connection c, List<SeriesBatch> batches) throws SQLException {
    NewSeries fresh = newSeries(batches);
    byte[] copy = BinaryCopy.encode(batches);
    byte[] digest = sha256(copy);
    try {
      attempt(c, fresh, copy, digest);
    } catch (SQLException e) {
      rollbackQuietly(c);
      if (!SqlStates.NO_PARTITION.equals(e.getSQLState()) || !tables.partitioned()) {
        throw e;
      }
      tables.createDays(c, days(batches), true);
      try {
        attempt(c, fresh, copy, digest);
      } catch (SQLException again) {
        rollbackQuietly(c);
        throw again;
      }
    }
    for (long id : fresh.ids) {
      known.add(id);
    }
  }

  /** How long a committed request's digest is kept (in-memory retries end far sooner). */
  static final int DIGESTS_KEPT_HOURS = 6;

  private void attempt(Connection c, NewSeries fresh, byte[] copy, byte[] digest) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".writes (digest) VALUES (?) "
        + "ON CONFLICT (digest) DO NOTHING")) {
      ps.setBytes(1, digest);
      if (ps.executeUpdate() == 0) {
        c.rollback(); // committed before: this is a retry whose first answer was lost
        return;
      }
    }
    if (!fresh.ids.isEmpty()) {
      insertSeries(c, fresh);
    }
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(BinaryCopy.statement(schema));
    try {
      in.writeToCopy(copy, 0, copy.length);
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
    c.commit();
  }

  private void insertSeries(Connection c, NewSeries fresh) throws SQLException {
    Array ids = c.createArrayOf("int8", fresh.ids.toArray(new Long[0]));
    Array metrics = c.createArrayOf("text", fresh.metrics.toArray(new String[0]));
    Array labels = c.createArrayOf("text", fresh.labels.toArray(new String[0]));
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".series (id, metric, labels) "
        + "SELECT id, metric, labels::jsonb FROM unnest(?::int8[], ?::text[], ?::text[]) AS t(id, metric, labels) "
        + "ON CONFLICT (id) DO NOTHING")) {
      ps.setArray(1, ids);
      ps.setArray(2, metrics);
      ps.setArray(3, labels);
      ps.executeUpdate();
    }
  }

  /** The series of a request not known to be stored, each once. */
  private NewSeries newSeries(List<SeriesBatch> batches) {
    NewSeries n = new NewSeries();
    Set<Long> seen = null;
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        long id = b.hash(i);
        if (known.contains(id)) {
          continue;
        }
        if (seen == null) {
          seen = new HashSet<>();
        }
        if (seen.add(id)) {
          Labels l = b.labels(i);
          Map<String, Object> rest = new LinkedHashMap<>();
          for (int k = 0; k < l.size(); k++) {
            if (!Labels.METRIC_NAME.equals(l.name(k))) {
              rest.put(text(l.name(k)), text(l.value(k)));
            }
          }
          n.ids.add(id);
          n.metrics.add(text(l.metricName() == null ? "" : l.metricName()));
          n.labels.add(new JsonObject(rest).encode());
        }
      }
    }
    return n;
  }

  /** PostgreSQL text and jsonb cannot hold NUL: it becomes U+FFFD (the id still comes from the raw labels). */
  private static String text(String s) {
    return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
  }

  /** The UTC days (since 1970-01-01) of a request's samples. */
  static TreeSet<Long> days(List<SeriesBatch> batches) {
    TreeSet<Long> days = new TreeSet<>();
    long last = Long.MIN_VALUE;
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        for (int s = b.sampleStart(i), end = b.sampleEnd(i); s < end; s++) {
          long day = Math.floorDiv(b.timestamp(s), 86_400_000L);
          if (day != last) {
            days.add(day);
            last = day;
          }
        }
      }
    }
    return days;
  }

  /** Deletes digests older than {@link #DIGESTS_KEPT_HOURS}; commits. */
  void pruneDigests(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM " + schema + ".writes WHERE written_at < now() - interval '"
          + DIGESTS_KEPT_HOURS + " hours'");
      c.commit();
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException ignored) {
      // the connection is discarded by the caller
    }
  }

  /** Rows for the series table, in the same order. */
  private static final class NewSeries {
    final List<Long> ids = new ArrayList<>();
    final List<String> metrics = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
  }
}
