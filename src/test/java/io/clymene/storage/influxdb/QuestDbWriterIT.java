package io.clymene.storage.influxdb;

import static io.clymene.storage.influxdb.Harness.series;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.testing.Await;
import io.clymene.testing.Http;
import io.clymene.testing.QuestDbApi;
import io.clymene.testing.QuestDbServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The questdb writer against a real QuestDB 9.2.0 started from its jar in a JVM of its own: table per metric
 * name ({@code :} → {@code _}), symbols, values (NaN kept) and timestamps read back with SQL; data QuestDB refuses
 * rejected with its message; an outage (the server stopped and started mid-stream) after which every sample is
 * stored. (QuestDB appends lines as they arrive, so a big request does not reach its 413 and the split is
 * covered by {@link InfluxDbWriterIT}.)
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuestDbWriterIT {
  private QuestDbServer questdb;
  private QuestDbApi sql;
  private Harness h;

  @BeforeAll
  void startQuestDb() throws Exception {
    questdb = QuestDbServer.start();
    sql = questdb.api();
  }

  @AfterAll
  void stopQuestDb() {
    if (questdb != null) {
      questdb.close();
    }
  }

  @BeforeEach
  void setUp() {
    h = new Harness();
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  private StorageWriter writer() throws Exception {
    return h.writer(new QuestDbProvider(), new JsonObject().put("type", "questdb").put("url", questdb.url()));
  }

  private long count(String table) {
    Long n = sql.count("select count() from '" + table + "'");
    return n == null ? -1 : n;
  }

  @Test
  void tablesSymbolsValuesAndTimestampsArriveNaNIncluded() throws Exception {
    StorageWriter w = writer();
    long t = 1_700_000_000_000L;
    SeriesBatch.Builder sb = new SeriesBatch.Builder();
    series(sb, new String[] {"__name__", "job:rate:5m", "job", "a b", "value", "v", "timestamp", "ts"},
        t, 1.5, t + 1000, Double.NaN);
    series(sb, new String[] {"__name__", "job:rate:5m", "job", "c,d"}, t, -2.25);

    assertThat(h.write(w, List.of(sb.build()))).isNull();

    List<Map<String, Object>> rows = Await.until("3 rows in job_rate_5m", Duration.ofSeconds(20), () -> {
      List<Map<String, Object>> r = sql.rows("select job, label_value, label_timestamp, value, timestamp "
          + "from 'job_rate_5m' order by timestamp, job");
      return r != null && r.size() == 3 ? r : null;
    });
    List<List<Object>> got = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      got.add(java.util.Arrays.asList(r.get("job"), r.get("label_value"), r.get("label_timestamp"), r.get("value"),
          Instant.parse((String) r.get("timestamp")).toEpochMilli()));
    }
    assertThat(got).containsExactly(
        java.util.Arrays.asList("a b", "v", "ts", 1.5, t),
        java.util.Arrays.asList("c,d", null, null, -2.25, t),
        java.util.Arrays.asList("a b", "v", "ts", null, t + 1000)); // QuestDB shows NaN as null
  }

  @Test
  void dataQuestDbRefusesIsRejectedWithItsMessage() throws Exception {
    StorageWriter w = writer();
    // column "value" of table "refusing" becomes a string: the writer's doubles cannot go there
    assertThat(Http.post(questdb.url() + "/write?precision=ms", "refusing,job=x value=\"text\" 1700000000000")
        .statusCode()).isEqualTo(204);
    SeriesBatch.Builder sb = new SeriesBatch.Builder();
    series(sb, new String[] {"__name__", "refusing", "job", "y"}, 1_700_000_001_000L, 2.5);

    Throwable err = h.write(w, List.of(sb.build()));

    assertThat(err).isInstanceOf(WriteException.class)
        .hasMessageStartingWith("QuestDB at " + questdb.url() + " rejected 1 samples (HTTP 400: ");
    assertThat(((WriteException) err).retryable()).isFalse();
  }

  @Test
  void everySampleArrivesAcrossAnOutage() throws Exception {
    JsonObject entry = new JsonObject().put("type", "questdb").put("name", "drill").put("url", questdb.url());
    h.outage(new QuestDbProvider(), entry, questdb.process(), "outage_total", 20, 250, () -> count("outage_total"));
    assertThat(sql.rows("select sum(value) s from 'outage_total'").get(0).get("s")).isEqualTo(250 * 210.0);
  }
}
