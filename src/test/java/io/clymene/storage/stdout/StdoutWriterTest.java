package io.clymene.storage.stdout;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.testing.OnContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stdout writer on a captured stream: the golden lines (the file writer's), a flush per request, a failing stream. */
@Timeout(30)
class StdoutWriterTest {
  private Vertx vertx;
  private Context context;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void writesTheGoldenLinesAndFlushesEachRequest() throws Exception {
    AtomicInteger flushes = new AtomicInteger();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream() {
      @Override
      public void flush() {
        flushes.incrementAndGet();
      }
    };
    StdoutWriter w = writer(bytes);

    assertThat(OnContext.write(context, Duration.ofSeconds(10), w, batch())).isNull();
    assertThat(flushes.get()).isEqualTo(1);
    assertThat(OnContext.write(context, Duration.ofSeconds(10), w, SeriesBatch.EMPTY)).isNull();
    OnContext.await(context, Duration.ofSeconds(10), w::stop);

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(Files.readString(Path.of("src/test/resources/fixtures/file/golden.ndjson")));
  }

  @Test
  void aFailingStreamIsARetryableFailure() throws Exception {
    StdoutWriter w = writer(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    });

    Throwable err = OnContext.write(context, Duration.ofSeconds(10), w, batch());

    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("Broken pipe");
    assertThat(((WriteException) err).retryable()).isTrue();
  }

  private StdoutWriter writer(OutputStream out) throws Exception {
    StorageEntry entry = StorageEntry.from(new JsonObject().put("type", "stdout"), "storage[0]", "stdout",
        new StdoutProvider().defaultQueueOptions());
    StdoutWriter w = new StdoutWriter(new WriterContext(vertx, new SimpleMeterRegistry(), "test", null), entry, out);
    OnContext.await(context, Duration.ofSeconds(10), w::start);
    return w;
  }

  /** The same batch as the file writer's golden test. */
  private static SeriesBatch batch() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "node").label("instance", "h:9100")
        .sample(1700000000000L, 1).sample(1700000015000L, 0.25);
    b.endSeries();
    b.beginSeries().label("__name__", "weird \"q\"").label("value", "x").label("timestamp", "t")
        .sample(1700000000000L, Double.NaN).sample(1700000015000L, StaleMarkers.STALE_NAN)
        .sample(1700000030000L, Double.POSITIVE_INFINITY).sample(1700000045000L, 1e21);
    b.endSeries();
    return b.build();
  }
}
