package io.clymene.bench;

import static io.clymene.bench.BenchKit.count;
import static io.clymene.bench.BenchKit.fmt;
import static io.clymene.bench.BenchKit.onContext;
import static io.clymene.bench.BenchKit.restamp;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The storage benchmark, one writer per run, run as its own JVM by {@code scripts/bench-storage}: starts
 * the real server the tests use ({@link BenchServers}), creates the writer from its storage entry with the
 * type's queue defaults (or {@code --queue}), and offers agent-shaped targets (1,000–2,000 series of 8
 * labels, one sample each, fresh timestamps every round) through the writer's real {@link WriterQueue}
 * whenever it has room. After {@code --warmup} seconds it measures until the server acknowledged the last of
 * {@code --samples}: samples/s into the server, this JVM's CPU, the server's CPU and the machine's busy
 * cores. The last line, {@code RESULT key=value ...}, is for scripts.
 */
public final class StorageBench {

  private StorageBench() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = BenchKit.options(args);
    if (opts.containsKey("list")) {
      System.out.println(String.join(" ", BenchServers.names()));
      System.exit(0);
    }
    String name = opts.getOrDefault("writer", "prometheus-vm");
    long total = Long.parseLong(opts.getOrDefault("samples", "5000000"));
    long warmup = Long.parseLong(opts.getOrDefault("warmup", "5"));
    try (BenchServers.Server server = BenchServers.start(name)) {
      run(name, server, total, warmup, opts);
    }
    System.exit(0);
  }

  private static void run(String name, BenchServers.Server server, long total, long warmup, Map<String, String> opts)
      throws Exception {
    List<SeriesBatch> pool = targets(Integer.parseInt(opts.getOrDefault("targets", "50")),
        Integer.parseInt(opts.getOrDefault("series-min", "1000")),
        Integer.parseInt(opts.getOrDefault("series-max", "2000")));
    JsonObject json = server.entry().copy().put("name", name).put("timeout", "30s");
    JsonObject queueJson = new JsonObject(opts.getOrDefault("queue", "{}"));
    json.put("queue", queueJson.put("spill_max_bytes", 0));
    StorageProviders providers = StorageProviders.load();
    StorageEntry entry = providers.entries(List.of(json), i -> "storage[" + i + "]").get(0);
    System.out.printf(Locale.ROOT, "%s: %d samples into %s; queue %s%n", name, total, server.description(),
        entry.queue());
    Vertx vertx = Vertx.vertx();
    MeterRegistry registry = new SimpleMeterRegistry();
    String dataDir = Files.createTempDirectory("storage-bench-").toString();
    StorageWriter writer = providers.get(entry.type()).create(new WriterContext(vertx, registry, "bench", dataDir),
        entry);
    Context ctx = vertx.getOrCreateContext();
    onContext(ctx, writer::start);
    WriterQueue queue = new WriterQueue(entry.name(), writer, entry.queue(), ctx, registry);
    Thread loader = new Thread(() -> offerRounds(queue, pool, total), "bench-offer");
    long start = System.nanoTime();
    loader.start();

    long[] a = null; // nanos, samples, self cpu, server cpu
    long[] machineA = null;
    long lastPrint = start;
    long timeout = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout", "600")));
    long pid = server.pid();
    while (true) {
      long now = System.nanoTime();
      long done = (long) count(registry, "clymene.writer.samples", "status", "sent");
      if (a == null && now - start >= TimeUnit.SECONDS.toNanos(warmup)) {
        a = new long[] {now, done, selfCpuNanos(), pid > 0 ? Probes.treeCpuNanos(pid) : 0};
        machineA = Probes.machineTicks();
      }
      double gone = count(registry, "clymene.dropped.samples", null, null);
      if (done + gone >= total) {
        break;
      }
      if (now - start > timeout) {
        throw new IllegalStateException("only " + done + " of " + total + " samples acknowledged after "
            + timeout / 1_000_000_000L + " s");
      }
      if (now - lastPrint >= 5_000_000_000L) {
        lastPrint = now;
        System.out.printf(Locale.ROOT, "  %5.1f s: %,d samples acknowledged%n", (now - start) / 1e9, done);
      }
      Thread.sleep(10);
    }
    long now = System.nanoTime();
    long done = (long) count(registry, "clymene.writer.samples", "status", "sent");
    long[] b = {now, done, selfCpuNanos(), pid > 0 ? Probes.treeCpuNanos(pid) : 0};
    long[] machineB = Probes.machineTicks();
    if (a == null) {
      System.out.println("warning: everything was acknowledged within the warm-up; measuring from the start");
      a = new long[] {start, 0, 0, 0};
      machineA = machineB;
    }
    double secs = (b[0] - a[0]) / 1e9;
    Map<String, String> r = new LinkedHashMap<>();
    r.put("writer", name);
    r.put("server", server.description().replace(' ', '_'));
    r.put("samples", Long.toString(done));
    r.put("window_s", fmt(secs, 2));
    r.put("samples_per_s", fmt((b[1] - a[1]) / secs, 0));
    r.put("cpu_cores", fmt((b[2] - a[2]) / 1e9 / secs, 2));
    r.put("server_cpu_cores", pid > 0 ? fmt((b[3] - a[3]) / 1e9 / secs, 2) : "-");
    r.put("machine_busy_cores", fmt(Probes.busyCores(machineA, machineB), 2));
    r.put("retried", fmt(count(registry, "clymene.writer.samples", "status", "retried"), 0));
    r.put("dropped", fmt(count(registry, "clymene.dropped.samples", null, null), 0));
    r.put("shards", Integer.toString(queue.status().getInteger("shards")));
    System.out.printf(Locale.ROOT, "%s: %s samples/s acknowledged by %s over %s s; CPU: writer %s, server %s, "
            + "machine %s cores; %s retried, %s dropped%n", name, r.get("samples_per_s"), server.description(),
        r.get("window_s"), r.get("cpu_cores"), r.get("server_cpu_cores"), r.get("machine_busy_cores"),
        r.get("retried"), r.get("dropped"));
    long stored = server.storedSamples();
    r.put("stored", stored < 0 ? "-" : Long.toString(stored));
    result(r);
    queue.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    onContext(ctx, writer::stop);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Offers the pool round after round, each round's samples one second after the last round's (fresh data
   * for the store, ending about now), until {@code total} samples are queued; waits while the queue is full.
   */
  private static void offerRounds(WriterQueue queue, List<SeriesBatch> pool, long total) {
    long poolSamples = pool.stream().mapToLong(SeriesBatch::sampleCount).sum();
    long rounds = (total + poolSamples - 1) / poolSamples;
    long base = (System.currentTimeMillis() / 1000 - rounds - 60) * 1000;
    SeriesBatch.Builder builder = new SeriesBatch.Builder();
    long offered = 0;
    for (long round = 0; offered < total; round++) {
      for (int t = 0; t < pool.size() && offered < total; t++) {
        SeriesBatch b = restamp(pool.get(t), base + round * 1000, builder);
        if (offered + b.sampleCount() > total) {
          b = b.slice(0, (int) (total - offered)); // one sample per series
        }
        while (!queue.hasRoom(b.sampleCount())) {
          LockSupport.parkNanos(1_000_000);
        }
        if (!queue.offer(b)) {
          throw new IllegalStateException("the queue refused a batch it had room for");
        }
        offered += b.sampleCount();
      }
    }
  }
}
