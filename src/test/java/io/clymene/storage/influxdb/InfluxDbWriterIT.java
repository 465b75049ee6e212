package io.clymene.storage.influxdb;

import static io.clymene.storage.influxdb.Harness.series;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.testing.Http;
import io.clymene.testing.InfluxDbServer;
import io.vertx.core.json.JsonObject;
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
 * The influxdb writer (version 1) against a real InfluxDB 1.6.7 ({@code influxd}) with a 256 KiB body limit:
 * names, tags, values and timestamps read back with InfluxQL; NaN, ±Inf and stale markers left out and counted;
 * the server's own partial write (a field type conflict) counted as rejected without a retry; a request above the
 * body limit (413) resent in halves until all of it is stored; a missing database rejected with the server's
 * reason; and an outage (the server stopped and started mid-stream) after which every sample is stored.
 */
@Timeout(90)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InfluxDbWriterIT {
  private static final long BODY_LIMIT = 256 * 1024;
  private InfluxDbServer influx;
  private Harness h;

  @BeforeAll
  void startInflux() throws Exception {
    influx = InfluxDbServer.start(BODY_LIMIT);
    influx.createDatabase("clymene");
  }

  @AfterAll
  void stopInflux() {
    if (influx != null) {
      influx.close();
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

  private StorageWriter writer(String database) throws Exception {
    JsonObject entry = new JsonObject().put("type", "influxdb").put("url", influx.url());
    if (database != null) {
      entry.put("database", database);
    }
    return h.writer(new InfluxDbProvider(), entry);
  }

  @Test
  void namesTagsValuesAndTimestampsArriveAndNonFiniteValuesAreCounted() throws Exception {
    StorageWriter w = writer(null); // database defaults to clymene
    long t = 1_700_000_000_000L;
    SeriesBatch.Builder sb = new SeriesBatch.Builder();
    series(sb, new String[] {"__name__", "http_requests_total", "code", "200", "path", "/a b,c=d", "value", "clash"},
        t, 1.5, t + 1000, 2.5, t + 2000, Double.NaN);
    series(sb, new String[] {"__name__", "http_requests_total", "code", "500", "path", "/"},
        t, -3e-7, t + 1000, Double.POSITIVE_INFINITY, t + 2000, StaleMarkers.STALE_NAN);
    series(sb, new String[] {"__name__", "process_start_time_seconds", "job", "j"}, t, 1.7e300);
    SeriesBatch b = sb.build();

    assertThat(h.write(w, List.of(b))).isNull();

    List<Map<String, Object>> rows = influx.rows("clymene", "http_requests_total");
    assertThat(rows).containsExactlyInAnyOrder(
        Map.of("time", t, "code", "200", "path", "/a b,c=d", "label_value", "clash", "value", 1.5),
        Map.of("time", t + 1000, "code", "200", "path", "/a b,c=d", "label_value", "clash", "value", 2.5),
        Map.of("time", t, "code", "500", "path", "/", "value", -3e-7));
    assertThat(influx.rows("clymene", "process_start_time_seconds"))
        .containsExactly(Map.of("time", t, "job", "j", "value", 1.7e300));
    assertThat(h.dropped("influxdb", "unsupported_value")).isEqualTo(3.0);
  }

  @Test
  void aPartialWriteCountsTheLinesTheServerDroppedAndRetriesNothing() throws Exception {
    StorageWriter w = writer("clymene");
    long t = 1_700_000_100_000L;
    // the field "value" of measurement "conflict" becomes an integer: the writer's floats conflict with it
    assertThat(Http.post(influx.url() + "/write?db=clymene&precision=ms", "conflict,job=x value=1i " + t)
        .statusCode()).isEqualTo(204);
    SeriesBatch.Builder sb = new SeriesBatch.Builder();
    for (int i = 0; i < 10; i++) {
      series(sb, new String[] {"__name__", "conflict", "job", "y"}, t + i, 0.5 + i);
      series(sb, new String[] {"__name__", "fine", "job", "y", "i", Integer.toString(i)}, t + i, 0.5 + i);
    }

    Throwable err = h.write(w, List.of(sb.build()));

    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("InfluxDB 1.x at " + influx.url())
        .hasMessageContaining("wrote 10 of 20 samples and refused 10").hasMessageContaining("field type conflict");
    WriteException we = (WriteException) err;
    assertThat(we.partial()).isTrue();
    assertThat(we.rejectedSamples()).isEqualTo(10);
    assertThat(we.retryBatches()).isEmpty();
    assertThat(influx.count("clymene", "fine")).isEqualTo(10);
    assertThat(influx.count("clymene", "conflict")).isEqualTo(1);
  }

  @Test
  void aRequestAboveTheBodyLimitIsSentInHalvesAndStoredWhole() throws Exception {
    StorageWriter w = writer("clymene");
    SeriesBatch big = Harness.batch("big_request", 0, 8_000, 1_700_000_200_000L);
    String whole = new String(new io.clymene.storage.lineprotocol.LineProtocolEncoder(
        io.clymene.storage.lineprotocol.LineProtocolDialect.INFLUXDB).encode(List.of(big)),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(whole.length()).isGreaterThan((int) BODY_LIMIT);
    assertThat(Http.post(influx.url() + "/write?db=clymene&precision=ms", whole).statusCode()).isEqualTo(413);

    assertThat(h.write(w, List.of(big))).isNull();

    assertThat(influx.count("clymene", "big_request")).isEqualTo(8_000);
  }

  @Test
  void aMissingDatabaseIsRejectedWithTheServersReason() throws Exception {
    StorageWriter w = writer("nope");
    Throwable err = h.write(w, List.of(Harness.batch("m", 0, 3, 1_700_000_300_000L)));
    assertThat(err).isInstanceOf(WriteException.class)
        .hasMessage("InfluxDB 1.x at " + influx.url() + " rejected 3 samples (HTTP 404: database not found: "
            + "\"nope\" (create it first: CREATE DATABASE \"nope\"))");
    assertThat(((WriteException) err).retryable()).isFalse();
  }

  @Test
  void everySampleArrivesAcrossAnOutage() throws Exception {
    JsonObject entry = new JsonObject().put("type", "influxdb").put("name", "drill").put("url", influx.url());
    h.outage(new InfluxDbProvider(), entry, influx.process(), "outage_total", 20, 250,
        () -> influx.count("clymene", "outage_total"));
    JsonObject sum = influx.query("clymene", "SELECT sum(value) FROM \"outage_total\"");
    assertThat(sum.getJsonArray("series").getJsonObject(0).getJsonArray("values").getJsonArray(0).getDouble(1))
        .isEqualTo(250 * 210.0); // each of 250 series holds 1..20
  }
}
