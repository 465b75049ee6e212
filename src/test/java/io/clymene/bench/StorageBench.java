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
 * whenever it has room. After {@code --warmup} seconds it measures for {@code --duration} seconds: samples/s
 * the server acknowledged, this JVM's CPU, the server's CPU and the machine's busy cores. Then it stops
 * offering, waits until everything offered is acknowledged and asks the server how many samples it holds.
 * The last line, {@code RESULT key=value ...}, is for scripts.
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
    long warmup = Long.parseLong(opts.getOrDefault("warmup", "5"));
    long duration = Long.parseLong(opts.getOrDefault("duration", "20"));
    try (BenchServers.Server server = BenchServers.start(name)) {
      run(name, server, warmup, duration, opts);
    }
    System.exit(0);
  }

  private static void run(String name, BenchServers.Server server, long warmup, long duration,
                          Map<String, String> opts) throws Exception {
    List<SeriesBatch> pool = targets(Integer.parseInt(opts.getOrDefault("targets", "50")),
        Integer.parseInt(opts.getOrDefault("series-min", "1000")),
        Integer.parseInt(opts.getOrDefault("series-max", "2000")));
    JsonObject json = server.entry().copy().put("name", name).put("timeout", "30s");
    JsonObject queueJson = new JsonObject(opts.getOrDefault("queue", "{}"));
    json.put("queue", queueJson.put("spill_max_bytes", 0));
    StorageProviders providers = StorageProviders.load();
    StorageEntry entry = providers.entries(List.of(json), i -> "storage[" + i + "]").get(0);
    System.out.printf(Locale.ROOT, "%s: %d s warm-up, %d s measured, into %s; queue %s%n", name, warmup, duration,
        server.description(), entry.queue());
    Vertx vertx = Vertx.vertx();
    MeterRegistry registry = new SimpleMeterRegistry();
    String dataDir = Files.createTempDirectory("storage-bench-").toString();
    StorageWriter writer = providers.get(entry.type()).create(new WriterContext(vertx, registry, "bench", dataDir),
        entry);
    Context ctx = vertx.getOrCreateContext();
    onContext(ctx, writer::start);
    WriterQueue queue = new WriterQueue(entry.name(), writer, entry.queue(), ctx, registry);
    Loader loader = new Loader(queue, pool);
    Thread thread = new Thread(loader, "bench-offer");
    long pid = server.pid();
    thread.start();
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
    long[] a = {System.nanoTime(), sent(registry), selfCpuNanos(), pid > 0 ? Probes.treeCpuNanos(pid) : 0};
    long[] machineA = Probes.machineTicks();
    for (long t = 0; t < duration; t += 5) {
      Thread.sleep(TimeUnit.SECONDS.toMillis(Math.min(5, duration - t)));
      System.out.printf(Locale.ROOT, "  %3d s: %,d samples acknowledged%n", warmup + Math.min(t + 5, duration),
          sent(registry));
    }
    long[] b = {System.nanoTime(), sent(registry), selfCpuNanos(), pid > 0 ? Probes.treeCpuNanos(pid) : 0};
    long[] machineB = Probes.machineTicks();
    loader.stop = true;
    thread.join();
    queue.hurry();
    long offered = loader.offered;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (sent(registry) + count(registry, "clymene.dropped.samples", null, null) < offered) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + sent(registry) + " of " + offered + " samples acknowledged");
      }
      Thread.sleep(10);
    }
    double secs = (b[0] - a[0]) / 1e9;
    Map<String, String> r = new LinkedHashMap<>();
    r.put("writer", name);
    r.put("server", server.description().replace(' ', '_'));
    r.put("samples", Long.toString(offered));
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
    for (int i = 0; i < 60 && stored >= 0 && stored < offered; i++) { // stores that apply writes later (QuestDB WAL)
      Thread.sleep(500);
      stored = server.storedSamples();
    }
    r.put("stored", stored < 0 ? "-" : Long.toString(stored));
    if (stored >= 0 && stored != offered) {
      System.out.printf(Locale.ROOT, "warning: the server holds %,d samples, %,d were sent%n", stored, offered);
    }
    result(r);
    queue.flushAndStop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    onContext(ctx, writer::stop);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long sent(MeterRegistry registry) {
    return (long) count(registry, "clymene.writer.samples", "status", "sent");
  }

  /**
   * Offers the pool round after round until stopped, each round's samples one second after the last
   * round's (fresh data for the store), waiting while the queue is full.
   */
  private static final class Loader implements Runnable {
    private final WriterQueue queue;
    private final List<SeriesBatch> pool;
    private volatile boolean stop;
    private volatile long offered;

    Loader(WriterQueue queue, List<SeriesBatch> pool) {
      this.queue = queue;
      this.pool = pool;
    }

    @Override
    public void run() {
      long base = (System.currentTimeMillis() / 1000 - 3 * 3600) * 1000;
      SeriesBatch.Builder builder = new SeriesBatch.Builder();
      for (long round = 0; !stop; round++) {
        for (int t = 0; t < pool.size() && !stop; t++) {
          SeriesBatch b = restamp(pool.get(t), base + round * 1000, builder);
          while (!queue.hasRoom(b.sampleCount())) {
            if (stop) {
              return;
            }
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
}
