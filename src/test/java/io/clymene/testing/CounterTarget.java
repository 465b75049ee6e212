package io.clymene.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * A scrape target whose series count the requests it served: every answer raises each series' value
 * by one, so a receiver must end up with exactly the values 1..N of each series, N being the value the
 * series had when the target was {@link #stop stopped}, each value at one timestamp, in timestamp order.
 * Stopped, it answers 503 (the scraper then reports up 0 and writes stale markers, which
 * {@link #check} ignores). A value served to a scrape that timed out never reaches the scraper:
 * {@link #failedScrapes} finds those from the scraper's own {@code up} series. Series are
 * {@code <metric>{series="s0000"}}.
 */
public final class CounterTarget {
  private final String metric;
  private final long[] values;
  private final List<Long> servedAt = new ArrayList<>();
  private HttpServer server;
  private boolean stopped;

  private CounterTarget(String metric, int series) {
    this.metric = metric;
    this.values = new long[series];
  }

  /** Starts a target with {@code series} series named {@code metric} on a free loopback port. */
  public static CounterTarget start(Vertx vertx, String metric, int series) throws Exception {
    CounterTarget t = new CounterTarget(metric, series);
    t.server = vertx.createHttpServer().requestHandler(t::serve).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get();
    return t;
  }

  private void serve(HttpServerRequest req) {
    String body;
    synchronized (this) {
      if (stopped) {
        req.response().setStatusCode(503).end("stopped by the test");
        return;
      }
      StringBuilder b = new StringBuilder(values.length * 40).append("# TYPE ").append(metric).append(" counter\n");
      for (int i = 0; i < values.length; i++) {
        b.append(metric).append("{series=\"").append(name(i)).append("\"} ").append(++values[i]).append('\n');
      }
      servedAt.add(System.currentTimeMillis());
      body = b.toString();
    }
    req.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(body);
  }

  /** The value of {@code series} label of the i-th series. */
  public static String name(int i) {
    return String.format("s%04d", i);
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return server.actualPort();
  }

  /** {@code 127.0.0.1:port}, for a static_config. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  public String metric() {
    return metric;
  }

  public int seriesCount() {
    return values.length;
  }

  /** Requests served so far: the value every series has. */
  public synchronized long served() {
    return servedAt.size();
  }

  /** When the request that handed out value {@code v} (1-based) was served, in ms since the epoch. */
  public synchronized long servedAt(long v) {
    return servedAt.get((int) v - 1);
  }

  /** Stops counting (answers 503 from now on) and returns each series' last value. */
  public synchronized Map<String, Long> stop() {
    stopped = true;
    Map<String, Long> n = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      n.put(name(i), values[i]);
    }
    return n;
  }

  /** The samples of this target's metric in a receiver's answer, by {@code series} label. */
  public Map<String, List<RawSample>> bySeries(Map<? extends Map<String, String>, List<RawSample>> received) {
    Map<String, List<RawSample>> out = new TreeMap<>();
    received.forEach((labels, samples) -> {
      if (metric.equals(labels.get("__name__")) && labels.containsKey("series")) {
        out.computeIfAbsent(labels.get("series"), k -> new ArrayList<>()).addAll(samples);
      }
    });
    return out;
  }

  /**
   * The values handed out to scrapes that failed: the scraper counts a scrape that timed out as failed
   * (up 0 at the scrape's start, no samples stored), although this target may still have served its
   * request, late. For every {@code up} sample of 0 of {@code job} in {@code received} (a receiver's answer
   * holding that up series), that is the first value served at or after the sample's timestamp, if it was
   * served within {@code withinMillis}.
   */
  public synchronized SortedSet<Long> failedScrapes(Map<? extends Map<String, String>, List<RawSample>> received,
                                                    String job, long withinMillis) {
    SortedSet<Long> failed = new TreeSet<>();
    received.forEach((labels, samples) -> {
      if ("up".equals(labels.get("__name__")) && job.equals(labels.get("job"))) {
        for (RawSample s : samples) {
          if (s.value() != 0) {
            continue;
          }
          for (int i = 0; i < servedAt.size(); i++) {
            long d = servedAt.get(i) - s.timestamp();
            if (d >= 0) {
              if (d < withinMillis) {
                failed.add(i + 1L);
              }
              break;
            }
          }
        }
      }
    });
    return failed;
  }

  /**
   * This target's samples in a VictoriaMetrics once every value 1..N of {@code n} is there for every series
   * of {@code job} (values served to scrapes that failed may be missing; they are put in
   * {@code failedScrapes}, found from the job's {@code up} series), by series; null while some are missing.
   * For polling with a timeout.
   */
  public Map<String, List<RawSample>> completeIn(VictoriaMetricsApi api, String job, Map<String, Long> n,
                                                 SortedSet<Long> failedScrapes) {
    var got = api.export("{__name__=~\"" + metric + "|up\",job=\"" + job + "\"}");
    if (got == null) {
      return null;
    }
    failedScrapes.clear();
    failedScrapes.addAll(failedScrapes(got, job, 1_900));
    Map<String, List<RawSample>> mine = bySeries(got);
    return check(mine, n, failedScrapes::contains).isEmpty() ? mine : null;
  }

  /**
   * Like {@link #completeIn(VictoriaMetricsApi, String, Map, SortedSet)}, but the values that may be missing
   * are the caller's to say (for instance those that never reached a queue between scraper and receiver,
   * which the caller can read back) rather than guessed from the {@code up} series; null while some are
   * missing.
   */
  public Map<String, List<RawSample>> completeIn(VictoriaMetricsApi api, String job, Map<String, Long> n,
                                                 LongPredicate mayBeMissing) {
    var got = api.export(metric + "{job=\"" + job + "\"}");
    if (got == null) {
      return null;
    }
    Map<String, List<RawSample>> mine = bySeries(got);
    return check(mine, n, mayBeMissing).isEmpty() ? mine : null;
  }

  /**
   * What is wrong with the samples a receiver holds, against the last values {@code n} (from
   * {@link #stop}): per series, every value 1..N present (except those {@code mayBeMissing} allows), none
   * outside 1..N, each value at a single timestamp and the values rising with the timestamps. Repeated
   * identical samples (the same value at the same timestamp: a batch delivered twice) are one sample.
   * Empty when all is well.
   */
  public static List<String> check(Map<String, List<RawSample>> received, Map<String, Long> n,
                                   LongPredicate mayBeMissing) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Long> e : n.entrySet()) {
      String series = e.getKey();
      long last = e.getValue();
      // value -> timestamps; stale markers (NaN) left out
      TreeMap<Long, List<Long>> byValue = new TreeMap<>();
      List<RawSample> samples = received.getOrDefault(series, List.of());
      List<String> odd = new ArrayList<>();
      for (RawSample s : samples) {
        if (Double.isNaN(s.value())) {
          continue;
        }
        long v = (long) s.value();
        if (v != s.value() || v < 1 || v > last) {
          odd.add(s.value() + "@" + s.timestamp());
          continue;
        }
        List<Long> ts = byValue.computeIfAbsent(v, k -> new ArrayList<>());
        if (!ts.contains(s.timestamp())) {
          ts.add(s.timestamp());
        }
      }
      if (!odd.isEmpty()) {
        problems.add(series + ": values outside 1.." + last + ": " + head(odd));
      }
      List<Long> missing = new ArrayList<>();
      for (long v = 1; v <= last; v++) {
        if (!byValue.containsKey(v) && !mayBeMissing.test(v)) {
          missing.add(v);
        }
      }
      if (!missing.isEmpty()) {
        problems.add(series + ": " + missing.size() + " of 1.." + last + " missing: " + head(missing));
      }
      List<String> twice = new ArrayList<>();
      long previousTs = Long.MIN_VALUE;
      List<String> unordered = new ArrayList<>();
      for (Map.Entry<Long, List<Long>> v : byValue.entrySet()) {
        if (v.getValue().size() > 1) {
          twice.add(v.getKey() + "@" + v.getValue());
        }
        long ts = Collections.min(v.getValue());
        if (ts <= previousTs) {
          unordered.add(v.getKey() + "@" + ts);
        }
        previousTs = Math.max(previousTs, ts);
      }
      if (!twice.isEmpty()) {
        problems.add(series + ": values stored at several timestamps: " + head(twice));
      }
      if (!unordered.isEmpty()) {
        problems.add(series + ": values not rising with their timestamps: " + head(unordered));
      }
    }
    return problems;
  }

  /** {@link #check}, failing with the problems found (the first ten series'); gives {@code received} back. */
  public static Map<String, List<RawSample>> requireComplete(Map<String, List<RawSample>> received,
                                                             Map<String, Long> n, LongPredicate mayBeMissing) {
    List<String> problems = check(received, n, mayBeMissing);
    if (!problems.isEmpty()) {
      throw new AssertionError(problems.size() + " problems: " + String.join("; ", problems.subList(0,
          Math.min(10, problems.size()))));
    }
    return received;
  }

  private static <T> String head(List<T> list) {
    return list.size() <= 10 ? list.toString() : list.subList(0, 10) + " ... (" + list.size() + ")";
  }
}
