package io.clymene.storage.clickhouse;

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
import io.clymene.testing.ClickHouseServer;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.OnContext;
import io.clymene.testing.Ports;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The clickhouse writer against a real ClickHouse 18.16 ({@link ClickHouseServer}, one per class): rows read
 * back (counts, sums, labels, timestamps, dates, NaN, ±Inf and stale-marker bits), replays folded by the
 * ReplacingMergeTree, a server crash and restart behind a {@link WriterQueue} losing nothing, and the error
 * mapping on real answers: unknown table rejected with the server's text, a users.xml user accepted and a
 * wrong password rejected (not logged), too many parts throttled, an unreachable server retryable. Each test
 * writes to its own database. Writes run on one Vert.x context, as the writer's queue calls them.
 */
@Timeout(60)
class ClickHouseWriterIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final long T0 = 1_700_000_000_000L;
  private static ExternalServer clickhouse;

  private Vertx vertx;
  private Context context;
  private SimpleMeterRegistry registry;
  private final List<StorageWriter> writers = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    long t0 = System.nanoTime();
    clickhouse = ClickHouseServer.start();
    System.out.println("clickhouse " + ClickHouseServer.query(clickhouse, "SELECT version()") + " ready in "
        + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  @AfterAll
  static void stopServer() {
    if (clickhouse != null) {
      clickhouse.close();
    }
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (StorageWriter w : writers) {
      OnContext.await(context, TIMEOUT, w::stop);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void createsTheTableAndEveryValueReadsBack() throws Exception {
    StorageWriter w = writer(new JsonObject().put("database", "rows"));
    SeriesBatch.Builder bb = new SeriesBatch.Builder();
    for (int s = 0; s < 100; s++) {
      bb.beginSeries().label("__name__", "requests_total").label("job", "api").label("instance", "host-" + s);
      for (int i = 0; i < 20; i++) {
        bb.sample(T0 + i * 15_000L, s * 1000 + i);
      }
      bb.endSeries();
    }
    bb.beginSeries().label("__name__", "odd").label("path", "/ä €,=\"");
    bb.sample(T0, Double.NaN).sample(T0 + 1, Double.POSITIVE_INFINITY).sample(T0 + 2, Double.NEGATIVE_INFINITY)
        .sample(T0 + 3, StaleMarkers.STALE_NAN);
    bb.endSeries();

    assertThat(OnContext.write(context, TIMEOUT, w, bb.build())).isNull();

    assertThat(query("SELECT engine FROM system.tables WHERE database = 'rows' AND name = 'samples'"))
        .isEqualTo("ReplacingMergeTree");
    assertThat(query("SELECT count(), sum(value), min(timestamp_ms), max(timestamp_ms), uniqExact(fingerprint)"
        + " FROM rows.samples WHERE metric_name = 'requests_total'"))
        .isEqualTo("2000\t" + (1000L * 20 * 99 * 100 / 2 + 100L * 190) + "\t" + T0 + "\t" + (T0 + 19 * 15_000L)
            + "\t100");
    assertThat(query("SELECT labels.name, labels.value, date, timestamp_ms, value FROM rows.samples"
        + " WHERE metric_name = 'requests_total' AND labels.value[1] = 'host-7' ORDER BY timestamp_ms LIMIT 2"))
        .isEqualTo("['instance','job']\t['host-7','api']\t2023-11-14\t" + T0 + "\t7000\n"
            + "['instance','job']\t['host-7','api']\t2023-11-14\t" + (T0 + 15_000) + "\t7001");
    assertThat(query("SELECT count() FROM rows.samples WHERE metric_name = 'odd' AND labels.name = ['path']"
        + " AND labels.value = ['/ä €,=\"']")).isEqualTo("4");
    ByteBuffer bits = ByteBuffer.wrap(ClickHouseServer.queryBytes(clickhouse,
        "SELECT value FROM rows.samples WHERE metric_name = 'odd' ORDER BY timestamp_ms FORMAT RowBinary"))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(List.of(bits.getLong(), bits.getLong(), bits.getLong(), bits.getLong())).containsExactly(
        Double.doubleToRawLongBits(Double.NaN), Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
        Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), StaleMarkers.STALE_NAN_BITS);
  }

  @Test
  void aReplayedRequestFoldsIntoOneRowPerSample() throws Exception {
    StorageWriter w = writer(new JsonObject().put("database", "replay"));
    SeriesBatch batch = counters(50, 0);

    assertThat(OnContext.write(context, TIMEOUT, w, batch)).isNull();
    assertThat(OnContext.write(context, TIMEOUT, w, batch)).isNull();

    assertThat(query("SELECT count() FROM replay.samples FINAL")).isEqualTo("50");
    query("OPTIMIZE TABLE replay.samples FINAL");
    assertThat(query("SELECT count(), sum(value) FROM replay.samples")).isEqualTo("50\t50");
  }

  @Test
  void aServerCrashAndRestartMidStreamLosesNothing() throws Exception {
    JsonObject cfg = new JsonObject().put("database", "restart");
    StorageWriter w = writer(cfg);
    QueueOptions options = new ClickHouseProvider().defaultQueueOptions()
        .apply(new JsonObject().put("max_samples_per_send", 500).put("batch_send_deadline", "100ms")
            .put("max_backoff", "500ms"));
    WriterQueue queue = new WriterQueue("clickhouse", w, options, context, registry);
    int batches = 30;
    int series = 200;
    try {
      for (int i = 0; i < batches; i++) {
        if (i == 10) {
          Await.until("the first batches to be written", TIMEOUT, () -> queue.length() == 0);
          clickhouse.kill();
        }
        if (i == 20) {
          clickhouse.start();
        }
        assertThat(queue.offer(counters(series, i))).isTrue();
      }
      long n = batches;
      Await.until("every sample in clickhouse", TIMEOUT, () ->
          query("SELECT count(), sum(value) FROM restart.samples FINAL")
              .equals(series * n + "\t" + series * n * (n + 1) / 2));
      assertThat(Search.in(registry).name("clymene.dropped.samples").counters())
          .allSatisfy(c -> assertThat(c.count()).isZero());
    } finally {
      queue.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUnknownTableIsRejectedWithTheServersMessage() throws Exception {
    StorageWriter w = writer(new JsonObject().put("database", "system").put("table", "no_such_table")
        .put("create_table", false));

    Throwable err = OnContext.write(context, TIMEOUT, w, counters(3, 0));

    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("clickhouse insert of 3 samples into "
        + "system.no_such_table at " + clickhouse.url() + " failed with HTTP 404: Code: 60")
        .hasMessageContaining("Table system.no_such_table doesn't exist");
    assertThat(((WriteException) err).retryable()).isFalse();
  }

  @Test
  void aUserFromUsersXmlWritesAndAWrongPasswordIsRejected() throws Exception {
    StorageWriter ok = writer(new JsonObject().put("database", "auth").put("basic_auth",
        new JsonObject().put("username", ClickHouseServer.USER).put("password", ClickHouseServer.PASSWORD)));
    assertThat(OnContext.write(context, TIMEOUT, ok, counters(4, 0))).isNull();
    assertThat(query("SELECT count() FROM auth.samples")).isEqualTo("4");

    StorageWriter wrong = writer(new JsonObject().put("database", "auth").put("basic_auth",
        new JsonObject().put("username", ClickHouseServer.USER).put("password", "not-the-password")));
    Throwable err = OnContext.write(context, TIMEOUT, wrong, counters(4, 1));

    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("HTTP 401: Code: 193")
        .hasMessageContaining("Wrong password for user clymene").hasMessageNotContaining("not-the-password");
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(query("SELECT count() FROM auth.samples")).isEqualTo("4");
  }

  @Test
  void tooManyPartsIsThrottledAndAnUnreachableServerRetryable() throws Exception {
    query("CREATE DATABASE parts");
    query(new ClickHouseTable("parts", "samples").createTable() + " SETTINGS parts_to_delay_insert = 1, parts_to_throw_insert = 1");
    query("SYSTEM STOP MERGES parts.samples");
    StorageWriter w = writer(new JsonObject().put("database", "parts").put("create_table", false));
    assertThat(OnContext.write(context, TIMEOUT, w, counters(2, 0))).isNull();

    Throwable err = OnContext.write(context, TIMEOUT, w, counters(2, 1));

    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("HTTP 500: Code: 252")
        .hasMessageContaining("Too many parts");
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(((WriteException) err).retryAfter()).isEqualTo(ClickHouseErrors.TOO_MANY_PARTS_WAIT);

    StorageWriter down = writer(new JsonObject().put("url", "http://127.0.0.1:" + Ports.free()));
    Throwable refused = OnContext.write(context, TIMEOUT, down, counters(2, 0));
    assertThat(refused).isInstanceOf(WriteException.class).hasMessageContaining("clickhouse creating clymene.samples");
    assertThat(((WriteException) refused).retryable()).isTrue();
  }

  /** {@code series} counters of one sample each: batch {@code i} holds value i + 1 at T0 + i s. */
  private static SeriesBatch counters(int series, int i) {
    SeriesBatch.Builder bb = new SeriesBatch.Builder();
    for (int s = 0; s < series; s++) {
      bb.beginSeries().label("__name__", "counter_total").label("series", Integer.toString(s))
          .sample(T0 + i * 1000L, i + 1);
      bb.endSeries();
    }
    return bb.build();
  }

  private StorageWriter writer(JsonObject cfg) throws Exception {
    JsonObject json = new JsonObject().put("type", "clickhouse").put("url", clickhouse.url()).mergeIn(cfg);
    ClickHouseProvider provider = new ClickHouseProvider();
    StorageEntry entry = StorageEntry.from(json, "storage[0]", "clickhouse", provider.defaultQueueOptions());
    provider.check(entry);
    StorageWriter w = provider.create(new WriterContext(vertx, registry, "test", null), entry);
    OnContext.await(context, TIMEOUT, w::start);
    writers.add(w);
    return w;
  }

  private static String query(String sql) {
    return ClickHouseServer.query(clickhouse, sql);
  }
}
