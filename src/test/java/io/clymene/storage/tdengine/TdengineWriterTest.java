package io.clymene.storage.tdengine;

import static io.clymene.testing.CaptureServer.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.testing.CaptureServer;
import io.clymene.testing.CaptureServer.Request;
import io.clymene.testing.OnContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tdengine writer's request to taosAdapter and the mapping of its answers. TDengine cannot run on this machine
 * (no Debian package, no Docker), so this is a golden test against a capture server: the request line, the Basic
 * credentials and the body bytes ({@code fixtures/tdengine/request.txt}), then taosAdapter's answers as its
 * {@code plugin/influxdb} writes them replayed: 204; 400 (no db); 401 (forbidden); 500 with a bad-data code
 * (0x3002), a missing-database code (0x388) and an authentication code (0x357), all rejected; 500 with any other
 * code or none, retried; 503 with Retry-After, throttled.
 */
@Timeout(30)
class TdengineWriterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private Vertx vertx;
  private Context context;
  private CaptureServer server;
  private StorageWriter writer;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    server = CaptureServer.start(vertx);
    writer = writer(new JsonObject().put("type", "tdengine").put("url", server.url()).put("database", "metrics"));
  }

  private StorageWriter writer(JsonObject json) throws Exception {
    TdengineProvider p = new TdengineProvider();
    StorageEntry e = StorageEntry.from(json, "storage[0]", "tdengine", p.defaultQueueOptions());
    p.check(e);
    StorageWriter w = p.create(new WriterContext(vertx, new SimpleMeterRegistry(), "test", null), e);
    OnContext.await(context, TIMEOUT, w::start);
    return w;
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static SeriesBatch batch() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "node_cpu_seconds_total").label("cpu", "0").label("mode", "idle")
        .label("ts", "t").sample(1_700_000_000_000L, 12345.5).sample(1_700_000_015_000L, 12346.0)
        .sample(1_700_000_030_000L, Double.NaN);
    b.endSeries();
    return b.build();
  }

  private WriteException fails() {
    Throwable err = OnContext.write(context, TIMEOUT, writer, batch());
    assertThat(err).isInstanceOf(WriteException.class);
    return (WriteException) err;
  }

  @Test
  void theRequestIsTaosAdaptersInfluxWriteWithBasicCredentialsAndGoldenBody() throws Exception {
    assertThat(OnContext.write(context, TIMEOUT, writer, batch())).isNull();

    Request r = server.requests().get(0);
    assertThat(r.method() + " " + r.uri()).isEqualTo("POST /influxdb/v1/write?db=metrics&precision=ms");
    assertThat(r.headers().get("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
        .encodeToString("root:taosdata".getBytes(StandardCharsets.UTF_8)));
    assertThat(r.headers().get("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo(Files.readString(Path.of("src/test/resources/fixtures/tdengine/request.txt")));

    server.clear();
    StorageWriter own = writer(new JsonObject().put("type", "tdengine").put("url", server.url() + "/")
        .put("database", "db 1").put("user", "writer").put("password", "p:w"));
    assertThat(OnContext.write(context, TIMEOUT, own, batch())).isNull();
    r = server.requests().get(0);
    assertThat(r.uri()).isEqualTo("/influxdb/v1/write?db=db+1&precision=ms");
    assertThat(r.headers().get("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
        .encodeToString("writer:p:w".getBytes(StandardCharsets.UTF_8)));
    OnContext.await(context, TIMEOUT, own::stop);
  }

  @Test
  void badRequestsBadCredentialsBadDataAndAMissingDatabaseAreRejected() {
    server.answer(
        reply(400, "{\"code\":\"not found\",\"message\":\"db required\",\"op\":\"get db query\","
            + "\"err\":\"db required\",\"line\":0}"),
        reply(401, "{\"code\":\"forbidden\",\"message\":\"invalid basic authorization\"}"),
        reply(500, "{\"code\":\"internal error\",\"message\":\"[0x3002] Invalid data format\"}"),
        reply(500, "{\"code\":\"internal error\",\"message\":\"[0x388] Database not exist\"}"),
        reply(500, "{\"code\":\"internal error\",\"message\":\"[0x357] Authentication failure\"}"));
    String at = "TDengine (taosAdapter) at " + server.url() + " rejected 2 samples (HTTP ";
    WriteException noDb = fails();
    assertThat(noDb.retryable()).isFalse();
    assertThat(noDb).hasMessage(at + "400: db required)");
    assertThat(fails()).hasMessage(at + "401: invalid basic authorization) (check user and password)");
    WriteException badData = fails();
    assertThat(badData.retryable()).isFalse();
    // one NaN was left out (counted as unsupported_value): only the 2 sent samples are rejected
    assertThat(badData.partial()).isTrue();
    assertThat(badData.rejectedSamples()).isEqualTo(2);
    assertThat(badData).hasMessage(at + "500: [0x3002] Invalid data format)");
    assertThat(fails()).hasMessage(at + "500: [0x388] Database not exist) (create it: CREATE DATABASE metrics "
        + "PRECISION 'ms')");
    assertThat(fails()).hasMessage(at + "500: [0x357] Authentication failure) (check user and password)");
  }

  @Test
  void otherServerErrorsAreRetriedAndA503IsThrottled() {
    server.answer(
        reply(500, "{\"code\":\"internal error\",\"message\":\"[0x20b] Invalid connection\"}"),
        reply(500, "{\"code\":\"internal error\",\"message\":\"connection refused\"}"),
        reply(503, "\"memory exceeds threshold\"", "Retry-After", "120"),
        reply(503, "{\"code\":\"internal error\",\"message\":\"connection pool timeout\"}"));
    WriteException code = fails();
    assertThat(code.retryable()).isTrue();
    assertThat(code.partial()).isFalse();
    assertThat(code).hasMessage("TDengine (taosAdapter) at " + server.url()
        + " answered 500: [0x20b] Invalid connection");
    assertThat(fails().retryable()).isTrue();
    WriteException memory = fails();
    assertThat(memory.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    assertThat(memory).hasMessageEndingWith("answered 503: memory exceeds threshold");
    WriteException pool = fails();
    assertThat(pool.retryable()).isTrue();
    assertThat(pool.retryAfter()).isNull();
  }

  @Test
  void theCodesOfBadDataAreTold() {
    assertThat(TdengineAnswers.code("[0x80003002] Invalid data format")).isEqualTo(0x3002);
    assertThat(TdengineAnswers.rejects(0x3002)).isTrue();
    assertThat(TdengineAnswers.rejects(0x3005)).isFalse(); // schemaless internal error: may pass
    assertThat(TdengineAnswers.rejects(0x2603)).isTrue(); // parser
    assertThat(TdengineAnswers.rejects(0x0013)).isFalse(); // time unsynced
  }

  @Test
  void anEntryNeedsADatabaseAndTakesNoOtherCredentials() {
    TdengineProvider p = new TdengineProvider();
    assertThatThrownBy(() -> p.check(StorageEntry.from(new JsonObject().put("type", "tdengine"), "storage[2]",
        "tdengine", p.defaultQueueOptions()))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage[2].database");
    assertThatThrownBy(() -> p.check(StorageEntry.from(new JsonObject().put("type", "tdengine").put("database", "d")
        .put("basic_auth", new JsonObject().put("username", "u")), "storage[2]", "tdengine",
        p.defaultQueueOptions()))).isInstanceOf(ConfigException.class).hasMessageContaining("storage[2].basic_auth")
        .hasMessageContaining("set user and password");
  }
}
