package io.clymene.bench;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.queue.WriterQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** What the benchmark mains share: agent-shaped load, offering it to a writer queue, reading meters, reporting. */
final class BenchKit {
  static final String[] METRICS = {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
      "node_network_receive_bytes_total", "node_filesystem_avail_bytes", "container_cpu_usage_seconds_total",
      "container_memory_working_set_bytes", "kube_pod_status_phase", "http_requests_total",
      "process_resident_memory_bytes", "go_gc_duration_seconds_count"};

  private BenchKit() {
  }

  /** {@code --key value}, {@code --key=value} and {@code --flag} arguments. */
  static Map<String, String> options(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        opts.put(a.substring(2, eq), a.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        opts.put(a.substring(2), args[++i]);
      } else {
        opts.put(a.substring(2), "true");
      }
    }
    return opts;
  }

  /** Offers the pool round-robin until {@code total} samples are queued, waiting while the queue is full. */
  static void offerAll(WriterQueue queue, List<SeriesBatch> pool, long total) {
    long offered = 0;
    for (int i = 0; offered < total; i++) {
      SeriesBatch b = pool.get(i % pool.size());
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

  /**
   * Targets shaped like agent output: target t has one job and instance and {@code min..max} series of 8
   * labels ({@code __name__, cluster, container, instance, job, namespace, node, pod}), one sample each.
   */
  static List<SeriesBatch> targets(int n, int min, int max) {
    List<SeriesBatch> pool = new ArrayList<>(n);
    Random rnd = new Random(42);
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int t = 0; t < n; t++) {
      int series = min + (max > min ? rnd.nextInt(max - min + 1) : 0);
      long ts = 1_700_000_000_000L + t * 15L;
      String job = t % 2 == 0 ? "node-exporter" : "kubernetes-pods";
      String node = String.format(Locale.ROOT, "ip-10-0-%d-%d.eu-west-1.compute.internal", t >> 8 & 255, t & 255);
      String instance = "10.0." + (t >> 8 & 255) + "." + (t & 255) + ":9100";
      for (int s = 0; s < series; s++) {
        int pod = s / 40;
        b.beginSeries()
            .label("__name__", METRICS[s % METRICS.length])
            .label("cluster", "prod-eu-west-" + (t % 3 + 1))
            .label("container", "app-" + (pod % 97))
            .label("instance", instance)
            .label("job", job)
            .label("namespace", "team-" + (pod % 23))
            .label("node", node)
            .label("pod", "app-" + (pod % 97) + "-" + Integer.toHexString(0x5f3759 + pod) + "-" + s)
            .sample(ts, rnd.nextDouble() * 1e6);
        b.endSeries();
      }
      pool.add(b.build());
    }
    return pool;
  }

  static long selfCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The sum of the counters of that name (and tag, when given). */
  static double count(MeterRegistry registry, String name, String tag, String value) {
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.counters().stream().mapToDouble(Counter::count).sum();
  }

  static void onContext(Context ctx, Supplier<Future<Void>> call) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(null);
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    done.get(60, TimeUnit.SECONDS);
  }

  static void result(Map<String, String> r) {
    System.out.println("RESULT " + r.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" ")));
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /**
   * The same series as {@code b} with every sample at {@code timestampMs}: label bytes are copied as they
   * are (as a scrape of an unchanged target would produce them), so the load is fresh data for the store.
   */
  static SeriesBatch restamp(SeriesBatch b, long timestampMs, SeriesBatch.Builder builder) {
    builder.reset();
    byte[] labels = b.labelData();
    for (int i = 0; i < b.size(); i++) {
      builder.beginEncodedSeries(labels, b.labelStart(i), b.labelEnd(i) - b.labelStart(i), b.hash(i));
      for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
        builder.sample(timestampMs, b.value(s));
      }
      builder.endSeries();
    }
    return builder.build();
  }
}
