package io.clymene.storage.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.v2.WriteV2;
import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.testing.CapturedStderr;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

/**
 * The remote-write writer against an HTTP receiver served by the test on port 0, which records each
 * request and answers as the test says: request headers of 1.0 and 2.0, the Written response headers
 * (partial writes counted as dropped), the 2.0-specific 415 and missing-header cases, and the log line
 * of a rejection. Writes run on a Vert.x context, as the writer's queue calls them.
 */
@Timeout(30)
class RemoteWriteWriterTest {
  private Vertx vertx;
  private HttpServer server;
  private SimpleMeterRegistry registry;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private volatile Consumer<HttpServerResponse> answer = r -> r.setStatusCode(204).end();
  private final List<RemoteWriteWriter> writers = new ArrayList<>();
  private final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());

  /** One request as the receiver saw it, body uncompressed. */
  record Received(MultiMap headers, byte[] body) {
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    registry = new SimpleMeterRegistry();
    server = vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(b -> {
          if (req.path().equals("/token")) {
            tokenRequests.add(req.getHeader("Authorization") + " " + b);
            req.response().putHeader("Content-Type", "application/json")
                .end("{\"access_token\": \"tok-" + tokenRequests.size() + "\", \"expires_in\": 3600}");
            return;
          }
          try {
            received.add(new Received(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                Snappy.uncompress(b.getBytes())));
          } catch (Exception e) {
            req.response().setStatusCode(500).end("test receiver: " + e);
            return;
          }
          answer.accept(req.response());
        }))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (RemoteWriteWriter w : writers) {
      w.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void v2SendsTheRequiredHeadersAndCountsAPartialWriteAsDropped() throws Exception {
    RemoteWriteWriter writer = writer("v2");
    answer = r -> r.setStatusCode(204).putHeader(WrittenCounts.SAMPLES_HEADER, "1")
        .putHeader(WrittenCounts.HISTOGRAMS_HEADER, "0").putHeader(WrittenCounts.EXEMPLARS_HEADER, "0").end();

    assertThat(write(writer, batch())).isNull();

    Received r = received.get(0);
    assertThat(r.headers().get("Content-Type")).isEqualTo("application/x-protobuf;proto=io.prometheus.write.v2.Request");
    assertThat(r.headers().get("Content-Encoding")).isEqualTo("snappy");
    assertThat(r.headers().get("X-Prometheus-Remote-Write-Version")).isEqualTo("2.0.0");
    assertThat(r.headers().get("User-Agent")).isEqualTo("Clymene/test");
    WriteV2.Request req = WriteV2.Request.parseFrom(r.body());
    assertThat(req.getSymbolsList()).containsExactly("", "__name__", "a", "job", "j", "b");
    assertThat(req.getTimeseriesList()).extracting(WriteV2.TimeSeries::getSamplesCount).containsExactly(2, 1);
    assertThat(partialDrops()).isEqualTo(2.0);
  }

  @Test
  void oauth2ClientCredentialsTokenIsFetchedOnceAndSentAsBearer() throws Exception {
    JsonObject json = new JsonObject().put("type", "prometheus")
        .put("url", "http://127.0.0.1:" + server.actualPort() + "/api/v1/write")
        .put("oauth2", new JsonObject().put("client_id", "clymene").put("client_secret", "s3cret")
            .put("scopes", new io.vertx.core.json.JsonArray().add("write")).put("token_url",
                "http://127.0.0.1:" + server.actualPort() + "/token"));
    RemoteWriteWriter w = new RemoteWriteWriter(new WriterContext(vertx, registry, "test", null),
        StorageEntry.from(json, "storage[0]", "rw", new QueueOptions()));
    w.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    writers.add(w);
    assertThat(write(w, batch())).isNull();
    assertThat(write(w, batch())).isNull();
    assertThat(received).hasSize(2);
    assertThat(received).allMatch(r -> "Bearer tok-1".equals(r.headers().get("Authorization")));
    assertThat(tokenRequests).hasSize(1);
    assertThat(tokenRequests.get(0)).startsWith("Basic " + java.util.Base64.getEncoder()
        .encodeToString("clymene:s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .contains("grant_type=client_credentials").contains("scope=write");
  }

  @Test
  void v2FullyWrittenCountsNothingDropped() throws Exception {
    RemoteWriteWriter writer = writer("io.prometheus.write.v2.Request");
    answer = r -> r.setStatusCode(204).putHeader(WrittenCounts.SAMPLES_HEADER, "3").end();
    assertThat(write(writer, batch())).isNull();
    assertThat(received.get(0).headers().get("X-Prometheus-Remote-Write-Version")).isEqualTo("2.0.0");
    assertThat(partialDrops()).isZero();
  }

  @Test
  void v2AnsweredWithoutWrittenHeadersIsTreatedAsUnsupported() throws Exception {
    RemoteWriteWriter writer = writer("v2");
    Throwable err;
    String log;
    try (CapturedStderr stderr = CapturedStderr.start()) {
      err = write(writer, batch());
      log = stderr.text();
    }
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("probably does not support 2.0");
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(log).contains("writer rw: the receiver at http://127.0.0.1:" + server.actualPort()
        + "/api/v1/write answered a remote write 2.0 request without X-Prometheus-Remote-Write-Samples-Written")
        .contains("Set protobuf_message: v1");
  }

  @Test
  void v2Answered415IsNotRetriedAndSuggestsV1() throws Exception {
    RemoteWriteWriter writer = writer("v2");
    answer = r -> r.setStatusCode(415).end("unsupported content type");
    Throwable err;
    String log;
    try (CapturedStderr stderr = CapturedStderr.start()) {
      err = write(writer, batch());
      log = stderr.text();
    }
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("protobuf_message: v1");
    assertThat(((WriteException) err).retryable()).isFalse();
    assertThat(log).contains("writer rw: the receiver at http://127.0.0.1:" + server.actualPort()
        + "/api/v1/write does not accept remote write 2.0 (HTTP 415: unsupported content type); "
        + "set protobuf_message: v1 for this storage");
  }

  @Test
  void aRejectionIsLoggedWithTheReceiversMessageAndTheFirstSeries() throws Exception {
    RemoteWriteWriter writer = writer(null);
    String message = "out of order sample\n" + "y".repeat(300);
    answer = r -> r.setStatusCode(400).end(message);
    Throwable err;
    String log;
    try (CapturedStderr stderr = CapturedStderr.start()) {
      err = write(writer, batch());
      log = stderr.text();
    }

    String shown = ("out of order sample " + "y".repeat(300)).substring(0, 256) + "...";
    String line = "writer rw: receiver rejected 3 samples (HTTP 400: " + shown + "); first series "
        + "{__name__=\"a\", job=\"j\"}";
    assertThat(log).contains(line);
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("first series {__name__=\"a\"");
    assertThat(((WriteException) err).retryable()).isFalse();
  }

  @Test
  void serverErrorsAndThrottlingStayRetryable() throws Exception {
    RemoteWriteWriter writer = writer("v2");
    answer = r -> r.setStatusCode(503).end("busy");
    Throwable err = write(writer, batch());
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(err).hasMessageContaining("answered 503: busy");

    answer = r -> r.setStatusCode(429).putHeader("Retry-After", "7").end();
    err = write(writer, batch());
    assertThat(((WriteException) err).retryable()).isTrue();
    assertThat(((WriteException) err).retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void v1IsTheDefaultAndAcceptsPrometheusSpelling() throws Exception {
    for (String message : new String[]{null, "v1", "prometheus.WriteRequest"}) {
      received.clear();
      RemoteWriteWriter writer = writer(message);
      assertThat(write(writer, batch())).isNull();
      Received r = received.get(0);
      assertThat(r.headers().get("Content-Type")).isEqualTo("application/x-protobuf");
      assertThat(r.headers().get("X-Prometheus-Remote-Write-Version")).isEqualTo("0.1.0");
      assertThat(Remote.WriteRequest.parseFrom(r.body()).getTimeseriesCount()).isEqualTo(2);
    }
    assertThat(partialDrops()).isZero();
  }

  @Test
  void theProviderChecksProtobufMessage() {
    RemoteWriteProvider provider = new RemoteWriteProvider();
    provider.check(entry("io.prometheus.write.v2.Request"));
    provider.check(entry("v2"));
    provider.check(entry("prometheus.WriteRequest"));
    assertThatThrownBy(() -> provider.check(entry("v3"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage[0].protobuf_message").hasMessageContaining("got 'v3'");
  }

  /** {__name__="a", job="j"} with two samples, {__name__="b", job="j"} with one. */
  static SeriesBatch batch() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    long now = System.currentTimeMillis();
    b.beginSeries().label("__name__", "a").label("job", "j").sample(now - 1000, 1).sample(now, 2);
    b.endSeries();
    b.beginSeries().label("__name__", "b").label("job", "j").sample(now, 3);
    b.endSeries();
    return b.build();
  }

  private StorageEntry entry(String protobufMessage) {
    JsonObject json = new JsonObject().put("type", "prometheus")
        .put("url", "http://127.0.0.1:" + server.actualPort() + "/api/v1/write");
    if (protobufMessage != null) {
      json.put("protobuf_message", protobufMessage);
    }
    return StorageEntry.from(json, "storage[0]", "rw", new QueueOptions());
  }

  private RemoteWriteWriter writer(String protobufMessage) throws Exception {
    RemoteWriteWriter w = new RemoteWriteWriter(new WriterContext(vertx, registry, "test", null), entry(protobufMessage));
    w.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    writers.add(w);
    return w;
  }

  /** Writes on a Vert.x context, as the queue does; returns the failure, or null on success. */
  static Throwable write(RemoteWriteWriter writer, SeriesBatch batch, Vertx vertx) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> {
      Future<Void> f = writer.write(List.of(batch));
      f.onComplete(ar -> {
        if (ar.succeeded()) {
          done.complete(null);
        } else {
          done.completeExceptionally(ar.cause());
        }
      });
    });
    try {
      done.get(20, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private Throwable write(RemoteWriteWriter writer, SeriesBatch batch) throws Exception {
    return write(writer, batch, vertx);
  }

  private double partialDrops() {
    var c = registry.find("clymene.dropped.samples").tag("writer", "rw").tag("reason", "partial").counter();
    return c == null ? 0 : c.count();
  }
}
