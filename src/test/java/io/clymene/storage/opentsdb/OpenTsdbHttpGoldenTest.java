package io.clymene.storage.opentsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.testing.CapturedStderr;
import io.clymene.testing.OnContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP writer against a capture server standing in for a real TSD, which cannot run here (OpenTSDB
 * needs HBase; no package): the exact request (method, path {@code /api/put?details}, headers, golden
 * body), a TSD's 400 {@code details} answer (per-point errors counted as rejected, first error logged,
 * nothing resent), a 5xx on some of the bodies of a split request (only their series resent), 429 with
 * Retry-After, and the {@code url}/{@code address} check. Real writes are covered by {@code OpenTsdbIT}
 * against VictoriaMetrics, which answers 204 without details.
 */
@Timeout(30)
class OpenTsdbHttpGoldenTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures/opentsdb");
  private Vertx vertx;
  private HttpServer server;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  private volatile BiConsumer<HttpServerRequest, String> answer = (req, body) -> req.response().setStatusCode(204).end();
  private StorageWriter writer;
  private Context context;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      requests.add(req.method() + " " + req.uri() + " " + req.getHeader("Content-Type") + " " + req.getHeader("Authorization"));
      bodies.add(b.toString(StandardCharsets.UTF_8));
      answer.accept(req, b.toString(StandardCharsets.UTF_8));
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (writer != null) {
      OnContext.await(context, Duration.ofSeconds(10), writer::stop);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendsTheGoldenBodyToApiPutWithDetails() throws Exception {
    writer(new JsonObject().put("basic_auth", new JsonObject().put("username", "u").put("password", "p")));

    assertThat(OnContext.write(context, Duration.ofSeconds(10), writer, batch())).isNull();

    assertThat(requests).containsExactly("POST /tsdb/api/put?details application/json Basic dTpw");
    assertThat(bodies).containsExactly(Files.readString(FIXTURES.resolve("put-body.json")));
  }

  @Test
  void perPointErrorsOfADetailsAnswerAreRejectedNotRetriedAndTheFirstIsLogged() throws Exception {
    String details = Files.readString(FIXTURES.resolve("details-400.json"));
    answer = (req, body) -> req.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(details);
    writer(new JsonObject());

    Throwable err;
    String log;
    try (CapturedStderr stderr = CapturedStderr.start()) {
      err = OnContext.write(context, Duration.ofSeconds(10), writer, batch());
      log = stderr.text();
    }

    assertThat(err).isInstanceOf(WriteException.class);
    WriteException w = (WriteException) err;
    assertThat(w.partial()).isTrue();
    assertThat(w.rejectedSamples()).isEqualTo(1);
    assertThat(w.retryBatches()).isEmpty();
    assertThat(requests).hasSize(1);
    assertThat(log).contains("writer otsdb: 1 samples rejected").contains("No such name for 'metrics': 'sys.cpu.user'");
  }

  @Test
  void aServerErrorOnSomeBodiesResendsOnlyTheirSeries() throws Exception {
    // bodies of at most 256 bytes: two points each; the TSD fails the body of sys.cpu.user
    answer = (req, body) -> req.response().setStatusCode(body.contains("sys.cpu.user") ? 500 : 204)
        .end(body.contains("sys.cpu.user") ? "HBase region server busy" : "");
    writer(new JsonObject().put("max_request_bytes", 256));

    Throwable err = OnContext.write(context, Duration.ofSeconds(10), writer, batch());

    assertThat(bodies).hasSize(2).allSatisfy(b -> assertThat(new JsonArray(b).size()).isLessThanOrEqualTo(2));
    WriteException w = (WriteException) err;
    assertThat(w.partial()).isTrue();
    assertThat(w.rejectedSamples()).isZero();
    assertThat(w.retryBatches()).singleElement().satisfies(b -> {
      assertThat(b.size()).isEqualTo(1);
      assertThat(b.metricName(0)).isEqualTo("sys.cpu.user");
    });
  }

  @Test
  void throttledEverywhereIsAPlainThrottledFailure() throws Exception {
    answer = (req, body) -> req.response().setStatusCode(429).putHeader("Retry-After", "7").end("slow down");
    writer(new JsonObject());

    WriteException w = (WriteException) OnContext.write(context, Duration.ofSeconds(10), writer, batch());

    assertThat(w.partial()).isFalse();
    assertThat(w.retryable()).isTrue();
    assertThat(w.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(w).hasMessageContaining("HTTP 429: slow down");
  }

  @Test
  void checkWantsExactlyOneOfUrlAndAddress() {
    StorageProvider p = new OpenTsdbProvider();
    assertThatThrownBy(() -> p.check(entry(new JsonObject())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[2].url").hasMessageContaining("neither");
    assertThatThrownBy(() -> p.check(entry(new JsonObject().put("url", "http://h:4242").put("address", "h:4242"))))
        .hasMessageContaining("storage[2].address").hasMessageContaining("both");
    assertThatThrownBy(() -> p.check(entry(new JsonObject().put("address", "h"))))
        .hasMessageContaining("storage[2].address").hasMessageContaining("host:port");
    assertThatThrownBy(() -> p.check(entry(new JsonObject().put("url", "h:4242"))))
        .hasMessageContaining("storage[2].url");
    p.check(entry(new JsonObject().put("address", "127.0.0.1:4242")));
    p.check(entry(new JsonObject().put("url", "http://127.0.0.1:4242")));
  }

  /** Two series of sys.cpu.nice (one label sanitised), one of sys.cpu.user. */
  static SeriesBatch batch() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "sys.cpu.nice").label("host", "web01").label("instance", "web01:9100")
        .sample(1700000000000L, 18).sample(1700000001000L, 9.5);
    b.endSeries();
    b.beginSeries().label("__name__", "sys.cpu.user").label("host", "web02").sample(1700000000000L, 0.001);
    b.endSeries();
    return b.build();
  }

  private static StorageEntry entry(JsonObject json) {
    return StorageEntry.from(json.put("type", "opentsdb"), "storage[2]", "otsdb",
        new OpenTsdbProvider().defaultQueueOptions());
  }

  private void writer(JsonObject json) throws Exception {
    StorageEntry entry = entry(json.put("url", "http://127.0.0.1:" + server.actualPort() + "/tsdb/"));
    new OpenTsdbProvider().check(entry);
    writer = new OpenTsdbProvider().create(new WriterContext(vertx, registry, "test", null), entry);
    OnContext.await(context, Duration.ofSeconds(10), writer::start);
  }
}
