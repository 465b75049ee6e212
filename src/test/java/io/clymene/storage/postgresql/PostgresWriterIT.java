package io.clymene.storage.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.OnContext;
import io.clymene.testing.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The postgresql writer against a real PostgreSQL 15 ({@link PostgresServer}, one per class), each test in
 * its own schema, everything read back with SQL: rows, values (NaN, ±Inf and the stale marker's exact
 * bits), timestamps, labels as jsonb, series stored once across writes, daily partitions for several
 * days, every sample arriving once across a server restart mid-stream (through the real queue), a retried
 * request skipped by its digest, a database down at start, the TimescaleDB branch (detection stubbed), and rejections
 * that name the SQLSTATE and PostgreSQL's reason.
 */
@Timeout(60)
class PostgresWriterIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long DAY = 86_400_000L;
  private static PostgresServer pg;
  private static Vertx vertx;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<StorageWriter> writers = new ArrayList<>();
  private Context context;

  @BeforeAll
  static void startServer() throws Exception {
    pg = PostgresServer.launch();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopServer() {
    if (vertx != null) {
      vertx.close().await();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void stopWriters() throws Exception {
    for (StorageWriter w : writers) {
      OnContext.await(context, WAIT, w::stop);
    }
  }

  private StorageWriter writer(String user, String schema, QueueOptions queue) throws Exception {
    return writer(user, schema, queue, PostgresTables.CATALOG);
  }

  private StorageWriter writer(String user, String schema, QueueOptions queue, PostgresTables.TimescaleProbe probe)
      throws Exception {
    context = vertx.getOrCreateContext();
    PostgresStorageProvider provider = new PostgresStorageProvider();
    JsonObject json = new JsonObject().put("type", "postgresql").put("url", pg.url(user, "postgres"))
        .put("schema", schema).put("timeout", "5s");
    StorageEntry entry = StorageEntry.from(json, "storage[0]", "pg", queue);
    provider.check(entry);
    StorageWriter w = new PostgresWriter(new WriterContext(vertx, registry, "test", null), entry, probe);
    OnContext.await(context, WAIT, w::start);
    writers.add(w);
    return w;
  }

  private StorageWriter writer(String schema) throws Exception {
    return writer("postgres", schema, new PostgresStorageProvider().defaultQueueOptions());
  }

  @Test
  void writesValuesTimestampsAndLabels() throws Exception {
    StorageWriter w = writer("basic");
    long t0 = System.currentTimeMillis() / 1000 * 1000;
    double[] values = {1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, StaleMarkers.STALE_NAN, -0.0};
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "node").label("instance", "host:9100");
    for (int i = 0; i < values.length; i++) {
      b.sample(t0 + i * 15_000L, values[i]);
    }
    b.endSeries();
    for (int s = 0; s < 99; s++) {
      b.beginSeries().label("__name__", "load").label("cpu", Integer.toString(s)).sample(t0, s).endSeries();
    }
    assertThat(OnContext.write(context, WAIT, w, b.build())).isNull();

    assertThat(query("SELECT count(*) FROM basic.samples")).isEqualTo("105");
    assertThat(query("SELECT count(*) FROM basic.series")).isEqualTo("100");
    assertThat(query("SELECT metric || ' ' || (labels->>'job') || ' ' || (labels->>'instance') || ' ' "
        + "|| ((labels->'__name__') IS NOT NULL) FROM basic.series WHERE metric = 'up'")).isEqualTo("up node host:9100 false");
    assertThat(number("SELECT sum(value) FROM basic.samples s JOIN basic.series r ON r.id = s.series_id "
        + "WHERE r.metric = 'load'")).isEqualTo(99 * 98 / 2.0);
    List<String> rows = rows("SELECT (extract(epoch FROM time) * 1000)::bigint || ' ' || encode(float8send(value), 'hex') "
        + "FROM basic.samples s JOIN basic.series r ON r.id = s.series_id WHERE r.metric = 'up' ORDER BY time");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      expected.add((t0 + i * 15_000L) + " " + hex(Double.doubleToRawLongBits(values[i])));
    }
    assertThat(rows).containsExactlyElementsOf(expected); // NaN, ±Inf, -0.0 and the stale marker's bits exactly
  }

  @Test
  void storesEachSeriesOnceAndCreatesPartitionsForEveryDay() throws Exception {
    StorageWriter w = writer("days");
    long today = Math.floorDiv(System.currentTimeMillis(), DAY) * DAY;
    for (int round = 0; round < 2; round++) {
      SeriesBatch.Builder b = new SeriesBatch.Builder();
      for (int s = 0; s < 50; s++) {
        b.beginSeries().label("__name__", "m").label("s", Integer.toString(s));
        for (int d = -5; d <= 3; d++) {
          b.sample(today + d * DAY + round * 60_000L + s, d);
        }
        b.endSeries();
      }
      assertThat(OnContext.write(context, WAIT, w, b.build())).isNull();
    }
    assertThat(query("SELECT count(*) FROM days.series")).isEqualTo("50");
    assertThat(query("SELECT count(*) FROM days.samples")).isEqualTo(Integer.toString(2 * 50 * 9));
    List<String> partitions = rows("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        + "WHERE i.inhparent = 'days.samples'::regclass ORDER BY 1");
    assertThat(partitions).hasSize(9).allMatch(p -> p.matches("samples_\\d{8}"));
    // each row lies in its own day's partition
    assertThat(query("SELECT count(*) FROM days.samples WHERE tableoid::regclass::text "
        + "<> 'days.samples_' || to_char(time AT TIME ZONE 'UTC', 'YYYYMMDD')")).isEqualTo("0");
    // a partition dropped behind the writer's back is created again on demand
    execute("DROP TABLE days." + partitions.get(0));
    SeriesBatch again = one(today - 5 * DAY + 1, 42, "__name__", "m", "s", "0");
    assertThat(OnContext.write(context, WAIT, w, again)).isNull();
    assertThat(number("SELECT value FROM days.samples WHERE time = to_timestamp(" + (today - 5 * DAY + 1)
        + " / 1000.0)")).isEqualTo(42.0);
  }

  @Test
  void everySampleArrivesAcrossAServerRestart() throws Exception {
    QueueOptions q = new QueueOptions().setMaxSamplesPerSend(200).setBatchSendDeadline(Duration.ofMillis(50))
        .setMinBackoff(Duration.ofMillis(50)).setMaxBackoff(Duration.ofMillis(500)).setMaxShards(2);
    StorageWriter w = writer("postgres", "restart", q);
    WriterQueue queue = new WriterQueue("pg", w, q, context, registry);
    int series = 50;
    int steps = 90;
    long t0 = System.currentTimeMillis();
    for (int step = 0; step < steps; step++) {
      if (step == steps / 3) {
        Await.until("the first third to be stored", WAIT, () -> count("restart") == series * (steps / 3));
        pg.stop();
      }
      if (step == 2 * steps / 3) {
        Await.until("writes to fail while the server is down", WAIT,
            () -> registry.counter("clymene.writer.samples", "writer", "pg", "status", "retried").count() > 0);
        pg.start();
      }
      SeriesBatch.Builder b = new SeriesBatch.Builder();
      for (int s = 0; s < series; s++) {
        b.beginSeries().label("__name__", "c").label("s", Integer.toString(s)).sample(t0 + step * 1000L, step).endSeries();
      }
      assertThat(queue.offer(b.build())).isTrue();
    }
    Await.until("every sample to be stored", WAIT, () -> distinct("restart") == series * steps);
    assertThat(number("SELECT sum(value) FROM (SELECT DISTINCT series_id, time, value FROM restart.samples) d"))
        .isEqualTo(series * (steps - 1) * steps / 2.0);
    assertThat(count("restart")).isEqualTo(series * steps); // retried requests were not written twice
    assertThat(registry.find("clymene.dropped.samples").counters()).allMatch(c -> c.count() == 0);
  }

  @Test
  void aDatabaseDownAtStartIsSetUpAtTheFirstWriteAfterItComesBack() throws Exception {
    pg.stop();
    StorageWriter w;
    try {
      w = writer("late"); // starts anyway: the process must not fail because its database is down
      Throwable err = OnContext.write(context, WAIT, w, one(System.currentTimeMillis(), 1, "__name__", "late"));
      assertThat(err).isInstanceOf(WriteException.class);
      assertThat(((WriteException) err).retryable()).isTrue();
      assertThat(err.getMessage()).contains("postgresql writer pg: connecting to").contains("SQLSTATE 08");
    } finally {
      pg.start();
    }
    assertThat(OnContext.write(context, WAIT, w, one(System.currentTimeMillis(), 2, "__name__", "late"))).isNull();
    assertThat(count("late")).isEqualTo(1);
  }

  @Test
  void aRequestSentAgainAfterItsCommitIsNotWrittenTwice() throws Exception {
    StorageWriter w = writer("again");
    long t = System.currentTimeMillis();
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < 20; s++) {
      b.beginSeries().label("__name__", "r").label("s", Integer.toString(s)).sample(t, s).sample(t + 1000, s).endSeries();
    }
    SeriesBatch batch = b.build();
    assertThat(OnContext.write(context, WAIT, w, batch)).isNull();
    assertThat(OnContext.write(context, WAIT, w, batch)).isNull(); // as the queue retries after a lost answer
    assertThat(count("again")).isEqualTo(40);
    assertThat(query("SELECT count(*) FROM again.writes")).isEqualTo("1");
    // the same samples in a different request are not recognized: at least once
    assertThat(OnContext.write(context, WAIT, w, batch.slice(0, 10))).isNull();
    assertThat(count("again")).isEqualTo(60);
  }

  /**
   * TimescaleDB cannot be installed here: the detection is stubbed and {@code create_hypertable} is a SQL
   * function of the same signature that records its call, so the branch's DDL runs on the real server.
   */
  @Test
  void withTimescaleDbSamplesIsMadeAHypertableInsteadOfPartitioned() throws Exception {
    execute("CREATE TABLE public.hypertable_calls (relation text, time_column name, chunk interval, if_not_exists bool);"
        + "CREATE FUNCTION public.create_hypertable(relation regclass, time_column_name name, "
        + "chunk_time_interval interval, if_not_exists boolean) RETURNS void LANGUAGE sql AS "
        + "'INSERT INTO public.hypertable_calls VALUES ($1::text, $2, $3, $4)'");
    StorageWriter w = writer("postgres", "ts", new PostgresStorageProvider().defaultQueueOptions(), c -> "2.14.2");
    assertThat(OnContext.write(context, WAIT, w, one(System.currentTimeMillis() - 40 * DAY, 7, "__name__", "old")))
        .isNull();
    assertThat(rows("SELECT relation || ' ' || time_column || ' ' || chunk || ' ' || if_not_exists "
        + "FROM public.hypertable_calls")).containsExactly("ts.samples time 1 day true");
    assertThat(query("SELECT relkind FROM pg_class WHERE oid = 'ts.samples'::regclass")).isEqualTo("r");
    assertThat(query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'ts.samples'::regclass")).isEqualTo("0");
    assertThat(count("ts")).isEqualTo(1);
  }

  @Test
  void aUserWithoutInsertRightsIsRejectedWithPostgresReason() throws Exception {
    writer("perm"); // creates the tables as the superuser
    execute("CREATE ROLE viewer LOGIN; GRANT USAGE ON SCHEMA perm TO viewer; GRANT SELECT ON ALL TABLES IN SCHEMA perm TO viewer");
    StorageWriter w = writer("viewer", "perm", new PostgresStorageProvider().defaultQueueOptions());
    SeriesBatch batch = one(System.currentTimeMillis(), 1, "__name__", "x");
    Throwable err = OnContext.write(context, WAIT, w, batch);
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(err.getMessage()).contains("postgresql writer pg").contains("SQLSTATE 42501")
        .contains("permission denied for table");
  }

  @Test
  void aSamplesTableOfAnotherShapeIsRejectedWithPostgresReason() throws Exception {
    execute("CREATE SCHEMA bad; CREATE TABLE bad.samples (series_id bigint, time timestamptz, value integer)");
    StorageWriter w = writer("bad");
    SeriesBatch batch = one(System.currentTimeMillis(), 1, "__name__", "x");
    Throwable err = OnContext.write(context, WAIT, w, batch);
    assertThat(err).isInstanceOf(WriteException.class);
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(err.getMessage()).contains("SQLSTATE 22P03").contains("binary data format");
    assertThat(query("SELECT count(*) FROM bad.series")).isEqualTo("0"); // rolled back with the COPY
  }

  /** A batch of one series with one sample. */
  private static SeriesBatch one(long t, double v, String... labels) {
    SeriesBatch.Builder b = new SeriesBatch.Builder().beginSeries();
    for (int i = 0; i < labels.length; i += 2) {
      b.label(labels[i], labels[i + 1]);
    }
    b.sample(t, v).endSeries();
    return b.build();
  }

  private long count(String schema) {
    return Long.parseLong(query("SELECT count(*) FROM " + schema + ".samples"));
  }

  private long distinct(String schema) {
    return Long.parseLong(query("SELECT count(*) FROM (SELECT DISTINCT series_id, time FROM " + schema + ".samples) d"));
  }

  private static String hex(long bits) {
    StringBuilder sb = new StringBuilder();
    for (byte x : ByteBuffer.allocate(8).putLong(bits).array()) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }

  private static double number(String sql) {
    return Double.parseDouble(query(sql));
  }

  private static String query(String sql) {
    List<String> r = rows(sql);
    return r.isEmpty() ? null : r.get(0);
  }

  private static List<String> rows(String sql) {
    try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new AssertionError(sql + ": " + e.getMessage(), e);
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
