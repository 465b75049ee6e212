package io.clymene.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageProviders;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.clymene.testing.Await;
import io.clymene.testing.OnContext;
import io.clymene.testing.OpenSearchServer;
import io.clymene.testing.Ports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The opensearch writer against a real OpenSearch 2.19.6 node ({@link OpenSearchServer}: its own JVM,
 * free ports, a temp dir), read back with {@code _refresh}, {@code _count} and {@code _search}: the index
 * template and each index mode, a real partial failure (a label mapped as {@code long} by the test's own
 * template refuses the documents whose value is not a number, and only those), a replay answered 409
 * and counted as written, and a node stopped and started while a queue feeds the writer (every sample
 * arrives). One node for the class; under 10k samples.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class OpenSearchWriterIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** 2026-11-25T23:59:50Z: a batch from here spans two UTC days. */
  private static final long LATE_EVENING = Instant.parse("2026-11-25T23:59:50Z").toEpochMilli();

  private OpenSearchServer node;
  private Vertx vertx;
  private Context context;
  private SimpleMeterRegistry registry;
  private final List<StorageWriter> writers = new ArrayList<>();

  @BeforeAll
  void startNode() throws Exception {
    node = OpenSearchServer.start();
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterAll
  void stopNode() throws Exception {
    if (vertx != null) {
      vertx.close().await();
    }
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void stopWriters() throws Exception {
    for (StorageWriter w : writers) {
      OnContext.await(context, WAIT, w::stop);
    }
    writers.clear();
  }

  @Test
  void dailyIndicesFollowEachSamplesUtcDayAndTheTemplateMapsLabelsAsKeywords() throws Exception {
    BulkWriter w = writer(new JsonObject().put("index", "it-daily"));
    // 500 series, samples at 23:59:50 and 00:00:10 the next day, plus one NaN that cannot be stored
    SeriesBatch batch = series(500, "daily", 2, LATE_EVENING, 20_000, true);
    assertThat(OnContext.write(context, WAIT, w, batch)).isNull();

    assertThat(w.version()).isEqualTo("opensearch 2.19.6");
    JsonObject template = json(node.call("GET", "/_index_template/it-daily", null))
        .getJsonArray("index_templates").getJsonObject(0).getJsonObject("index_template");
    assertThat(template.getJsonArray("index_patterns")).containsExactly("it-daily-*");
    assertThat(template.getJsonObject("template").getJsonObject("settings").getJsonObject("index")
        .getString("number_of_replicas")).isEqualTo("0");
    assertThat(count("it-daily-2026.11.25")).isEqualTo(500);
    assertThat(count("it-daily-2026.11.26")).isEqualTo(499); // series 0's second sample was NaN
    assertThat(dropped("unsupported_value")).isEqualTo(1);

    JsonObject mapping = json(node.call("GET", "/it-daily-2026.11.25/_mapping", null))
        .getJsonObject("it-daily-2026.11.25").getJsonObject("mappings").getJsonObject("properties");
    assertThat(mapping.getJsonObject("value").getString("type")).isEqualTo("double");
    assertThat(mapping.getJsonObject("@timestamp").getString("type")).isEqualTo("date");
    assertThat(mapping.getJsonObject("instance").getString("type")).isEqualTo("keyword");
    assertThat(mapping.getJsonObject("label_value").getString("type")).isEqualTo("keyword");

    JsonArray hits = json(node.call("POST", "/it-daily-*/_search", "{\"query\":{\"term\":{\"instance\":\"host-7\"}},"
        + "\"sort\":[{\"@timestamp\":\"asc\"}]}")).getJsonObject("hits").getJsonArray("hits");
    assertThat(hits).hasSize(2);
    JsonObject first = hits.getJsonObject(0);
    assertThat(first.getString("_index")).isEqualTo("it-daily-2026.11.25");
    assertThat(first.getString("_id")).isEqualTo(String.format("%016x-%d", batch.hash(7), LATE_EVENING));
    assertThat(first.getJsonObject("_source")).isEqualTo(new JsonObject().put("@timestamp", LATE_EVENING)
        .put("value", 7.5).put("__name__", "it_daily").put("instance", "host-7").put("job", "daily")
        .put("label_value", "clash \"quoted\""));
    assertThat(hits.getJsonObject(1).getJsonObject("_source").getLong("@timestamp")).isEqualTo(LATE_EVENING + 20_000);
    assertThat(hits.getJsonObject(1).getString("_index")).isEqualTo("it-daily-2026.11.26");
  }

  @Test
  void aReplayIsAnsweredWith409AndCountedAsWritten() throws Exception {
    BulkWriter w = writer(new JsonObject().put("index", "it-static").put("index_mode", "static"));
    SeriesBatch batch = series(1000, "static", 1, System.currentTimeMillis(), 0, false);
    assertThat(OnContext.write(context, WAIT, w, batch)).isNull();
    assertThat(count("it-static")).isEqualTo(1000);

    assertThat(OnContext.write(context, WAIT, w, batch)).isNull(); // every item 409: already there
    assertThat(count("it-static")).isEqualTo(1000);
    assertThat(registry.get("clymene.writer.duplicates").counter().count()).isEqualTo(1000);
  }

  @Test
  void aDataStreamIsCreatedFromTheTemplate() throws Exception {
    BulkWriter w = writer(new JsonObject().put("index", "it-stream").put("index_mode", "data_stream"));
    assertThat(OnContext.write(context, WAIT, w, series(1000, "stream", 1, System.currentTimeMillis(), 0, false)))
        .isNull();
    JsonObject stream = json(node.call("GET", "/_data_stream/it-stream", null)).getJsonArray("data_streams")
        .getJsonObject(0);
    assertThat(stream.getString("template")).isEqualTo("it-stream");
    assertThat(stream.getJsonArray("indices").getJsonObject(0).getString("index_name")).startsWith(".ds-it-stream-");
    assertThat(count("it-stream")).isEqualTo(1000);
  }

  @Test
  void onlyTheDocumentsTheMappingRefusesAreRejected() throws Exception {
    // the test's own template maps label "code" as long; the writer puts none (template: false)
    node.call("PUT", "/_index_template/it-typed", "{\"index_patterns\":[\"it-typed\"],\"priority\":300,"
        + "\"template\":{\"settings\":{\"number_of_replicas\":0},\"mappings\":{\"properties\":"
        + "{\"code\":{\"type\":\"long\"}}}}}");
    BulkWriter w = writer(new JsonObject().put("index", "it-typed").put("index_mode", "static")
        .put("template", false));
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    long now = System.currentTimeMillis();
    for (int i = 0; i < 100; i++) {
      b.beginSeries().label("__name__", "it_typed").label("code", i % 10 == 3 ? "not-a-number-" + i : "20" + i)
          .sample(now, i).endSeries();
    }
    Throwable err = OnContext.write(context, WAIT, w, b.build());

    assertThat(err).isInstanceOf(WriteException.class);
    WriteException we = (WriteException) err;
    assertThat(we.partial()).isTrue();
    assertThat(we.rejectedSamples()).isEqualTo(10);
    assertThat(we.retryBatches()).isEmpty();
    assertThat(we.getMessage()).contains("10 refused for good", "400 mapper_parsing_exception",
        "failed to parse field [code] of type [long]", "not-a-number-3");
    assertThat(count("it-typed")).isEqualTo(90);
    assertThat(json(node.call("POST", "/it-typed/_count", "{\"query\":{\"term\":{\"code\":2013}}}"))
        .getLong("count")).isEqualTo(0);
    assertThat(json(node.call("POST", "/it-typed/_count", "{\"query\":{\"term\":{\"code\":2014}}}"))
        .getLong("count")).isEqualTo(1);
  }

  @Test
  void everySampleArrivesAcrossANodeRestartAndADeadUrl() throws Exception {
    int dead = Ports.free(); // nothing listens there: the writer skips it after its first failure
    StorageEntry entry = entry(new JsonObject().put("index", "it-restart").put("index_mode", "static")
        .put("urls", new JsonArray().add("http://127.0.0.1:" + dead).add(node.url()))
        .put("queue", new JsonObject().put("max_samples_per_send", 500).put("batch_send_deadline", "100ms")
            .put("max_backoff", "1s")));
    BulkWriter w = create(entry);
    WriterQueue queue = new WriterQueue(entry.name(), w, entry.queue(), context, registry);
    long start = System.currentTimeMillis() - 60_000;
    int batches = 20;
    for (int k = 0; k < batches; k++) {
      if (k == 6) {
        Await.until("the first 1,500 samples", WAIT, () -> count("it-restart") >= 1500);
        node.stop();
      }
      if (k == 12) {
        node.startNode();
      }
      assertThat(queue.offer(series(250, "restart-" + k, 1, start + k * 1000L, 0, false))).isTrue();
    }
    Await.until("5,000 samples in it-restart", Duration.ofSeconds(60), () -> count("it-restart") == 5000);
    OnContext.await(context, WAIT, () -> queue.flushAndStop(Duration.ofSeconds(5)));

    assertThat(json(node.call("POST", "/it-restart/_search", "{\"size\":0,\"aggs\":{\"sum\":{\"sum\":"
        + "{\"field\":\"value\"}}}}")).getJsonObject("aggregations")
        .getJsonObject("sum").getDouble("value")).isEqualTo(20 * sumOfValues(250));
    assertThat(dropped("rejected") + dropped("queue_full") + dropped("shutdown")).isZero();
    assertThat(registry.get("clymene.writer.samples").tag("writer", entry.name()).tag("status", "retried")
        .counter().count()).isPositive();
  }

  /** {@code n} series {@code it_<job>} with {@code samples} samples each, {@code step} ms apart. */
  private static SeriesBatch series(int n, String job, int samples, long from, long step, boolean oneNaN) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < n; i++) {
      b.beginSeries().label("__name__", "it_" + job.replace('-', '_')).label("job", job)
          .label("instance", "host-" + i);
      if (i == 7) {
        b.label("value", "clash \"quoted\"");
      }
      for (int s = 0; s < samples; s++) {
        b.sample(from + s * step, oneNaN && i == 0 && s == 1 ? Double.NaN : i + 0.5);
      }
      b.endSeries();
    }
    return b.build();
  }

  private static double sumOfValues(int n) {
    return n * (n - 1) / 2.0 + n * 0.5;
  }

  private StorageEntry entry(JsonObject config) {
    JsonObject e = new JsonObject().put("type", "opensearch").put("urls", new JsonArray().add(node.url()))
        .put("replicas", 0).mergeIn(config);
    return StorageProviders.load().entries(List.of(e), i -> "storage[" + i + "]").get(0);
  }

  private BulkWriter create(StorageEntry entry) throws Exception {
    registry = new SimpleMeterRegistry();
    StorageProvider provider = StorageProviders.load().get(entry.type());
    BulkWriter w = (BulkWriter) provider.create(new WriterContext(vertx, registry, "it", "/nonexistent"), entry);
    OnContext.await(context, WAIT, w::start);
    writers.add(w);
    return w;
  }

  private BulkWriter writer(JsonObject config) throws Exception {
    return create(entry(config));
  }

  private long dropped(String reason) {
    Counter c = registry.find("clymene.dropped.samples").tag("reason", reason).counter();
    return c == null ? 0 : (long) c.count();
  }

  private long count(String index) {
    node.call("POST", "/" + index + "/_refresh", null);
    return json(node.call("GET", "/" + index + "/_count", null)).getLong("count");
  }

  private static JsonObject json(String text) {
    return new JsonObject(text);
  }
}
