package io.clymene.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the load generators read about the processes they measure: CPU time and resident memory of a
 * process (from {@code /proc}), the whole machine's busy time, and a counter from a Prometheus
 * exposition page.
 */
final class Probes {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Probes() {
  }

  /** utime + stime of a process in nanoseconds, from /proc/PID/stat (clock ticks of 10 ms); 0 when gone. */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * {@link #cpuNanos} of a process and its live descendants (a server that forks workers, or runs under a
   * wrapper such as runuser).
   */
  static long treeCpuNanos(long pid) {
    long sum = cpuNanos(pid);
    for (ProcessHandle h : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(java.util.List.of())) {
      sum += cpuNanos(h.pid());
    }
    return sum;
  }

  /** Busy and total jiffies of the whole machine, from /proc/stat. */
  static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  /** Busy cores of the whole machine between two {@link #machineTicks()} readings. */
  static double busyCores(long[] from, long[] to) {
    return to[1] == from[1] ? 0
        : (double) (to[0] - from[0]) / (to[1] - from[1]) * Runtime.getRuntime().availableProcessors();
  }

  /** Resident memory of a process in KiB, from /proc/PID/status; 0 when gone. */
  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      // the process went away; reported as 0
    }
    return 0;
  }

  /**
   * The sum of the exposition lines of {@code url} that start with {@code metric}; NaN when the page cannot
   * be read.
   */
  static double counter(String url, String metric) {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          BodyHandlers.ofString()).body();
      double sum = 0;
      for (String line : body.split("\n")) {
        if (line.startsWith(metric)) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (Exception e) {
      return Double.NaN;
    }
  }
}
