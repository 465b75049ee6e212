package io.clymene.bench;

import static io.clymene.bench.BenchKit.count;
import static io.clymene.bench.BenchKit.fmt;
import static io.clymene.bench.BenchKit.offerAll;
import static io.clymene.bench.BenchKit.onContext;
import static io.clymene.bench.BenchKit.result;
import static io.clymene.bench.BenchKit.selfCpuNanos;
import static io.clymene.bench.BenchKit.targets;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProviders;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.WriterContext;
import io.clymene.storage.queue.WriterQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Kafka benchmark's load generator and probe, run as its own JVM by {@code scripts/bench-kafka}.
 *
 * <ul>
 *   <li>{@code --mode produce}: Clymene's {@code kafka} writer (the storage type from
 *       {@link StorageProviders}, so {@code KafkaProvider} and {@code KafkaWriter}) sends {@code --samples}
 *       samples to a topic of {@code --partitions} partitions (created first). With {@code --via queue}
 *       (default) the batches go through the writer's real {@link WriterQueue} (shards by series hash,
 *       {@code max_samples_per_send}, one write in flight per shard), offered whenever the queue has room;
 *       with {@code --via writer} they go to the writer directly, one target per write,
 *       {@code --in-flight} writes at a time. The batches are built before: a pool of {@code --targets}
 *       targets shaped like agent output (each one job and instance, {@code --series-min} to
 *       {@code --series-max} series of 8 labels, one sample each), so that nothing but the writer is
 *       measured. After {@code --warmup} seconds it measures until Kafka acknowledged the last sample:
 *       samples/s, records/s, record value MB/s (2^20 bytes, as Kafka's tools count) and this JVM's CPU.</li>
 *   <li>{@code --mode watch}: polls a counter on another process' {@code /metrics} ({@code --metrics-url},
 *       {@code --metric}) from the first non-zero reading until it reaches {@code --expect}, and reports
 *       its rate and the process' ({@code --pid}) CPU and peak resident memory.</li>
 *   <li>{@code --mode topic}: creates {@code --topic} with {@code --partitions} partitions unless it exists.</li>
 * </ul>
 *
 * <p>Both report the broker's CPU ({@code --broker-pid}) and the whole machine's busy cores over the same
 * window. The last line, {@code RESULT key=value ...}, is for scripts.
 */
public final class KafkaBench {
  private final Map<String, String> opts;
  private final long brokerPid;

