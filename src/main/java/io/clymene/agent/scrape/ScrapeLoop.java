package io.clymene.agent.scrape;

import io.clymene.agent.parse.ParseException;
import io.clymene.agent.parse.TextParser;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target every interval, at the target's fixed offset within the interval: HTTP GET with a
 * deadline of {@code scrape_timeout}, parse straight from the body into a batch, add the synthetic
 * series, and hand the batch to the output. A failed scrape (refused, timed out, bad status, body not
 * in the exposition format, limit exceeded) yields {@code up} 0 and a logged reason naming the target.
 * Runs on the agent's event loop; never blocks it.
 */
final class ScrapeLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeLoop.class);
  static final String ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1";

  private final Vertx vertx;
  private final HttpClient client;
  private final ScrapeTarget target;
  private final BatchOutput output;
  private final ScrapeMetrics metrics;
  private final String userAgent;
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();
  private final TextParser parser = new TextParser();
  private final ScrapeAppender appender;
  private final ThrottledLog failureLog = new ThrottledLog(LOG, Duration.ofMinutes(1));
  private long timerId = -1;
  private boolean inFlight;
  private boolean stopped;

  private volatile TargetHealth health = TargetHealth.UNKNOWN;
  private volatile String lastError = "";
  private volatile long lastScrapeMillis;
  private volatile double lastDurationSeconds;

  ScrapeLoop(Vertx vertx, HttpClient client, ScrapeTarget target, Labels externalLabels, BatchOutput output,
             ScrapeMetrics metrics, String version) {
    this.vertx = vertx;
    this.client = client;
    this.target = target;
    this.output = output;
    this.metrics = metrics;
    this.userAgent = "Clymene/" + version;
    this.appender = new ScrapeAppender(builder, target, externalLabels);
  }

  ScrapeTarget target() {
    return target;
  }

  TargetHealth health() {
    return health;
  }

  String lastError() {
    return lastError;
  }

  long lastScrapeMillis() {
    return lastScrapeMillis;
  }

  double lastDurationSeconds() {
    return lastDurationSeconds;
  }

  /** Schedules the scrapes at the target's offset within the interval. */
  void start() {
    long delay = target.firstDelayMillis(System.currentTimeMillis());
    timerId = vertx.setPeriodic(delay, target.interval().toMillis(), t -> tick());
  }

  /** Stops scraping; a scrape in flight finishes but its result is discarded. */
  void stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void tick() {
    if (inFlight || stopped) {
      return; // never overlap scrapes of one target
    }
    inFlight = true;
    long start = System.currentTimeMillis();
    long t0 = System.nanoTime();
    fetch().onComplete(ar -> {
      inFlight = false;
      if (stopped) {
        return;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (ar.succeeded()) {
        handleBody(ar.result(), start, seconds);
      } else {
        fail(start, seconds, ar.cause().getMessage());
      }
    });
  }

  private Future<Buffer> fetch() {
    long timeoutMs = target.timeout().toMillis();
    Promise<Buffer> result = Promise.promise();
    HttpClientRequest[] current = new HttpClientRequest[1];
    long deadline = vertx.setTimer(timeoutMs, t -> {
      if (result.tryFail("scrape timed out after " + io.clymene.config.Durations.format(target.timeout()))) {
        if (current[0] != null) {
          current[0].reset();
        }
      }
    });
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(target.url())
        .setConnectTimeout(timeoutMs)
        .putHeader("Accept", ACCEPT)
        .putHeader("User-Agent", userAgent)
        .putHeader("X-Prometheus-Scrape-Timeout-Seconds", Double.toString(timeoutMs / 1000.0));
    long limit = target.config().bodySizeLimit();
    client.request(options)
        .compose(req -> {
          current[0] = req;
          return req.send();
        })
        .expecting(HttpResponseExpectation.SC_OK.wrappingFailure((resp, err) -> new IllegalStateException(
            "server returned HTTP status " + resp.statusCode() + " " + resp.statusMessage())))
        .compose(resp -> readBody(resp, limit))
        .onComplete(ar -> {
          vertx.cancelTimer(deadline);
          if (ar.succeeded()) {
            result.tryComplete(ar.result());
          } else {
            String msg = ar.cause().getMessage();
            result.tryFail(msg == null ? ar.cause().toString() : msg);
          }
        });
    return result.future();
  }

  private static Future<Buffer> readBody(HttpClientResponse resp, long limit) {
    if (limit <= 0) {
      return resp.body();
    }
    Promise<Buffer> body = Promise.promise();
    Buffer buf = Buffer.buffer();
    resp.handler(chunk -> {
      if (buf.length() + chunk.length() > limit) {
        if (body.tryFail("body size limit exceeded (" + limit + " bytes)")) {
          resp.request().reset();
        }
      } else {
        buf.appendBuffer(chunk);
      }
    });
    resp.exceptionHandler(body::tryFail);
    resp.endHandler(v -> body.tryComplete(buf));
    return body.future();
  }

  private void handleBody(Buffer body, long start, double seconds) {
    byte[] bytes = body.getBytes();
    appender.begin(start);
    int scraped;
    try {
      scraped = parser.parse(bytes, 0, bytes.length, appender);
    } catch (ParseException e) {
      builder.reset();
      fail(start, seconds, "invalid exposition: " + e.getMessage());
      return;
    }
    appender.synthetic("up", 1);
    appender.synthetic("scrape_duration_seconds", seconds);
    appender.synthetic("scrape_samples_scraped", scraped);
    appender.synthetic("scrape_samples_post_metric_relabeling", appender.samples());
    metrics.success.increment();
    metrics.samples.increment(scraped);
    metrics.duration.record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
    if (health != TargetHealth.UP && health != TargetHealth.UNKNOWN) {
      LOG.info("scrape of {} recovered", target);
    }
    record(TargetHealth.UP, "", start, seconds);
    emit();
  }

  private void fail(long start, double seconds, String reason) {
    failureLog.warn("scrape of {} failed: {}", target, reason);
    appender.begin(start);
    appender.synthetic("up", 0);
    appender.synthetic("scrape_duration_seconds", seconds);
    appender.synthetic("scrape_samples_scraped", 0);
    appender.synthetic("scrape_samples_post_metric_relabeling", 0);
    metrics.failure.increment();
    metrics.duration.record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
    record(TargetHealth.DOWN, reason, start, seconds);
    emit();
  }

  private void record(TargetHealth h, String error, long start, double seconds) {
    health = h;
    lastError = error;
    lastScrapeMillis = start;
    lastDurationSeconds = seconds;
  }

  private void emit() {
    SeriesBatch batch = builder.build();
    output.send(batch).onFailure(err -> failureLog.warn("batch of {} from {} not delivered to the writers: {}",
        batch.sampleCount(), target, err.getMessage()));
  }
}
