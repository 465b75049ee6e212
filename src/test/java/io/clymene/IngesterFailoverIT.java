package io.clymene;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.testing.ClymeneProcess;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.Exposition;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.KafkaBroker;
import io.clymene.testing.Ports;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.clymene.transport.kafka.KafkaEncoding;
import io.clymene.transport.kafka.KafkaRecordDecoder;
import io.clymene.transport.kafka.RecordDecodeException;
import io.clymene.transport.kafka.KafkaProvider;
import io.clymene.transport.kafka.RecordKeys;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agent → Kafka → two ingesters → a real VictoriaMetrics; the agent and the ingesters are packaged
 * processes (scripts/clymene), the broker a real single-node KRaft Kafka in the test JVM. The agent scrapes
 * {@value #TARGETS} counting targets of {@value #SERIES_PER_TARGET} series every second and writes them to
 * the topic ({@code agent.output: kafka}); each target is its own job, named so that its records (keyed by
 * job and instance) land in a partition of their own, so all {@value #PARTITIONS} partitions carry data. Two
 * ingesters in one consumer group split the partitions and remote-write to VictoriaMetrics, committing every
 * second; their writers send a batch after {@value #INGESTER_SEND_DEADLINE_MS} ms at the latest.
 *
 * <p>Ingester 1 is killed with SIGKILL, while the stream goes on, {@value #KILL_AFTER_TAKE_MS} ms after it
 * handed samples to its writer: a commit has come due since (an ingester committing what it took rather than
 * what its writers delivered would have committed them), and its writer most likely still holds them. The
 * group rebalances (session timeout {@value #SESSION_TIMEOUT_MS} ms) and ingester 2 takes every partition,
 * starting from the offsets ingester 1 committed.
 *
 * <p>What it proves (at-least-once):
 * <ul>
 *   <li>no value is lost: every series of every target ends up with every value 1..N, each at one
 *       timestamp, except values that never reached Kafka. The topic is read back from the broker at the
 *       end; a value absent from it is one the agent never got (a scrape that timed out while the target
 *       still counted it, which happens under load at the agent's cold start), and there may be at most as
 *       many of them as scrapes the agent reports failed ({@code up} 0). (Guessing those values from
 *       {@code up} alone goes wrong when a timed-out request reaches the target after the next scrape's.)
 *   <li>the survivor takes all partitions within the session timeout plus a few seconds, and commits them:
 *       its lag drains to 0 once the agent stops; nothing is dead-lettered.
 *   <li>duplicates are only what ingester 1 had delivered but not committed: records of its own partitions,
 *       served at most {@link #DUPLICATE_LEAD_MS} ms before the kill (the agent's batch deadline, a scrape,
 *       a commit interval, the ingester's send deadline, slack) and no later than the end of the rebalance.
 *       A value stored twice (VictoriaMetrics keeps identical samples: this receiver does no deduplication)
 *       outside that window, or in the survivor's own partitions, fails the test. The number of duplicates
 *       is printed; with this kill timing it is often 0, the killed ingester's latest samples being still in
 *       its writer rather than delivered.
 * </ul>
 */
@Timeout(240)
class IngesterFailoverIT {
  private static final String TOPIC = "clymene";
  private static final String GROUP = "clymene-failover";
  private static final int PARTITIONS = 4;
  private static final int TARGETS = 4;
  private static final int SERIES_PER_TARGET = 50;
  private static final long SCRAPE_INTERVAL_MS = 1_000;
  private static final long COMMIT_INTERVAL_MS = 1_000;
  private static final long SESSION_TIMEOUT_MS = 6_000;
  private static final long INGESTER_SEND_DEADLINE_MS = 2_000;
  /** How long after ingester 1 took samples it is killed: past a commit, before its writer's deadline. */
  private static final long KILL_AFTER_TAKE_MS = COMMIT_INTERVAL_MS + 300;
  /** The agent's kafka writer has a kafka entry's default queue: a batch goes out at the latest after this. */
  private static final long AGENT_BATCH_DEADLINE_MS =
      new KafkaProvider().defaultQueueOptions().batchSendDeadline().toMillis();
  /** How long before the kill a value may have been served and still be delivered but not committed. */
  private static final long DUPLICATE_LEAD_MS = AGENT_BATCH_DEADLINE_MS + SCRAPE_INTERVAL_MS + COMMIT_INTERVAL_MS
      + INGESTER_SEND_DEADLINE_MS + 3_000;
  private static final long RUN_BEFORE_KILL_MS = 20_000;
  private static final long RUN_AFTER_KILL_MS = 30_000;

  private ExternalServer vm;
  private KafkaBroker broker;
  private Vertx vertx;
  private Path dir;
  private boolean passed;
  private long startedAt;
  private final List<String> timeline = new ArrayList<>();

  /** A counting target, its own job, and the partition its records go to. */
  private record Target(CounterTarget counter, String job, int partition) {
  }

  /** An ingester process and its admin port. */
  private record Ingester(String name, ClymeneProcess process, int admin) implements AutoCloseable {
    Exposition metrics() {
      return Exposition.fetch("http://127.0.0.1:" + admin + "/metrics");
    }

    /** The partitions of the topic it has (it shows a lag per partition it has); null when unreachable. */
    SortedSet<Integer> partitions() {
      Exposition e = metrics();
      return e == null ? null : e.labelValues("clymene_ingester_lag_records", "partition", "topic", TOPIC).stream()
          .map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Samples handed to its writers so far; -1 when unreachable. */
    double samples() {
      Exposition e = metrics();
      return e == null ? -1 : e.sum("clymene_ingester_samples_total");
    }

    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    startedAt = System.currentTimeMillis();
    vm = ExternalServer.victoriaMetrics();
    mark("receiver up");
    // one partition for the group offsets (not 50): the group coordinator is up in a moment, not seconds
    broker = KafkaBroker.start(Map.of("offsets.topic.num.partitions", "1"));
    mark("broker up");
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("clymene-ingester-failover-");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
    broker.close();
    vm.close();
    mark("torn down");
    System.out.println("ingester failover timeline: " + String.join(", ", timeline));
    if (passed) {
      TempDirs.delete(dir);
    } else {
      System.out.println("ingester failover: logs kept in " + dir);
    }
  }

  /** Notes when a phase ended, for the timeline printed at the end. */
  private void mark(String what) {
    timeline.add(String.format("%s +%.1f s", what, (System.currentTimeMillis() - startedAt) / 1000.0));
  }

  /**
   * The partition the agent's records of a target go to: the record key is the hash of job and instance
   * ({@link RecordKeys}), which the producer's default partitioner maps onto a partition.
   */
  private static int partitionOf(String job, String instance) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", job).label("instance", instance).sample(0, 1);
    b.endSeries();
    return BuiltInPartitioner.partitionForKey(RecordKeys.key(b.build(), 0), PARTITIONS);
  }

  private List<Target> targets() throws Exception {
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < TARGETS; i++) {
      CounterTarget c = CounterTarget.start(vertx, "ingested_t" + i + "_total", SERIES_PER_TARGET);
      int wanted = i % PARTITIONS;
      String job = null;
      for (int k = 0; job == null; k++) {
        String candidate = "ingest-" + i + "-" + k;
        if (partitionOf(candidate, c.address()) == wanted) {
          job = candidate;
        }
      }
      targets.add(new Target(c, job, wanted));
    }
    return targets;
  }

  private Ingester startIngester(String name) throws Exception {
    int admin = Ports.free();
    Path cfg = dir.resolve(name + ".yaml");
    Files.writeString(cfg, String.join("\n",
        "admin: {host: 127.0.0.1, port: " + admin + "}",
        "kafka:",
        "  brokers: \"" + broker.bootstrapServers() + "\"",
        "  topic: " + TOPIC,
        "  consumer:",
        "    group_id: " + GROUP,
        "    commit_interval: " + COMMIT_INTERVAL_MS + "ms",
        "    auto_offset_reset: earliest",
        "    properties:",
        "      \"session.timeout.ms\": \"" + SESSION_TIMEOUT_MS + "\"",
        "      \"heartbeat.interval.ms\": \"1000\"",
        "storage:",
        "  - type: prometheus",
        "    name: vm",
        "    url: " + vm.url() + "/api/v1/write",
        "    queue: {batch_send_deadline: " + INGESTER_SEND_DEADLINE_MS + "ms}",
        ""));
    ClymeneProcess p = ClymeneProcess.start("scripts/clymene", dir.resolve(name + ".log"), "--role", "ingester",
        "--config", cfg.toString(), "--data_dir=" + dir.resolve(name + "-data"));
    return new Ingester(name, p, admin);
  }

  private static void awaitReady(Ingester i) {
    i.process().await(i.name() + " ready", Duration.ofSeconds(60), () -> {
      if (!i.process().isAlive()) {
        throw new AssertionError(i.name() + " exited with " + i.process().exitValue());
      }
      var r = Http.get("http://127.0.0.1:" + i.admin() + "/ready");
      return r != null && r.statusCode() == 200 ? Boolean.TRUE : null;
    });
  }

  /** What is wrong with each target's samples in VictoriaMetrics, for a failure message. */
  private static String problems(VictoriaMetricsApi api, List<Target> targets, Map<Target, Map<String, Long>> last,
                                 Map<Target, SortedSet<Long>> notInTopic, long killedAt) {
    StringBuilder b = new StringBuilder();
    for (Target t : targets) {
      var got = api.export(t.counter().metric() + "{job=\"" + t.job() + "\"}");
      if (got == null) {
        return "VictoriaMetrics cannot be reached";
      }
      List<String> p = CounterTarget.check(t.counter().bySeries(got), last.get(t), notInTopic.get(t)::contains);
      b.append(t.job()).append(" (partition ").append(t.partition()).append(", values served from ")
          .append(t.counter().servedAt(1) - killedAt).append(" ms after the kill, one a second; not in the topic: ")
          .append(notInTopic.get(t)).append("): ").append(p.isEmpty() ? "complete" : p.size() + " problems: "
              + String.join("; ", p.subList(0, Math.min(3, p.size())))).append('\n');
    }
    return b.toString();
  }

  /** The value every series of a target had when it was stopped. */
  private static long lastValue(Map<String, Long> last) {
    return last.values().iterator().next();
  }

  /** Scrapes of a target the agent reports as failed ({@code up} 0) before the target was stopped. */
  private static int failedScrapes(VictoriaMetricsApi api, Target t, long lastValue) {
    var up = api.export("up{job=\"" + t.job() + "\"}");
    assertThat(up).as("up of %s", t.job()).isNotNull();
    long until = t.counter().servedAt(lastValue);
    return (int) up.values().stream().flatMap(List::stream)
        .filter(s -> s.value() == 0 && s.timestamp() <= until).count();
  }

  /**
   * What the agent wrote of a target to the topic: the values of its counter (of any series), and the
   * timestamp of its latest {@code up} sample.
   */
  private record Written(SortedSet<Long> values, long lastUpAt) {
  }

  /** For each target, what the agent wrote of it to the topic, read back from the broker. */
  private Map<Target, Written> writtenToTopic(List<Target> targets) {
    Map<String, Target> byMetric = new HashMap<>();
    Map<String, Target> byJob = new HashMap<>();
    Map<Target, SortedSet<Long>> values = new HashMap<>();
    Map<Target, Long> lastUp = new HashMap<>();
    for (Target t : targets) {
      byMetric.put(t.counter().metric(), t);
      byJob.put(t.job(), t);
      values.put(t, new TreeSet<>());
      lastUp.put(t, Long.MIN_VALUE);
    }
    for (ConsumerRecord<byte[], byte[]> r : broker.records(TOPIC)) {
      SeriesBatch b;
      try {
        b = new KafkaRecordDecoder(KafkaEncoding.fromHeader(r.headers().lastHeader(KafkaEncoding.HEADER).value()))
            .decode(r.value());
      } catch (RecordDecodeException e) {
        throw new IllegalStateException("a record the agent wrote cannot be decoded", e);
      }
      for (int i = 0; i < b.size(); i++) {
        String name = b.metricName(i);
        Target t = byMetric.get(name);
        for (int j = b.sampleStart(i); t != null && j < b.sampleEnd(i); j++) {
          if (!Double.isNaN(b.value(j))) {
            values.get(t).add((long) b.value(j));
          }
        }
        Target up = "up".equals(name) ? byJob.get(b.labels(i).get("job")) : null;
        for (int j = b.sampleStart(i); up != null && j < b.sampleEnd(i); j++) {
          lastUp.merge(up, b.timestamp(j), Math::max);
        }
      }
    }
    Map<Target, Written> out = new HashMap<>();
    targets.forEach(t -> out.put(t, new Written(values.get(t), lastUp.get(t))));
    return out;
  }

  @Test
  void killingOneIngesterLosesNothingAndDuplicatesOnlyWhatWasInFlight() throws Exception {
    broker.createTopic(TOPIC, PARTITIONS);
    mark("topic created");
    List<Target> targets = targets();
    Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toCollection(TreeSet::new));
    VictoriaMetricsApi api = new VictoriaMetricsApi(vm.url());
    try (Ingester i1 = startIngester("ingester-1"); Ingester i2 = startIngester("ingester-2")) {
      awaitReady(i1);
      awaitReady(i2);
      mark("ingesters ready");
      i2.process().await("both ingesters to have partitions, together all " + PARTITIONS + " once",
          Duration.ofSeconds(30), () -> {
            SortedSet<Integer> p1 = i1.partitions();
            SortedSet<Integer> p2 = i2.partitions();
            if (p1 == null || p2 == null || p1.isEmpty() || p2.isEmpty()) {
              return null;
            }
            Set<Integer> union = new TreeSet<>(p1);
            union.addAll(p2);
            return union.equals(all) && p1.size() + p2.size() == PARTITIONS ? Boolean.TRUE : null;
          });
      mark("ingesters ready with their partitions");

      Path prom = dir.resolve("prometheus.yml");
      List<String> promLines = new ArrayList<>(List.of(
          "global: {scrape_interval: " + SCRAPE_INTERVAL_MS + "ms, scrape_timeout: 900ms}",
          "scrape_configs:"));
      for (Target t : targets) {
        promLines.add("  - job_name: " + t.job());
        promLines.add("    static_configs: [{targets: ['" + t.counter().address() + "']}]");
      }
      promLines.add("");
      Files.writeString(prom, String.join("\n", promLines));
      Path agentCfg = dir.resolve("agent.yaml");
      int agentAdmin = Ports.free();
      Files.writeString(agentCfg, String.join("\n",
          "admin: {host: 127.0.0.1, port: " + agentAdmin + "}",
          "agent:",
          "  output: kafka",
          "kafka:",
          "  brokers: \"" + broker.bootstrapServers() + "\"",
          "  topic: " + TOPIC,
          ""));
      long agentStarted = System.currentTimeMillis();
      try (ClymeneProcess agent = ClymeneProcess.start("scripts/clymene", dir.resolve("agent.log"), "--role", "agent",
          "--config", agentCfg.toString(), "--config.file", prom.toString(),
          "--data_dir=" + dir.resolve("agent-data"))) {
        agent.await("every series in VictoriaMetrics, through both ingesters", Duration.ofSeconds(60), () -> {
          for (Target t : targets) {
            var got = api.export(t.counter().metric());
            if (got == null || t.counter().bySeries(got).size() != SERIES_PER_TARGET) {
              return null;
            }
          }
          return i1.samples() > 0 && i2.samples() > 0 ? Boolean.TRUE : null;
        });
        mark("every series stored");
        try (Admin admin = broker.admin()) {
          Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
          all.forEach(p -> ends.put(new TopicPartition(TOPIC, p), OffsetSpec.latest()));
          var offsets = admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS);
          assertThat(offsets.values()).as("records in every partition").allMatch(o -> o.offset() > 0);
        }
        Thread.sleep(Math.max(0, agentStarted + RUN_BEFORE_KILL_MS - System.currentTimeMillis()));

        // kill ingester 1 after it handed samples to its writer and a commit came due, but before the writer's
        // deadline: the samples are most likely still in the writer, and their offsets must not be committed
        SortedSet<Integer> killedPartitions = i1.partitions();
        SortedSet<Integer> survivorPartitions = i2.partitions();
        assertThat(killedPartitions).as("ingester-1's partitions before the kill").isNotEmpty();
        assertThat(survivorPartitions).as("ingester-2's partitions before the kill").isNotEmpty()
            .doesNotContainAnyElementsOf(killedPartitions);
        double before = i1.samples();
        i1.process().await("ingester-1 to take more samples", Duration.ofSeconds(15),
            () -> i1.samples() > before ? Boolean.TRUE : null);
        Thread.sleep(KILL_AFTER_TAKE_MS);
        long killedAt = System.currentTimeMillis();
        long killedValue = targets.get(0).counter().served();
        i1.process().signal("KILL");
        assertThat(i1.process().awaitExit(Duration.ofSeconds(10))).as("ingester-1 killed").isNotNull();
        mark("ingester-1 killed");

        i2.process().await("ingester-2 to take every partition", Duration.ofMillis(SESSION_TIMEOUT_MS + 20_000),
            () -> all.equals(i2.partitions()) ? Boolean.TRUE : null);
        long rebalancedAt = System.currentTimeMillis();
        mark("ingester-2 has every partition");
        Thread.sleep(Math.max(0, killedAt + RUN_AFTER_KILL_MS - System.currentTimeMillis()));

        Map<Target, Map<String, Long>> last = new HashMap<>();
        for (Target t : targets) {
          last.put(t, t.counter().stop());
        }
        long stoppedAt = System.currentTimeMillis();
        mark("targets stopped");
        // what the agent wrote to Kafka, read back once it has written the last scrape of every target (or,
        // if that scrape failed, scrapes from well after the stop): every value in the topic must reach
        // VictoriaMetrics; a value not in it never reached the agent (a scrape that timed out while the target
        // still counted it)
        long flushedBy = stoppedAt + AGENT_BATCH_DEADLINE_MS + 2_000;
        Map<Target, Written> inTopic = agent.await("the last value of every target in the topic",
            Duration.ofSeconds(30), () -> {
              Map<Target, Written> w = writtenToTopic(targets);
              return targets.stream().allMatch(t -> w.get(t).values().contains(lastValue(last.get(t)))
                  || w.get(t).lastUpAt() >= flushedBy) ? w : null;
            });
        Map<Target, SortedSet<Long>> notInTopic = new HashMap<>();
        for (Target t : targets) {
          SortedSet<Long> absent = new TreeSet<>();
          for (long v = 1; v <= lastValue(last.get(t)); v++) {
            if (!inTopic.get(t).values().contains(v)) {
              absent.add(v);
            }
          }
          notInTopic.put(t, absent);
        }
        mark("agent's output read back from the topic");
        Map<Target, Map<String, List<RawSample>>> delivered = new HashMap<>();
        try {
          i2.process().await("every value of every target in VictoriaMetrics", Duration.ofSeconds(30), () -> {
            for (Target t : targets) {
              var got = t.counter().completeIn(api, t.job(), last.get(t), notInTopic.get(t)::contains);
              if (got == null) {
                return null;
              }
              delivered.put(t, got);
            }
            return Boolean.TRUE;
          });
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n--- what VictoriaMetrics lacks ---\n"
              + problems(api, targets, last, notInTopic, killedAt), e);
        }
        mark("every value stored");

        // the same series and value stored more than once: only what ingester-1 had in flight
        long windowFrom = killedAt - DUPLICATE_LEAD_MS;
        int duplicateSamples = 0;
        int duplicatedValues = 0;
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        List<String> outside = new ArrayList<>();
        for (Target t : targets) {
          assertThat(CounterTarget.check(delivered.get(t), last.get(t), notInTopic.get(t)::contains))
              .as("samples of %s", t.job()).isEmpty();
          assertThat(notInTopic.get(t)).as("values of %s the agent never wrote, at most one per scrape it reports "
              + "failed", t.job()).hasSizeLessThanOrEqualTo(failedScrapes(api, t, lastValue(last.get(t))));
          for (Map.Entry<String, List<RawSample>> s : delivered.get(t).entrySet()) {
            Map<RawSample, Integer> copies = new HashMap<>();
            for (RawSample r : s.getValue()) {
              if (!Double.isNaN(r.value())) {
                copies.merge(r, 1, Integer::sum);
              }
            }
            for (Map.Entry<RawSample, Integer> c : copies.entrySet()) {
              if (c.getValue() < 2) {
                continue;
              }
              long v = (long) c.getKey().value();
              long served = t.counter().servedAt(v);
              duplicateSamples += c.getValue() - 1;
              duplicatedValues++;
              earliest = Math.min(earliest, served - killedAt);
              latest = Math.max(latest, served - killedAt);
              if (served < windowFrom || served > rebalancedAt || !killedPartitions.contains(t.partition())) {
                outside.add(t.job() + "/" + s.getKey() + " value " + v + " x" + c.getValue() + " (served "
                    + (served - killedAt) + " ms after the kill, partition " + t.partition() + ")");
              }
            }
          }
        }
        System.out.printf("ingester failover: ingester-1 had partitions %s, ingester-2 %s; killed ingester-1 at "
                + "value %d, %d s after the agent started; ingester-2 had every partition %d ms after the kill; "
                + "%d values per series of %d series delivered, none missing (never written by the agent: %s); "
                + "duplicates: %d extra samples of %d values%s (allowed: served %d ms before the kill to %d ms "
                + "after it, partitions %s)%n",
            killedPartitions, survivorPartitions, killedValue, (killedAt - agentStarted) / 1000,
            rebalancedAt - killedAt, lastValue(last.get(targets.get(0))), TARGETS * SERIES_PER_TARGET,
            targets.stream().filter(t -> !notInTopic.get(t).isEmpty()).map(t -> t.job() + " " + notInTopic.get(t))
                .collect(Collectors.joining(", ", "", "")).replaceFirst("^$", "none"),
            duplicateSamples, duplicatedValues,
            duplicatedValues == 0 ? "" : ", served " + earliest + ".." + latest + " ms after the kill",
            DUPLICATE_LEAD_MS, rebalancedAt - killedAt, killedPartitions);
        assertThat(outside).as("values stored twice outside ingester-1's in-flight window").isEmpty();

        // the survivor commits what it took over: with the agent stopped, the lag of every partition drains
        agent.close();
        i2.process().await("ingester-2's lag to drain to 0 on every partition", Duration.ofSeconds(20), () -> {
          Exposition e = i2.metrics();
          return e != null && all.equals(i2.partitions())
              && e.sum("clymene_ingester_lag_records", "topic", TOPIC) == 0 ? Boolean.TRUE : null;
        });
        mark("lag drained");
        Exposition m = i2.metrics();
        assertThat(m.sum("clymene_ingester_records_total", "status", "dead_letter")).as("dead-lettered").isZero();
        assertThat(m.sum("clymene_ingester_commits_total", "result", "ok")).as("commits by ingester-2").isPositive();
      }
    }
    passed = true;
  }
}