  private KafkaBench(Map<String, String> opts) {
    this.opts = opts;
    this.brokerPid = Long.parseLong(opts.getOrDefault("broker-pid", "0"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchKit.options(args);
    KafkaBench bench = new KafkaBench(opts);
    String mode = opts.getOrDefault("mode", "produce");
    switch (mode) {
      case "produce" -> bench.produce();
      case "watch" -> bench.watch();
      case "topic" -> createTopic(opts.getOrDefault("brokers", "127.0.0.1:9092"), opts.get("topic"),
          Integer.parseInt(opts.getOrDefault("partitions", "4")));
      default -> throw new IllegalArgumentException("unknown --mode " + mode + " (produce, watch or topic)");
    }
    System.exit(0);
  }

  // ---- produce ------------------------------------------------------------------------------------

  private void produce() throws Exception {
    String brokers = opts.getOrDefault("brokers", "127.0.0.1:9092");
    String topic = opts.getOrDefault("topic", "clymene-bench");
    String encoding = opts.getOrDefault("encoding", "protobuf");
    String via = opts.getOrDefault("via", "queue");
    long total = Long.parseLong(opts.getOrDefault("samples", "20000000"));
    long warmup = Long.parseLong(opts.getOrDefault("warmup", "10"));
    createTopic(brokers, topic, Integer.parseInt(opts.getOrDefault("partitions", "4")));

    List<SeriesBatch> pool = targets(Integer.parseInt(opts.getOrDefault("targets", "50")),
        Integer.parseInt(opts.getOrDefault("series-min", "1000")),
        Integer.parseInt(opts.getOrDefault("series-max", "2000")));
    long poolSamples = pool.stream().mapToLong(SeriesBatch::sampleCount).sum();
    System.out.printf(Locale.ROOT, "produce %s via %s: %d samples to %s on %s; pool of %d targets, %d series "
        + "each on average%n", encoding, via, total, topic, brokers, pool.size(), poolSamples / pool.size());

    JsonObject json = new JsonObject().put("type", "kafka").put("brokers", brokers).put("topic", topic)
        .put("encoding", encoding).put("timeout", "30s")
        .put("queue", new JsonObject(opts.getOrDefault("queue", "{}")).put("spill_max_bytes", 0));
    new JsonObject(opts.getOrDefault("writer", "{}")).forEach(e -> json.put(e.getKey(), e.getValue()));
    StorageProviders providers = StorageProviders.load();
    StorageEntry entry = providers.entries(List.of(json), i -> "storage[" + i + "]").get(0);
    Vertx vertx = Vertx.vertx();
    MeterRegistry registry = new SimpleMeterRegistry();
    String dataDir = Files.createTempDirectory("kafka-bench-").toString();
    StorageWriter writer = providers.get(entry.type()).create(new WriterContext(vertx, registry, "bench", dataDir),
        entry);
    Context ctx = vertx.getOrCreateContext();
    onContext(ctx, writer::start);

    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Supplier<Long> ackedSamples;
    Thread loader;
    WriterQueue queue;
    if (via.equals("queue")) {
      queue = new WriterQueue(entry.name(), writer, entry.queue(), ctx, registry);
      ackedSamples = () -> (long) count(registry, "clymene.writer.samples", "status", "sent");
      loader = new Thread(() -> offerAll(queue, pool, total), "bench-offer");
    } else if (via.equals("writer")) {
      queue = null;
      ackedSamples = acked::get;
      int inFlight = Integer.parseInt(opts.getOrDefault("in-flight", "8"));
      loader = new Thread(() -> ctx.runOnContext(v -> new DirectWrites(writer, pool, total, inFlight, acked,
          failed).pump()), "bench-offer");
    } else {
      throw new IllegalArgumentException("unknown --via " + via + " (queue or writer)");
    }
    long startNanos = System.nanoTime();
    loader.start();

    Snapshot a = null;
    long rssMax = 0;
    long polls = 0;
    long lastPrint = startNanos;
    long timeoutNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout", "600")));
    while (true) {
      long now = System.nanoTime();
      long done = ackedSamples.get();
      if (a == null && now - startNanos >= TimeUnit.SECONDS.toNanos(warmup)) {
        a = snapshot(done, registry);
      }
      if (done >= total) {
        break;
      }
      if (now - startNanos > timeoutNanos) {
        throw new IllegalStateException("only " + done + " of " + total + " samples acknowledged after "
            + (timeoutNanos / 1_000_000_000L) + " s");
      }
      if (now - lastPrint >= 5_000_000_000L) {
        lastPrint = now;
        System.out.printf(Locale.ROOT, "  %5.1f s: %,d samples acknowledged%n", (now - startNanos) / 1e9, done);
      }
      if (++polls % 10 == 0) {
        rssMax = Math.max(rssMax, Probes.rssKib(ProcessHandle.current().pid()));
      }
      Thread.sleep(10);
    }
    Snapshot b = snapshot(ackedSamples.get(), registry);
    if (a == null) {
      System.out.println("warning: everything was acknowledged within the warm-up; measuring from the start");
      a = new Snapshot(startNanos, 0, 0, 0, 0, 0, b.machine.clone());
    }
    double secs = (b.nanos - a.nanos) / 1e9;
    double records = count(registry, "clymene.kafka.records", null, null);
    double bytes = count(registry, "clymene.kafka.bytes", null, null);
    Map<String, String> r = new LinkedHashMap<>();
    r.put("encoding", encoding);
    r.put("via", via);
    r.put("topic", topic);
    r.put("samples", Long.toString(b.samples));
    r.put("records", fmt(records, 0));
    r.put("bytes", fmt(bytes, 0));
    r.put("record_bytes", fmt(bytes / records, 0));
    r.put("series_per_record", fmt(b.samples / records, 0));
    r.put("window_s", fmt(secs, 2));
    r.put("samples_per_s", fmt((b.samples - a.samples) / secs, 0));
    r.put("records_per_s", fmt((b.records - a.records) / secs, 1));
    r.put("mib_per_s", fmt((b.bytes - a.bytes) / secs / (1 << 20), 2));
    r.put("cpu_cores", fmt((b.selfCpu - a.selfCpu) / 1e9 / secs, 2));
    r.put("rss_max_mib", fmt(rssMax / 1024.0, 0));
    r.put("broker_cpu_cores", brokerPid > 0 ? fmt((b.brokerCpu - a.brokerCpu) / 1e9 / secs, 2) : "-");
    r.put("machine_busy_cores", fmt(Probes.busyCores(a.machine, b.machine), 2));
    r.put("failed", fmt(count(registry, "clymene.writer.samples", "status", "failed") + failed.get(), 0));
    r.put("retried", fmt(count(registry, "clymene.writer.samples", "status", "retried"), 0));
    r.put("dropped", fmt(count(registry, "clymene.dropped.samples", null, null), 0));
    r.put("splits", fmt(count(registry, "clymene.kafka.splits", null, null), 0));
    r.put("topic_records", Long.toString(endOffsets(brokers, topic)));
    System.out.printf(Locale.ROOT, "%s via %s: %s samples/s, %s records/s, %s MB/s acknowledged over %s s "
            + "(%s bytes and %s series per record); CPU: producer %s, broker %s, machine %s cores%n",
        encoding, via, r.get("samples_per_s"), r.get("records_per_s"), r.get("mib_per_s"), r.get("window_s"),
        r.get("record_bytes"), r.get("series_per_record"), r.get("cpu_cores"), r.get("broker_cpu_cores"),
        r.get("machine_busy_cores"));
    result(r);
    if (queue != null) {
      queue.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    onContext(ctx, writer::stop);
  }

  /** {@code --via writer}: one target per write, {@code inFlight} writes outstanding; on the writer's context. */
  private static final class DirectWrites {
    final StorageWriter writer;
    final List<SeriesBatch> pool;
    final long total;
    final int maxInFlight;
    final AtomicLong acked;
    final AtomicLong failed;
    long offered;
    int inFlight;
    int next;

    DirectWrites(StorageWriter writer, List<SeriesBatch> pool, long total, int maxInFlight, AtomicLong acked,
                 AtomicLong failed) {
      this.writer = writer;
      this.pool = pool;
      this.total = total;
      this.maxInFlight = maxInFlight;
      this.acked = acked;
      this.failed = failed;
    }

    void pump() {
      while (inFlight < maxInFlight && offered < total) {
        SeriesBatch b = pool.get(next++ % pool.size());
        if (offered + b.sampleCount() > total) {
          b = b.slice(0, (int) (total - offered));
        }
        SeriesBatch batch = b;
        offered += batch.sampleCount();
        inFlight++;
        writer.write(List.of(batch)).onComplete(ar -> {
          inFlight--;
          if (ar.succeeded()) {
            acked.addAndGet(batch.sampleCount());
            pump();
          } else {
            failed.addAndGet(batch.sampleCount());
            System.out.println("write failed: " + ar.cause());
            offered -= batch.sampleCount(); // sent again
            pump();
          }
        });
      }
    }
  }

  private record Snapshot(long nanos, long samples, double records, double bytes, long selfCpu, long brokerCpu,
                          long[] machine) {
  }

  private Snapshot snapshot(long samples, MeterRegistry registry) {
    return new Snapshot(System.nanoTime(), samples, count(registry, "clymene.kafka.records", null, null),
        count(registry, "clymene.kafka.bytes", null, null), selfCpuNanos(),
        brokerPid > 0 ? Probes.cpuNanos(brokerPid) : 0, Probes.machineTicks());
  }

  private static Admin admin(String brokers) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    return Admin.create(p);
  }

  private static void createTopic(String brokers, String topic, int partitions) throws Exception {
    try (Admin admin = admin(brokers)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }

  /** Records in the topic: the sum of its partitions' end offsets. */
  private static long endOffsets(String brokers, String topic) throws Exception {
    try (Admin admin = admin(brokers)) {
      int n = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
          .partitions().size();
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < n; p++) {
        specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(i -> i.offset()).sum();
    }
  }

  // ---- watch --------------------------------------------------------------------------------------

  private void watch() throws Exception {
    long pid = Long.parseLong(opts.get("pid"));
    String url = opts.get("metrics-url");
    String metric = opts.get("metric");
    long expect = Long.parseLong(opts.get("expect"));
    double topicBytes = Double.parseDouble(opts.getOrDefault("bytes", "0"));
    long idle = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("idle-timeout", "60")));
    long interval = Long.parseLong(opts.getOrDefault("interval-ms", "100"));
    long start = System.nanoTime();
    long lastChange = start;
    double last = 0;
    double[] first = null; // nanos, value, cpu, broker cpu
    long[] machine0 = null;
    long rssMax = 0;
    double v;
    while (true) {
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        throw new IllegalStateException("process " + pid + " exited");
      }
      v = Probes.counter(url, metric);
      long now = System.nanoTime();
      rssMax = Math.max(rssMax, Probes.rssKib(pid));
      if (!Double.isNaN(v) && v > 0 && first == null) {
        first = new double[] {now, v, Probes.cpuNanos(pid), brokerPid > 0 ? Probes.cpuNanos(brokerPid) : 0};
        machine0 = Probes.machineTicks();
        System.out.printf(Locale.ROOT, "  first samples after %.1f s: %,.0f%n", (now - start) / 1e9, v);
      }
      if (!Double.isNaN(v) && v >= expect) {
        break;
      }
      if (!Double.isNaN(v) && v != last) {
        last = v;
        lastChange = now;
      } else if (now - lastChange > idle) {
        throw new IllegalStateException(metric + " stayed at " + last + " (of " + expect + ") for "
            + (idle / 1_000_000_000L) + " s");
      }
      Thread.sleep(interval);
    }
    long end = System.nanoTime();
    long cpu = Probes.cpuNanos(pid);
    long brokerCpu = brokerPid > 0 ? Probes.cpuNanos(brokerPid) : 0;
    long[] machine1 = Probes.machineTicks();
    double secs = (end - first[0]) / 1e9;
    double counted = v - first[1];
    Map<String, String> r = new LinkedHashMap<>();
    r.put("samples", fmt(v, 0));
    r.put("window_s", fmt(secs, 2));
    r.put("samples_per_s", fmt(counted / secs, 0));
    r.put("mib_per_s", topicBytes > 0 ? fmt(topicBytes * (counted / v) / secs / (1 << 20), 2) : "-");
    r.put("cpu_cores", fmt((cpu - first[2]) / 1e9 / secs, 2));
    r.put("rss_max_mib", fmt(rssMax / 1024.0, 0));
    r.put("broker_cpu_cores", brokerPid > 0 ? fmt((brokerCpu - first[3]) / 1e9 / secs, 2) : "-");
    r.put("machine_busy_cores", fmt(Probes.busyCores(machine0, machine1), 2));
    r.put("since_start_s", fmt((end - start) / 1e9, 2));
    System.out.printf(Locale.ROOT, "%s: %s/s over %s s from the first non-zero reading; CPU %s cores, RSS peak %s "
            + "MiB; broker %s, machine %s cores%n", metric, r.get("samples_per_s"), r.get("window_s"),
        r.get("cpu_cores"), r.get("rss_max_mib"), r.get("broker_cpu_cores"), r.get("machine_busy_cores"));
    result(r);
  }

}
