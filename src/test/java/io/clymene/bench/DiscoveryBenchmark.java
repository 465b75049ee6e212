package io.clymene.bench;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast and at what heap cost the agent takes on a large file-discovered job: a file of N targets
 * (default 10,000) appears, then a tenth of them is replaced. Each target is a distinct label set on one
 * local HTTP server answering a small exposition, scraped every 30 s; batches go to a local endpoint
 * that accepts and discards them. Reports the time from the file's rename to the job's target count
 * ({@code clymene_target_changes_total}) showing every new target started, and the heap after full GCs.
 *
 * <pre>scripts/bench-discovery [targets]</pre>
 */
public final class DiscoveryBenchmark {
  private static final Pattern ADDED = Pattern.compile(
      "clymene_target_changes_total\\{change=\"added\",job=\"bench\"} ([0-9.E]+)");

  private DiscoveryBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Vertx side = Vertx.vertx();
    HttpServer target = side.createHttpServer().requestHandler(req -> req.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4")
            .end("# TYPE a gauge\na 1\n# TYPE b counter\nb_total{x=\"1\"} 2\nb_total{x=\"2\"} 3\nc 4\n"))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    HttpServer sink = side.createHttpServer().requestHandler(req -> req.body().onComplete(b ->
            req.response().setStatusCode(204).end()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    Path dir = Files.createTempDirectory("clymene-sd-bench-");
    Path file = dir.resolve("targets.json");
    Files.writeString(file, "[]");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global: {scrape_interval: 30s}
        scrape_configs:
          - job_name: bench
            file_sd_configs: [{files: ['%s']}]
        remote_write:
          - url: http://127.0.0.1:%d/api/v1/write
        """.formatted(file, sink.actualPort()));
    Launcher launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", config.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();
    String metrics = "http://127.0.0.1:" + launcher.adminPort() + "/metrics";
    HttpClient http = HttpClient.newHttpClient();

    Thread.sleep(2000);
    long base = heapAfterGc();
    double rssBase = rssMiB();
    System.out.printf("targets: %d; heap before: %.1f MiB; RSS %.1f MiB%n", n, base / 1048576.0, rssBase);

    long took = apply(file, groups(n, 0, target.actualPort()), n, http, metrics);
    System.out.printf("%d targets applied in %d ms%n", n, took);
    long added = heapAfterGc();
    System.out.printf("heap with %d targets, not yet scraped: %.1f MiB (+%.1f MiB, %.1f KiB per target)%n", n,
        added / 1048576.0, (added - base) / 1048576.0, (added - base) / 1024.0 / n);
    Thread.sleep(32_000);
    long scraped = heapAfterGc();
    System.out.printf("heap after every target was scraped once: %.1f MiB (+%.1f MiB, %.1f KiB per target)%n",
        scraped / 1048576.0, (scraped - base) / 1048576.0, (scraped - base) / 1024.0 / n);
    double rss = rssMiB();
    System.out.printf("RSS after every target was scraped once: %.1f MiB (+%.1f MiB)%n", rss, rss - rssBase);

    took = apply(file, groups(n, n / 10, target.actualPort()), n + n / 10, http, metrics);
    System.out.printf("a tenth of the targets replaced in %d ms%n", took);
    long changed = heapAfterGc();
    System.out.printf("heap after the change: %.1f MiB (+%.1f MiB)%n", changed / 1048576.0,
        (changed - base) / 1048576.0);

    launcher.stop(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().get();
    side.close().toCompletionStage().toCompletableFuture().get();
    Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
  }

  /** A JSON file of n targets; the first {@code shift} get new identities. */
  private static String groups(int n, int shift, int port) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      int id = i < shift ? n + i : i;
      sb.append(i == 0 ? "" : ",").append("{\"targets\":[\"127.0.0.1:").append(port)
          .append("\"],\"labels\":{\"shard\":\"").append(id).append("\",\"zone\":\"z").append(id % 7)
          .append("\"}}");
    }
    return sb.append(']').toString();
  }

  /** Replaces the file and waits until the job has added {@code addedTotal} targets since it started. */
  private static long apply(Path file, String content, int addedTotal, HttpClient http, String metrics)
      throws Exception {
    Path tmp = file.resolveSibling("targets.tmp");
    Files.writeString(tmp, content);
    long start = System.nanoTime();
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    while (true) {
      String body = http.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = ADDED.matcher(body);
      if (m.find() && (long) Double.parseDouble(m.group(1)) >= addedTotal) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      if (System.nanoTime() - start > 60_000_000_000L) {
        throw new IllegalStateException("not applied within 60 s");
      }
      Thread.sleep(20);
    }
  }

  /** The process' resident memory, from /proc (Linux). */
  private static double rssMiB() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
