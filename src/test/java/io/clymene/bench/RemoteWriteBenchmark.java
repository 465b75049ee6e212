package io.clymene.bench;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.agent.scrape.ScrapeParser;
import io.clymene.agent.scrape.TargetBuilder;
import io.clymene.model.Labels;
import io.clymene.model.MetricMetadata;
import io.clymene.model.SeriesBatch;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import io.clymene.storage.prometheus.RemoteWriteV2Encoder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xerial.snappy.Snappy;

/**
 * Encoding one remote-write request and compressing it with snappy, as a writer does per send: 2,000
 * series of one sample each (the default max_samples_per_send), taken from a scrape of a
 * node_exporter-like exposition (so with the target's job and instance labels), in 1.0 and 2.0 (2.0
 * with and without metadata from the exposition's HELP and TYPE lines). Throughput is in samples/s
 * (one operation is one sample). Run with {@code scripts/bench-remote-write}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
public class RemoteWriteBenchmark {
  static final int SERIES = 2000;

  private List<SeriesBatch> request;
  private final RemoteWriteEncoder v1 = new RemoteWriteEncoder();
  private final RemoteWriteV2Encoder v2 = new RemoteWriteV2Encoder();
  private RemoteWriteV2Encoder v2WithMetadata;

  @Setup
  public void setUp() throws Exception {
    byte[] body = Expositions.nodeExporterLike(300 * 1024);
    PrometheusConfig config = PrometheusConfigLoader.parse("bench.yml", new JsonObject(
        "{\"scrape_configs\":[{\"job_name\":\"node\",\"static_configs\":[{\"targets\":[\"10.0.0.1:9100\"]}]}]}"));
    ScrapeParser scrape = new ScrapeParser(TargetBuilder.staticTargets(config.job("node")).get(0), Labels.EMPTY);
    SeriesBatch batch = scrape.parse(body, 0, body.length, "text/plain; version=0.0.4", 1_700_000_000_000L);
    if (batch.size() < SERIES) {
      throw new IllegalStateException("the exposition has only " + batch.size() + " series");
    }
    request = List.of(batch.slice(0, SERIES));
    Map<String, MetricMetadata> families = metadata(body);
    v2WithMetadata = new RemoteWriteV2Encoder(families::get);
    System.out.printf(Locale.ROOT, "%nrequest of %d samples: v1 %d bytes (%d snappy), v2 %d bytes (%d snappy), "
            + "v2 with metadata %d bytes (%d snappy)%n", request.get(0).sampleCount(),
        v1.encode(request).length, Snappy.compress(v1.encode(request)).length,
        v2.encode(request).length, Snappy.compress(v2.encode(request)).length,
        v2WithMetadata.encode(request).length, Snappy.compress(v2WithMetadata.encode(request)).length);
  }

  /** Remote write 1.0: labels copied from the batch, then snappy. */
  @Benchmark
  @OperationsPerInvocation(SERIES)
  public byte[] v1() throws Exception {
    return Snappy.compress(v1.encode(request));
  }

  /** Remote write 2.0 without metadata: labels symbolized, then snappy. */
  @Benchmark
  @OperationsPerInvocation(SERIES)
  public byte[] v2() throws Exception {
    return Snappy.compress(v2.encode(request));
  }

  /** Remote write 2.0 with each series' type, help and unit. */
  @Benchmark
  @OperationsPerInvocation(SERIES)
  public byte[] v2WithMetadata() throws Exception {
    return Snappy.compress(v2WithMetadata.encode(request));
  }

  /** Families from the exposition's HELP and TYPE lines. */
  static Map<String, MetricMetadata> metadata(byte[] body) {
    Map<String, String> help = new HashMap<>();
    Map<String, MetricMetadata.Type> types = new HashMap<>();
    for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
      String[] parts = line.split(" ", 4);
      if (parts.length == 4 && parts[1].equals("HELP")) {
        help.put(parts[2], parts[3]);
      } else if (parts.length == 4 && parts[1].equals("TYPE")) {
        types.put(parts[2], MetricMetadata.Type.valueOf(parts[3].toUpperCase(Locale.ROOT)));
      }
    }
    Map<String, MetricMetadata> out = new HashMap<>();
    types.forEach((family, type) -> out.put(family, new MetricMetadata(family, type, help.get(family), "")));
    return out;
  }
}
