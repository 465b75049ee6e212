package io.clymene.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProviders;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.OnContext;
import io.clymene.testing.Ports;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The elasticsearch storage against Elasticsearch 8's wire format. <b>Why no real server:</b>
 * Elasticsearch is not available on this machine or CI (no Debian package, no jar that runs a node outside
 * its distribution; see ENVIRONMENT.md), so this test pins the bytes instead: the index template PUT and
 * the bulk body of a fixed batch are compared with golden files under
 * {@code src/test/resources/fixtures/elasticsearch8/}, and a capture server (a Vert.x HTTP server on port
 * 0) answers as Elasticsearch 8 does ({@code GET /} without a {@code distribution}, a filtered bulk answer
 * with items 201, 409, 429 and 400, whole-request 429/503/500/401/413). It checks that only the 429 item's
 * series is sent again, the 400 is counted as rejected and the 409 as a duplicate, and that every request
 * carries {@code Authorization: ApiKey}. The same writer is tested for real against OpenSearch in
 * {@link OpenSearchWriterIT}.
 */
@Timeout(30)
class Elasticsearch8GoldenTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";
  /** 2026-11-25T23:59:45Z: the batch's last series falls on the next UTC day. */
  private static final long T = Instant.parse("2026-11-25T23:59:45Z").toEpochMilli();

  private Vertx vertx;
  private Context context;
  private HttpServer server;
  private SimpleMeterRegistry registry;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Consumer<HttpServerResponse>> bulkAnswers = new ArrayDeque<>();

  /** One request as the capture server saw it. */
  record Received(String method, String uri, MultiMap headers, String body) {
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    registry = new SimpleMeterRegistry();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(new Received(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap()
          .addAll(req.headers()), b.toString(StandardCharsets.UTF_8)));
      HttpServerResponse resp = req.response().putHeader("Content-Type", "application/json");
      if (req.path().equals("/")) {
        resp.end(fixture("root.json"));
      } else if (req.path().startsWith("/_index_template/")) {
        resp.end("{\"acknowledged\":true}");
      } else {
        Consumer<HttpServerResponse> a;
        synchronized (bulkAnswers) {
          a = bulkAnswers.poll();
        }
        if (a != null) {
          a.accept(resp);
        } else { // every item created
          JsonArray items = new JsonArray();
          b.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{\"create\""))
              .forEach(l -> items.add(new JsonObject().put("create", new JsonObject().put("status", 201))));
          resp.end(new JsonObject().put("errors", false).put("items", items).encode());
        }
      }
    })).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void templatePutIsGolden() throws Exception {
    for (String mode : List.of("daily", "data_stream")) {
      received.clear();
      BulkWriter w = writer(new JsonObject().put("index_mode", mode).put("replicas", 1));
      assertThat(OnContext.write(context, WAIT, w, SeriesBatch.EMPTY)).isNull();
      Await.until("the template PUT", WAIT, () -> received.size() >= 2);
      assertThat(received.get(0).method() + " " + received.get(0).uri()).isEqualTo("GET /");
      Received put = received.get(1);
      assertThat(put.method() + " " + put.uri()).isEqualTo("PUT /_index_template/clymene-metrics");
      assertThat(put.headers().get("Content-Type")).isEqualTo("application/json");
      assertThat(put.body()).isEqualTo(fixture("template-" + mode + ".json"));
      assertThat(w.version()).isEqualTo("elasticsearch 8.15.3");
      OnContext.await(context, WAIT, w::stop);
    }
  }

  @Test
  void onlyThe429ItemIsSentAgainAndThe400IsCounted() throws Exception {
    bulkAnswers.add(r -> r.end(fixture("bulk-answer-201-409-429-400.json")));
    // one shard: the whole batch goes out as one request, as the canned answer expects
    StorageEntry entry = entry(new JsonObject().put("queue", new JsonObject().put("batch_send_deadline", "10ms")
        .put("min_backoff", "10ms").put("max_shards", 1)));
    BulkWriter w = create(entry);
    WriterQueue queue = new WriterQueue(entry.name(), w, entry.queue(), context, registry);
    assertThat(queue.offer(fixedBatch())).isTrue();
    Await.until("the resend", WAIT, () -> bulks().size() == 2 && sent() == 4);

    List<Received> bulks = bulks();
    assertThat(bulks.get(0).uri()).isEqualTo("/_bulk?filter_path=errors,items.*.status,items.*.error.type,"
        + "items.*.error.reason");
    assertThat(bulks.get(0).headers().get("Content-Type")).isEqualTo("application/x-ndjson");
    assertThat(bulks.get(0).body()).isEqualTo(fixture("bulk-daily.ndjson"));
    // the 429 item only: series C, both lines, nothing else
    List<String> lines = bulks.get(0).body().lines().toList();
    assertThat(bulks.get(1).body()).isEqualTo(lines.get(4) + "\n" + lines.get(5) + "\n");
    assertThat(received).allSatisfy(r -> assertThat(r.headers().get("Authorization")).isEqualTo("ApiKey " + API_KEY));
    assertThat(counter("clymene.dropped.samples", "reason", "rejected")).isEqualTo(1);
    assertThat(counter("clymene.dropped.samples", "reason", "unsupported_value")).isEqualTo(1);
    assertThat(counter("clymene.writer.duplicates", null, null)).isEqualTo(1);
    OnContext.await(context, WAIT, () -> queue.flushAndStop(Duration.ofSeconds(1)));
  }

  @Test
  void wholeRequestAnswersAreThrottledRetriedOrRejected() throws Exception {
    BulkWriter w = writer(new JsonObject());
    bulkAnswers.add(r -> r.setStatusCode(429).putHeader("Retry-After", "7").end(fixture("bulk-429.json")));
    bulkAnswers.add(r -> r.setStatusCode(503).end("{\"error\":\"unavailable\",\"status\":503}"));
    bulkAnswers.add(r -> r.setStatusCode(500).end("{\"error\":\"boom\",\"status\":500}"));
    bulkAnswers.add(r -> r.setStatusCode(401).end(fixture("bulk-401.json")));
    bulkAnswers.add(r -> r.setStatusCode(413).end(""));

    WriteException throttled = failure(w);
    assertThat(throttled.retryable()).isTrue();
    assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(throttled.getMessage()).contains("429", "circuit_breaking_exception");
    assertThat(failure(w).retryable()).isTrue();
    WriteException error = failure(w);
    assertThat(error.retryable()).isTrue();
    assertThat(error.retryAfter()).isNull();
    WriteException auth = failure(w);
    assertThat(auth.retryable()).isFalse();
    assertThat(auth.getMessage()).contains("elasticsearch at http://127.0.0.1:", "401", "security_exception");
    assertThat(failure(w).getMessage()).contains("413", "max_samples_per_send");
    assertThat(OnContext.write(context, WAIT, w, fixedBatch())).isNull();
  }

  @Test
  void aUrlThatFailedIsSkipped() throws Exception {
    String dead = "http://127.0.0.1:" + Ports.free();
    BulkWriter w = writer(new JsonObject().put("urls", new JsonArray().add(dead).add(url())));
    // the version check at start went to the dead URL first; from then on it is skipped while down, so
    // no write fails although plain round robin would send every other one there
    for (int i = 0; i < 4; i++) {
      assertThat(OnContext.write(context, WAIT, w, fixedBatch())).isNull();
    }
    assertThat(bulks()).hasSize(4);
    assertThat(w.version()).isEqualTo("elasticsearch 8.15.3");
  }

  /** Four series: A (a sample and a NaN), B (a label named value), C (a newline), D (the next UTC day). */
  static SeriesBatch fixedBatch() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "http_requests_total").label("job", "api").label("instance", "10.0.0.1:9090")
        .label("path", "/a\"b\\c").sample(T, 1).sample(T + 5_000, Double.NaN).endSeries();
    b.beginSeries().label("__name__", "up").label("job", "api").label("value", "clash").sample(T, 1).endSeries();
    b.beginSeries().label("__name__", "temperature_celsius").label("room", "kitchen\nnorth").sample(T, 21.5)
        .endSeries();
    b.beginSeries().label("__name__", "big").label("job", "x").sample(T + 15_000, 1.0E300).endSeries();
    return b.build();
  }

  private WriteException failure(BulkWriter w) {
    return (WriteException) OnContext.write(context, WAIT, w, fixedBatch());
  }

  private List<Received> bulks() {
    synchronized (received) {
      return received.stream().filter(r -> r.uri().startsWith("/_bulk")).toList();
    }
  }

  private long sent() {
    var c = registry.find("clymene.writer.samples").tag("status", "sent").counter();
    return c == null ? 0 : (long) c.count();
  }

  private long counter(String name, String tag, String value) {
    var search = registry.find(name);
    var c = (tag == null ? search : search.tag(tag, value)).counter();
    return c == null ? 0 : (long) c.count();
  }

  private String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private StorageEntry entry(JsonObject config) {
    JsonObject e = new JsonObject().put("type", "elasticsearch").put("urls", new JsonArray().add(url()))
        .put("api_key", API_KEY).mergeIn(config);
    return StorageProviders.load().entries(List.of(e), i -> "storage[" + i + "]").get(0);
  }

  private BulkWriter create(StorageEntry entry) throws Exception {
    BulkWriter w = (BulkWriter) StorageProviders.load().get(entry.type())
        .create(new WriterContext(vertx, registry, "test", "/nonexistent"), entry);
    OnContext.await(context, WAIT, w::start);
    return w;
  }

  private BulkWriter writer(JsonObject config) throws Exception {
    return create(entry(config));
  }

  static String fixture(String name) {
    try (InputStream in = Elasticsearch8GoldenTest.class.getResourceAsStream("/fixtures/elasticsearch8/" + name)) {
      if (in == null) {
        throw new AssertionError("missing fixture fixtures/elasticsearch8/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
