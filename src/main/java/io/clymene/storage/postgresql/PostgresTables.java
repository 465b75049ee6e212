package io.clymene.storage.postgresql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writer's tables in its schema, created when missing (a writer with INSERT rights only works on
 * tables an administrator created): {@code series (id bigint primary key, metric text, labels jsonb)} and
 * {@code samples (series_id bigint, time timestamptz, value double precision)} with an index on
 * {@code (series_id, time)}, and {@code writes (digest bytea primary key, written_at timestamptz)}, the
 * requests committed lately (see {@link CopyTransaction}). Without TimescaleDB {@code samples} is partitioned
 * by range of {@code time}
 * into daily partitions {@code samples_YYYYMMDD} (UTC days), which {@link #createDays} adds ahead and on
 * demand. With the {@code timescaledb} extension installed in the database when {@code samples} is
 * created, it is a hypertable with one-day chunks instead, which TimescaleDB extends by itself. A
 * {@code samples} table that exists already is used as it is, whatever its layout.
 */
final class PostgresTables {
  /** Detects TimescaleDB; a stub in tests (TimescaleDB cannot be installed on the build machine). */
  @FunctionalInterface
  interface TimescaleProbe {
    /** The installed extension's version, or null. */
    String version(Connection c) throws SQLException;
  }

  /** The real probe: the catalog's record of an installed {@code timescaledb} extension. */
  static final TimescaleProbe CATALOG = c -> {
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  };

  private final String schema;
  private final TimescaleProbe probe;
  private final Set<Long> createdDays = ConcurrentHashMap.newKeySet();
  private volatile boolean ready;
  private volatile boolean partitioned;
  private volatile String timescaleVersion;

  PostgresTables(String schema, TimescaleProbe probe) {
    this.schema = schema;
    this.probe = probe;
  }

  /**
   * The statements that create what is missing, in order.
   *
   * @param timescaleVersion the installed TimescaleDB version, or null
   */
  static List<String> plan(String schema, boolean schemaExists, boolean seriesExists, boolean samplesExists,
                           boolean writesExists, String timescaleVersion) {
    List<String> ddl = new ArrayList<>();
    if (!schemaExists) {
      ddl.add("CREATE SCHEMA IF NOT EXISTS " + schema);
    }
    if (!seriesExists) {
      ddl.add("CREATE TABLE IF NOT EXISTS " + schema + ".series (id bigint PRIMARY KEY, metric text NOT NULL, "
          + "labels jsonb NOT NULL)");
    }
    if (!samplesExists) {
      String columns = "(series_id bigint NOT NULL, time timestamptz NOT NULL, value double precision)";
      if (timescaleVersion != null) {
        ddl.add("CREATE TABLE IF NOT EXISTS " + schema + ".samples " + columns);
        ddl.add("SELECT create_hypertable('" + schema + ".samples', 'time', "
            + "chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE)");
      } else {
        ddl.add("CREATE TABLE IF NOT EXISTS " + schema + ".samples " + columns + " PARTITION BY RANGE (time)");
      }
      ddl.add("CREATE INDEX IF NOT EXISTS samples_series_id_time ON " + schema + ".samples (series_id, time)");
    }
    if (!writesExists) {
      ddl.add("CREATE TABLE IF NOT EXISTS " + schema + ".writes (digest bytea PRIMARY KEY, "
          + "written_at timestamptz NOT NULL DEFAULT now())");
    }
    return ddl;
  }

  /** Whether {@link #setUp} succeeded. */
  boolean ready() {
    return ready;
  }

  /** Whether samples is a partitioned table whose partitions this writer creates. */
  boolean partitioned() {
    return partitioned;
  }

  /** The TimescaleDB version found at set-up, or null. */
  String timescaleVersion() {
    return timescaleVersion;
  }

  /** Creates what is missing and learns the layout of samples; the connection is left in autocommit off. */
  synchronized void setUp(Connection c) throws SQLException {
    if (ready) {
      return;
    }
    c.setAutoCommit(true);
    try {
      String ts = probe.version(c);
      List<String> ddl = plan(schema, exists(c, "SELECT to_regnamespace(?) IS NOT NULL", schema),
          exists(c, "SELECT to_regclass(?) IS NOT NULL", schema + ".series"),
          exists(c, "SELECT to_regclass(?) IS NOT NULL", schema + ".samples"),
          exists(c, "SELECT to_regclass(?) IS NOT NULL", schema + ".writes"), ts);
      try (Statement st = c.createStatement()) {
        for (String s : ddl) {
          st.execute(s);
        }
      }
      partitioned = exists(c, "SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(?)", schema + ".samples");
      timescaleVersion = ts;
      ready = true;
    } finally {
      c.setAutoCommit(false);
    }
  }

  private static boolean exists(Connection c, String sql, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * Creates the daily partitions of these days (days since 1970-01-01 UTC) unless this writer made them
   * before; {@code force} creates them anyway (after a row found no partition: one may have been dropped).
   * Commits; nothing happens unless samples is partitioned.
   */
  void createDays(Connection c, Iterable<Long> days, boolean force) throws SQLException {
    if (!partitioned) {
      return;
    }
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      for (long day : days) {
        if (force || !createdDays.contains(day)) {
          st.execute(partitionDdl(schema, day));
          createdDays.add(day);
        }
      }
    } finally {
      c.setAutoCommit(false);
    }
  }

  /** {@code CREATE TABLE IF NOT EXISTS <schema>.samples_YYYYMMDD PARTITION OF ...} for one UTC day. */
  static String partitionDdl(String schema, long epochDay) {
    java.time.LocalDate from = java.time.LocalDate.ofEpochDay(epochDay);
    if (from.getYear() < 1000 || from.getYear() > 9998) {
      throw new IllegalArgumentException("a sample's day " + from + " is outside the years 1000-9998 the "
          + "writer partitions");
    }
    java.time.LocalDate to = from.plusDays(1);
    return "CREATE TABLE IF NOT EXISTS " + schema + ".samples_" + from.toString().replace("-", "")
        + " PARTITION OF " + schema + ".samples FOR VALUES FROM ('" + from + " 00:00:00+00') TO ('" + to
        + " 00:00:00+00')";
  }
}
