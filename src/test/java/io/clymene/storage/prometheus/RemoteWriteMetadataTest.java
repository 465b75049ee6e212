package io.clymene.storage.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.MetricMetadata;
import io.clymene.model.MetricMetadata.Type;
import io.clymene.model.SeriesBatch;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.Types;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.WriterContext;
import io.clymene.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

/**
 * A 1.0 writer's metadata: kept from the batches it writes (latest wins, bounded), sent in metadata-only
 * requests of at most max_samples_per_send entries every send_interval, retried the next interval after a
 * failure; never inside sample requests. The writer runs on a Vert.x context, as in the agent.
 */
@Timeout(30)
class RemoteWriteMetadataTest {
  private Vertx vertx;
  private Context context;
  private HttpServer server;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Remote.WriteRequest> received = new CopyOnWriteArrayList<>();
  private volatile int status = 204;
  private RemoteWriteWriter writer;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      try {
        received.add(Remote.WriteRequest.parseFrom(Snappy.uncompress(b.getBytes())));
      } catch (Exception e) {
        req.response().setStatusCode(400).end(e.toString());
        return;
      }
      req.response().setStatusCode(status).end(status == 204 ? "" : "receiver down");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (writer != null) {
      onContext(() -> writer.stop());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs a call returning a future on the writer's context and waits for it. */
  private void onContext(java.util.function.Supplier<io.vertx.core.Future<?>> call) throws Exception {
    CompletableFuture<Object> done = new CompletableFuture<>();
    context.runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(null);
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    done.get(10, TimeUnit.SECONDS);
  }

  private void start(JsonObject metadataConfig) throws Exception {
    JsonObject json = new JsonObject().put("type", "prometheus").put("name", "rw")
        .put("url", "http://127.0.0.1:" + server.actualPort() + "/write").put("metadata", metadataConfig);
    writer = new RemoteWriteWriter(new WriterContext(vertx, registry, "test", null),
        StorageEntry.from(json, "storage[0]", "rw", new QueueOptions()));
    onContext(() -> writer.start());
  }

  private static SeriesBatch batch(List<MetricMetadata> metadata) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "a_total").sample(1000, 1).endSeries();
    return b.metadata(metadata).build();
  }

  private List<Remote.WriteRequest> metadataRequests() {
    return received.stream().filter(r -> r.getMetadataCount() > 0).toList();
  }

  @Test
  void sendsMetadataOnlyRequestsInChunksEveryIntervalAndRetriesAfterFailures() throws Exception {
    start(new JsonObject().put("send_interval", "200ms").put("max_samples_per_send", 2));
    onContext(() -> writer.write(List.of(batch(List.of(
        new MetricMetadata("a", Type.COUNTER, "old help", ""),
        new MetricMetadata("b", Type.GAUGE, "B.", "bytes"),
        new MetricMetadata("c", Type.SUMMARY, "", ""))))));
    // latest wins; a view sharing the same list is not taken twice
    SeriesBatch newer = batch(List.of(new MetricMetadata("a", Type.COUNTER, "A.", "")));
    onContext(() -> writer.write(List.of(newer, newer.slice(0, 1))));
    assertThat(received.get(0).getMetadataCount()).as("sample requests carry no metadata").isZero();

    Await.until("a round of metadata requests", Duration.ofSeconds(10),
        () -> metadataRequests().size() >= 2 ? Boolean.TRUE : null);
    List<Remote.WriteRequest> round = metadataRequests().subList(0, 2);
    assertThat(round).allSatisfy(r -> assertThat(r.getTimeseriesCount()).isZero());
    List<Types.MetricMetadata> sent = new ArrayList<>();
    round.forEach(r -> sent.addAll(r.getMetadataList()));
    assertThat(round.get(0).getMetadataCount()).isEqualTo(2);
    assertThat(round.get(1).getMetadataCount()).isEqualTo(1);
    assertThat(sent).extracting(m -> m.getMetricFamilyName() + "|" + m.getType() + "|" + m.getHelp() + "|"
        + m.getUnit()).containsExactlyInAnyOrder("a|COUNTER|A.|", "b|GAUGE|B.|bytes", "c|SUMMARY||");

    status = 503;
    Await.until("a failed metadata send", Duration.ofSeconds(10),
        () -> registry.counter("clymene.writer.metadata.failed", "writer", "rw").count() > 0 ? Boolean.TRUE : null);
    status = 204;
    double before = registry.counter("clymene.writer.metadata.sent", "writer", "rw").count();
    Await.until("metadata sent again after the failure", Duration.ofSeconds(10),
        () -> registry.counter("clymene.writer.metadata.sent", "writer", "rw").count() >= before + 3
            ? Boolean.TRUE : null);
  }

  @Test
  void sendFalseSendsNoMetadata() throws Exception {
    start(new JsonObject().put("send", false).put("send_interval", "100ms"));
    onContext(() -> writer.write(List.of(batch(List.of(new MetricMetadata("a", Type.COUNTER, "A.", ""))))));
    Thread.sleep(500);
    assertThat(metadataRequests()).isEmpty();
  }

  @Test
  void keepsAtMostTheBoundOfFamiliesAndCountsTheRest() throws Exception {
    start(new JsonObject().put("send_interval", "1h"));
    List<MetricMetadata> many = new ArrayList<>();
    for (int i = 0; i < RemoteWriteWriter.MAX_METADATA_FAMILIES + 5; i++) {
      many.add(new MetricMetadata("f" + i, Type.GAUGE, "", ""));
    }
    onContext(() -> writer.write(List.of(batch(many))));
    assertThat(registry.counter("clymene.writer.metadata.families.dropped", "writer", "rw").count()).isEqualTo(5);
    // a known family is still updated when the map is full
    onContext(() -> writer.write(List.of(batch(List.of(new MetricMetadata("f1", Type.COUNTER, "", ""),
        new MetricMetadata("new", Type.COUNTER, "", ""))))));
    assertThat(registry.counter("clymene.writer.metadata.families.dropped", "writer", "rw").count()).isEqualTo(6);
  }
}
