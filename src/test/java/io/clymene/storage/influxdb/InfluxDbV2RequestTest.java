package io.clymene.storage.influxdb;

import static io.clymene.storage.influxdb.Harness.series;
import static io.clymene.testing.CaptureServer.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.testing.CaptureServer;
import io.clymene.testing.CaptureServer.Request;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The influxdb writer's version 2 requests and the mapping of InfluxDB 2's answers. InfluxDB 2 cannot run on this
 * machine (no package, no Docker; the Debian influxdb 1.6.7 answers 404 to {@code /api/v2/write}), so this is a
 * golden test against a capture server: the request line, the Token header and the body bytes
 * ({@code fixtures/influxdb/v2-request.txt}), then InfluxDB 2's documented answers replayed (204; 422 partial write;
 * 400; 401; 404; 413, which splits the request; 429 and 503 with Retry-After; 500). Real writes through the same
 * writer are covered by {@link InfluxDbWriterIT} (InfluxDB 1.6.7) and {@link VictoriaMetricsInfluxIT} (whose
 * {@code /api/v2/write} takes this request).
 */
@Timeout(30)
class InfluxDbV2RequestTest {
  private Harness h;
  private CaptureServer server;
  private StorageWriter writer;

  @BeforeEach
  void setUp() throws Exception {
    h = new Harness();
    server = CaptureServer.start(h.vertx);
    writer = h.writer(new InfluxDbProvider(), new JsonObject().put("type", "influxdb").put("url", server.url())
        .put("version", 2).put("org", "my org").put("bucket", "metrics/raw").put("token", "s3cr3t=="));
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    h.close();
  }

  /** The fixture's batch: escaping, a renamed {@code value} label, a NaN and a stale marker left out. */
  private static SeriesBatch batch() {
    long t = 1_700_000_000_000L;
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    series(b, new String[] {"__name__", "http_requests_total", "code", "200", "path", "/a b,c=d"},
        t, 1.5, t + 1000, Double.NaN, t + 2000, -2.5e-7);
    series(b, new String[] {"__name__", "up", "instance", "h:9100", "job", "node", "value", "x"},
        t, 1.0, t + 1000, StaleMarkers.STALE_NAN);
    return b.build();
  }

  private WriteException fails(SeriesBatch b) {
    Throwable err = h.write(writer, List.of(b));
    assertThat(err).isInstanceOf(WriteException.class);
    return (WriteException) err;
  }

  @Test
  void theRequestIsInfluxDb2sWriteWithTokenAndGoldenBody() throws Exception {
    assertThat(h.write(writer, List.of(batch()))).isNull();

    Request r = server.requests().get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.uri()).isEqualTo("/api/v2/write?org=my+org&bucket=metrics%2Fraw&precision=ms");
    assertThat(r.headers().get("Authorization")).isEqualTo("Token s3cr3t==");
    assertThat(r.headers().get("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(r.headers().get("User-Agent")).isEqualTo("Clymene/test");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(
        Files.readString(Path.of("src/test/resources/fixtures/influxdb/v2-request.txt")));
    assertThat(h.dropped("influxdb", "unsupported_value")).isEqualTo(2.0);
  }

  @Test
  void a422PartialWriteCountsTheDroppedPointsAndRetriesNothing() {
    server.answer(reply(422, "{\"code\":\"unprocessable entity\",\"message\":\"failure writing points to database: "
        + "partial write: points beyond retention policy dropped=2\"}", "Content-Type", "application/json"));
    WriteException e = fails(batch());
    assertThat(e.partial()).isTrue();
    assertThat(e.rejectedSamples()).isEqualTo(2);
    assertThat(e.retryBatches()).isEmpty();
    assertThat(e).hasMessage("InfluxDB 2.x at " + server.url() + " wrote 1 of 3 samples and refused 2 (HTTP 422: "
        + "failure writing points to database: partial write: points beyond retention policy dropped=2)");
  }

  @Test
  void badDataBadTokenAndAMissingBucketAreRejectedWithTheServersMessage() {
    server.answer(reply(400, "{\"code\":\"invalid\",\"message\":\"unable to parse 'x': missing fields\"}"),
        reply(401, "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}"),
        reply(404, "{\"code\":\"not found\",\"message\":\"bucket \\\"metrics/raw\\\" not found\"}"));
    String at = "InfluxDB 2.x at " + server.url() + " rejected 3 samples (HTTP ";
    WriteException bad = fails(batch());
    assertThat(bad.retryable()).isFalse();
    assertThat(bad).hasMessage(at + "400: unable to parse 'x': missing fields)");
    assertThat(fails(batch())).hasMessage(at + "401: unauthorized access (check token: it needs write permission "
        + "on the bucket))");
    assertThat(fails(batch())).hasMessage(at + "404: bucket \"metrics/raw\" not found (check org and bucket))");
  }

  @Test
  void throttlingAndServerErrorsAreRetried() {
    server.answer(reply(429, "{\"code\":\"too many requests\",\"message\":\"slow down\"}", "Retry-After", "7"),
        reply(503, "{\"code\":\"unavailable\",\"message\":\"recovering\"}", "Retry-After", "3"),
        reply(500, "{\"code\":\"internal error\",\"message\":\"timeout\"}"));
    WriteException throttled = fails(batch());
    assertThat(throttled.retryable()).isTrue();
    assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(fails(batch()).retryAfter()).isEqualTo(Duration.ofSeconds(3));
    WriteException error = fails(batch());
    assertThat(error.retryable()).isTrue();
    assertThat(error.partial()).isFalse();
    assertThat(error).hasMessage("InfluxDB 2.x at " + server.url() + " answered 500: timeout");
  }

  @Test
  void a413IsSentAgainInHalvesAndAFailedHalfIsRetriedAlone() {
    SeriesBatch b = Harness.batch("m", 0, 4, 1_700_000_000_000L);
    server.answer(reply(413, "{\"code\":\"request too large\",\"message\":\"unable to read data: too large\"}"),
        reply(204, ""), reply(500, "{\"code\":\"internal error\",\"message\":\"timeout\"}"));

    WriteException e = fails(b);

    List<Request> sent = server.requests();
    assertThat(sent).hasSize(3);
    String whole = new String(sent.get(0).body(), StandardCharsets.UTF_8);
    String first = new String(sent.get(1).body(), StandardCharsets.UTF_8);
    String second = new String(sent.get(2).body(), StandardCharsets.UTF_8);
    assertThat(first + second).isEqualTo(whole);
    assertThat(first.lines()).hasSize(2);
    assertThat(e.partial()).isTrue();
    assertThat(e.rejectedSamples()).isZero();
    assertThat(e.retryBatches()).hasSize(1);
    assertThat(e.retryBatches().get(0).labels(0).get("series")).isEqualTo("2");
    assertThat(e.retryBatches().get(0).sampleCount()).isEqualTo(2);
  }
}
