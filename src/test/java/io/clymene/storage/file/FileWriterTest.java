package io.clymene.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.testing.OnContext;
import io.clymene.testing.TempDirs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The file writer on a temp directory: the golden NDJSON lines (the Kafka json-lines object), rotation at
 * line boundaries with at most max_files files, a restart appending to the file, and an unwritable path
 * failing start with the entry's key.
 */
@Timeout(30)
class FileWriterTest {
  static final Path GOLDEN = Path.of("src/test/resources/fixtures/file/golden.ndjson");
  private Vertx vertx;
  private Context context;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    dir = Files.createTempDirectory("clymene-file-test-");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TempDirs.delete(dir);
  }

  @Test
  void writesTheGoldenLines() throws Exception {
    StorageWriter w = started(new JsonObject().put("path", dir.resolve("out/samples.ndjson").toString()));
    assertThat(OnContext.write(context, Duration.ofSeconds(10), w, goldenBatch())).isNull();
    OnContext.await(context, Duration.ofSeconds(10), w::stop);

    assertThat(Files.readString(dir.resolve("out/samples.ndjson"))).isEqualTo(Files.readString(GOLDEN));
  }

  @Test
  void rotatesAtLineBoundariesAndKeepsAtMostMaxFiles() throws Exception {
    Path file = dir.resolve("samples.ndjson");
    StorageWriter w = started(new JsonObject().put("path", file.toString()).put("max_bytes", 1024).put("max_files", 3));
    List<String> all = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      SeriesBatch b = counterBatch(k, 3);
      assertThat(OnContext.write(context, Duration.ofSeconds(10), w, b)).isNull();
    }
    OnContext.await(context, Duration.ofSeconds(10), w::stop);
    for (int k = 0; k < 40; k++) {
      for (int s = 0; s < 3; s++) {
        all.add(line(k, s));
      }
    }

    assertThat(dir.resolve("samples.ndjson.3")).doesNotExist();
    List<String> kept = new ArrayList<>();
    for (String name : List.of("samples.ndjson.2", "samples.ndjson.1", "samples.ndjson")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(name));
      assertThat(bytes.length).as(name).isLessThanOrEqualTo(1024);
      if (!name.equals("samples.ndjson")) { // a rotated file is full: the next line did not fit
        assertThat(bytes.length + line(39, 2).length() + 1).as(name).isGreaterThan(1024);
      }
      assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
      kept.addAll(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n")));
    }
    // the newest lines, in order, with nothing missing at the boundaries
    assertThat(kept).isEqualTo(all.subList(all.size() - kept.size(), all.size()));
  }

  @Test
  void aRestartAppendsToTheFile() throws Exception {
    JsonObject json = new JsonObject().put("path", dir.resolve("samples.ndjson").toString());
    StorageWriter first = started(json.copy());
    assertThat(OnContext.write(context, Duration.ofSeconds(10), first, counterBatch(0, 2))).isNull();
    OnContext.await(context, Duration.ofSeconds(10), first::stop);
    StorageWriter second = started(json.copy());
    assertThat(OnContext.write(context, Duration.ofSeconds(10), second, counterBatch(1, 2))).isNull();
    OnContext.await(context, Duration.ofSeconds(10), second::stop);

    assertThat(Files.readAllLines(dir.resolve("samples.ndjson"))).containsExactly(line(0, 0), line(0, 1), line(1, 0),
        line(1, 1));
  }

  @Test
  void anUnwritablePathFailsStartNamingTheKey() throws Exception {
    Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
    JsonObject json = new JsonObject().put("path", notADir.resolve("samples.ndjson").toString());
    StorageWriter w = new FileProvider().create(new WriterContext(vertx, new SimpleMeterRegistry(), "test", null),
        entry(json));

    assertThatThrownBy(() -> OnContext.await(context, Duration.ofSeconds(10), w::start))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage[3].path").hasMessageContaining(notADir.resolve("samples.ndjson").toString());
  }

  /** Two series: node's up, and one with colliding label names and every non-finite value. */
  static SeriesBatch goldenBatch() {
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

  private static SeriesBatch counterBatch(int k, int series) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < series; s++) {
      b.beginSeries().label("__name__", "c").label("s", "s" + s).sample(1700000000000L + k * 1000L, k);
      b.endSeries();
    }
    return b.build();
  }

  private static String line(int k, int s) {
    return "{\"__name__\":\"c\",\"s\":\"s" + s + "\",\"timestamp\":" + (1700000000000L + k * 1000L) + ",\"value\":" + k
        + ".0}";
  }

  private static StorageEntry entry(JsonObject json) {
    return StorageEntry.from(json.put("type", "file"), "storage[3]", "file", new FileProvider().defaultQueueOptions());
  }

  private StorageWriter started(JsonObject json) throws Exception {
    StorageEntry entry = entry(json);
    new FileProvider().check(entry);
    StorageWriter w = new FileProvider().create(new WriterContext(vertx, new SimpleMeterRegistry(), "test", null),
        entry);
    OnContext.await(context, Duration.ofSeconds(10), w::start);
    return w;
  }
}
