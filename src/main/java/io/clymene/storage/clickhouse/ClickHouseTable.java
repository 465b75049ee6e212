package io.clymene.storage.clickhouse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The samples table of a {@code clickhouse} entry: its statements in the dialect of ClickHouse 18.16 and
 * later (no DateTime64, Map or codecs there), and the insert's request URI.
 *
 * <p>Engine: {@code ReplacingMergeTree}, ordered (and so deduplicated) by {@code (metric_name, fingerprint,
 * timestamp_ms)}. The writer delivers at least once: a request that timed out after the server wrote it, or
 * a disk-queue chunk replayed after a restart, is inserted again. A sample is identified by its series and
 * timestamp (Prometheus keeps one value per series and millisecond too), so merges fold such replays into
 * one row at no cost to inserts. Merging is eventual: exact counts need {@code FINAL} (or
 * {@code OPTIMIZE TABLE ... FINAL}); without it a replayed sample may count twice until its parts merge.
 * Partitions are months of {@code date}, the UTC day of the sample, so an insert touches one or two.
 */
final class ClickHouseTable {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String database;
  private final String table;

  ClickHouseTable(String database, String table) {
    this.database = database;
    this.table = table;
  }

  /** Whether a database or table name can be used unquoted in every ClickHouse version. */
  static boolean validIdentifier(String name) {
    return name != null && IDENTIFIER.matcher(name).matches();
  }

  /** {@code database.table}. */
  String qualifiedName() {
    return database + "." + table;
  }

  String createDatabase() {
    return "CREATE DATABASE IF NOT EXISTS " + database;
  }

  String createTable() {
    return "CREATE TABLE IF NOT EXISTS " + qualifiedName() + " (date Date, metric_name String, fingerprint UInt64,"
        + " labels Nested(name String, value String), timestamp_ms Int64, value Float64)"
        + " ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(date)"
        + " ORDER BY (metric_name, fingerprint, timestamp_ms)";
  }

  /** The insert statement; its RowBinary rows follow in the request body. */
  String insert() {
    return "INSERT INTO " + qualifiedName() + " (" + RowBinaryEncoder.COLUMNS + ") FORMAT RowBinary";
  }

  /** {@code base} (a path, maybe with a query of its own) with {@code query=<statement>} added. */
  static String withQuery(String base, String statement) {
    String q = URLEncoder.encode(statement, StandardCharsets.UTF_8).replace("+", "%20");
    return base + (base.contains("?") ? "&" : "?") + "query=" + q;
  }
}
