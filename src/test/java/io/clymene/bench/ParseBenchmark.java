package io.clymene.bench;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.agent.parse.ParsedLabels;
import io.clymene.agent.parse.SampleSink;
import io.clymene.agent.parse.TextParser;
import io.clymene.agent.scrape.ScrapeParser;
import io.clymene.agent.scrape.TargetBuilder;
import io.clymene.model.Labels;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing a ~200 KB node_exporter-like exposition: the text parser alone (every label parsed), and
 * the agent's steady-state scrape path (series known from the previous scrape, labels copied from the
 * target's cache into the batch builder). Run with {@code scripts/bench-parse}; throughput in MiB/s is
 * {@code bodyBytes / (µs/op)}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx256m"})
public class ParseBenchmark {

  @Param({"204800"})
  int bodyBytes;

  private byte[] body;
  private final TextParser parser = new TextParser();
  private ScrapeParser scrape;
  private long time = 1_700_000_000_000L;

  /** Consumes every label of every sample, as a first scrape does. */
  private final SampleSink consumeAll = new SampleSink() {
    long sum;

    @Override
    public String sample(byte[] buf, int nameOff, int nameLen, ParsedLabels labels, double value, long ts) {
      sum += nameLen + labels.size() + (long) value;
      for (int i = 0; i < labels.size(); i++) {
        sum += labels.valueLength(i);
      }
      return null;
    }
  };

  @Setup
  public void setUp() throws Exception {
    body = Expositions.nodeExporterLike(bodyBytes);
    PrometheusConfig config = PrometheusConfigLoader.parse("bench.yml", new JsonObject(
        "{\"scrape_configs\":[{\"job_name\":\"node\",\"static_configs\":[{\"targets\":[\"10.0.0.1:9100\"]}]}]}"));
    scrape = new ScrapeParser(TargetBuilder.staticTargets(config.job("node")).get(0), Labels.EMPTY);
    scrape.parseInto(body, 0, body.length, "text/plain; version=0.0.4", time);
  }

  /** The text parser on its own, every label of every line parsed. */
  @Benchmark
  public int textParser() throws Exception {
    return parser.parse(body, 0, body.length, consumeAll);
  }

  /** The agent's scrape path in the steady state (the batch is built but not copied out). */
  @Benchmark
  public int steadyStateScrape() throws Exception {
    time += 15_000;
    return scrape.parseInto(body, 0, body.length, "text/plain; version=0.0.4", time);
  }

  /** The same, plus the copy into the immutable batch that goes to the writers (per scrape, not per sample). */
  @Benchmark
  public void steadyStateScrapeAndBuild(Blackhole bh) throws Exception {
    time += 15_000;
    bh.consume(scrape.parse(body, 0, body.length, "text/plain; version=0.0.4", time));
  }
}
