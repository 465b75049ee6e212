package io.clymene.agent.scrape;

import io.clymene.agent.config.ScrapeConfig;
import io.clymene.agent.config.ScrapeProtocol;
import io.clymene.agent.parse.ExpositionParser;
import io.clymene.agent.parse.ParseException;
import io.clymene.config.Durations;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import io.clymene.util.ThrottledLog;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.SocketAddress;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target every interval, at the target's fixed offset within the interval, the way
 * Prometheus does: GET with the negotiated Accept header and gzip, a deadline of scrape_timeout and the
 * body size limit; the body is parsed with the parser its Content-Type calls for, straight into a batch
 * (see {@link ScrapeAppender}); then the report series ({@code up}, {@code scrape_duration_seconds},
 * {@code scrape_samples_scraped}, {@code scrape_samples_post_metric_relabeling},
 * {@code scrape_series_added}) and the batch goes to the output; about once a minute it also carries the
 * target's metric metadata (see {@link ScrapeAppender}). A failed scrape (refused, timed out,
 * bad status, invalid body, a limit exceeded) gives {@code up} 0, stale markers for the series of the
 * previous scrape, and a log line naming the target and the reason. When the target goes away, its
 * series get stale markers about two intervals later, as in Prometheus. Runs on the agent's event loop;
 * never blocks it.
 */
final class ScrapeLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeLoop.class);
  /** Prometheus 2.x's Accept header, used when scrape_protocols is not set. */
  static final String DEFAULT_ACCEPT = "application/openmetrics-text;version=1.0.0,"
      + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private final Vertx vertx;
  private final ScrapeClient client;
  private final ScrapeTarget target;
  private final BatchOutput output;
  private final ScrapeMetrics metrics;
  private final String userAgent;
  private final String accept;
  private final String timeoutHeader;
  private final ScrapeScratch scratch;
  private final SeriesBatch.Builder builder;
  private final ScrapeAppender appender;
  private int lastBodySize = 4096;
  private final ThrottledLog failureLog = new ThrottledLog(LOG, Duration.ofMinutes(1));
  private long timerId = -1;
  private long nextTick;
  private boolean inFlight;
  private boolean stopped;
  private volatile String forcedError;

  private volatile TargetHealth health = TargetHealth.UNKNOWN;
  private volatile String lastError = "";
  private volatile long lastScrapeMillis;
  private volatile double lastDurationSeconds;

  ScrapeLoop(Vertx vertx, ScrapeClient client, ScrapeTarget target, Labels externalLabels, BatchOutput output,
             ScrapeMetrics metrics, String version, ScrapeScratch scratch) {
    this.scratch = scratch;
    this.builder = scratch.builder;
    this.vertx = vertx;
    this.client = client;
    this.target = target;
    this.output = output;
    this.metrics = metrics;
    this.userAgent = "Clymene/" + version;
    this.accept = acceptHeader(target.config());
    this.timeoutHeader = new BigDecimal(target.timeout().toMillis()).movePointLeft(3).stripTrailingZeros()
        .toPlainString();
    this.appender = new ScrapeAppender(builder, scratch.encoder, target, externalLabels);
  }

  /** The Accept header for a job: Prometheus 2.x's when scrape_protocols is unset, else weighted in order. */
  static String acceptHeader(ScrapeConfig config) {
    if (config.scrapeProtocols().equals(ScrapeConfig.DEFAULT_SCRAPE_PROTOCOLS)) {
      return DEFAULT_ACCEPT;
    }
    StringBuilder sb = new StringBuilder();
    int weight = ScrapeProtocol.values().length + 1;
    for (ScrapeProtocol p : config.scrapeProtocols()) {
      sb.append(p.mediaType()).append(";q=0.").append(weight--).append(',');
    }
    return sb.append("*/*;q=0.").append(weight).toString();
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

  /** Series held in the loop's cache. */
  int cachedSeries() {
    return appender.cachedSeries();
  }

  /** Makes every scrape fail with this error (target_limit exceeded), or clears it with null. */
  void forceError(String error) {
    this.forcedError = error;
  }

  /** Schedules the scrapes at the target's offset within the interval. */
  void start() {
    long now = System.currentTimeMillis();
    long delay = target.firstDelayMillis(now);
    nextTick = now + delay;
    timerId = vertx.setPeriodic(delay, target.interval().toMillis(), t -> tick());
  }

  /**
   * Stops scraping. With {@code staleness}, the target's series get stale markers once the next two
   * scrapes would have happened, timestamped at the first of them (Prometheus' end-of-run staleness).
   */
  void stop(boolean staleness) {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    if (!staleness || lastScrapeMillis == 0) {
      return;
    }
    long interval = target.interval().toMillis();
    long staleTime = lastScrapeMillis + interval;
    long delay = Math.max(1, staleTime + interval + interval / 10 - System.currentTimeMillis());
    vertx.setTimer(delay, t -> {
      builder.reset();
      appender.endOfRun(staleTime);
      emit();
    });
  }

  private void tick() {
    if (inFlight || stopped) {
      return; // never overlap scrapes of one target
    }
    inFlight = true;
    long start = System.currentTimeMillis();
    long t0 = System.nanoTime();
    String forced = forcedError;
    if (forced != null) {
      inFlight = false;
      failScrape(start, t0, forced);
      return;
    }
    fetch().onComplete(ar -> {
      inFlight = false;
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        handleBody(ar.result(), start, t0);
      } else {
        failScrape(start, t0, ar.cause().getMessage());
      }
    });
  }

  /** The body and its Content-Type. */
  private record Body(Buffer buffer, String contentType) {
  }

  private Future<Body> fetch() {
    long timeoutMs = target.timeout().toMillis();
    Promise<Body> result = Promise.promise();
    HttpClientRequest[] current = new HttpClientRequest[1];
    long deadline = vertx.setTimer(timeoutMs, t -> {
      if (result.tryFail("scrape timed out after " + Durations.format(target.timeout()))) {
        if (current[0] != null) {
          current[0].reset();
        }
      }
    });
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(target.url())
        .setConnectTimeout(timeoutMs)
        .setFollowRedirects(client.followRedirects())
        .putHeader("Accept", accept)
        .putHeader("Accept-Encoding", target.config().enableCompression() ? "gzip" : "identity")
        .putHeader("User-Agent", userAgent)
        .putHeader("X-Prometheus-Scrape-Timeout-Seconds", timeoutHeader);
    if (client.serverName() != null) {
      URI u = URI.create(target.url());
      options.setServer(SocketAddress.inetSocketAddress(u.getPort(), u.getHost()))
          .setHost(client.serverName()).putHeader("Host", u.getHost() + ":" + u.getPort());
    }
    long limit = target.config().bodySizeLimit();
    client.prepare(options)
        .compose(opts -> client.client().request(opts))
        .compose(req -> {
          current[0] = req;
          return req.send();
        })
        .compose(resp -> {
          if (resp.statusCode() != 200) {
            resp.exceptionHandler(err -> { });
            resp.request().reset();
            return Future.failedFuture("server returned HTTP status " + resp.statusCode() + " "
                + resp.statusMessage());
          }
          return readBody(resp, limit, lastBodySize).map(b -> new Body(b, resp.getHeader("Content-Type")));
        })
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

  /** Reads the (decompressed) body; fails once it reaches the limit, as Prometheus does. */
  private static Future<Buffer> readBody(HttpClientResponse resp, long limit, int expectedSize) {
    Promise<Buffer> body = Promise.promise();
    // sized like the last body, as Prometheus does, to avoid regrowing the buffer every scrape
    Buffer buf = Buffer.buffer(expectedSize + 1024);
    long max = limit > 0 ? limit : Long.MAX_VALUE;
    resp.handler(chunk -> {
      if (body.future().isComplete()) {
        return;
      }
      if (buf.length() + (long) chunk.length() >= max) {
        if (body.tryFail("body size limit exceeded (" + limit + " bytes)")) {
          resp.exceptionHandler(err -> { });
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

  private ExpositionParser parserFor(String contentType) {
    String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (media.equals("application/openmetrics-text")) {
      return scratch.openMetricsParser;
    }
    if (media.isEmpty()) {
      ScrapeProtocol fallback = target.config().fallbackScrapeProtocol();
      return fallback == ScrapeProtocol.OPENMETRICS_TEXT_1_0_0 || fallback == ScrapeProtocol.OPENMETRICS_TEXT_0_0_1
          ? scratch.openMetricsParser : scratch.textParser;
    }
    if (media.equals("application/vnd.google.protobuf")) {
      return null;
    }
    return scratch.textParser;
  }

  private void handleBody(Body body, long start, long t0) {
    ExpositionParser parser = parserFor(body.contentType());
    if (body.buffer().length() > 0) {
      lastBodySize = body.buffer().length();
    }
    builder.reset();
    appender.begin(start);
    if (parser == null) {
      failAppend(start, t0, "the protobuf exposition format is not supported (Content-Type "
          + body.contentType() + ")");
      return;
    }
    ByteBuf bb = ((BufferInternal) body.buffer()).getByteBuf();
    String problem;
    try {
      if (bb.hasArray()) {
        parser.parse(bb.array(), bb.arrayOffset() + bb.readerIndex(), bb.readableBytes(), appender);
      } else {
        byte[] bytes = body.buffer().getBytes();
        parser.parse(bytes, 0, bytes.length, appender);
      }
      problem = appender.finish();
    } catch (ParseException e) {
      problem = "invalid exposition: " + e.getMessage();
    }
    if (problem != null) {
      failAppend(start, t0, problem);
      return;
    }
    report(start, t0, 1);
    metrics.success.increment();
    metrics.samples.increment(appender.total());
    if (appender.outOfOrder() > 0 || appender.outOfBounds() > 0) {
      metrics.outOfOrder.increment(appender.outOfOrder());
      metrics.outOfBounds.increment(appender.outOfBounds());
      failureLog.warn("scrape of {}: dropped {} samples older than their series' newest and {} more than 10 "
          + "minutes in the future", target, appender.outOfOrder(), appender.outOfBounds());
    }
    if (health == TargetHealth.DOWN) {
      LOG.info("scrape of {} recovered", target);
    }
    record(TargetHealth.UP, "", start, (System.nanoTime() - t0) / 1e9);
    emit();
  }

  /** A body that failed: its samples are discarded, the previous series get stale markers. */
  private void failAppend(long start, long t0, String reason) {
    builder.reset();
    appender.failed(start);
    finishFailure(start, t0, reason);
  }

  /** A scrape that got no body. */
  private void failScrape(long start, long t0, String reason) {
    builder.reset();
    appender.begin(start);
    appender.failed(start);
    finishFailure(start, t0, reason);
  }

  private void finishFailure(long start, long t0, String reason) {
    failureLog.warn("scrape of {} failed: {}", target, reason);
    report(start, t0, 0);
    metrics.failure.increment();
    record(TargetHealth.DOWN, reason, start, (System.nanoTime() - t0) / 1e9);
    emit();
  }

  private void report(long start, long t0, double up) {
    double seconds = (System.nanoTime() - t0) / 1e9;
    metrics.duration.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    appender.synthetic("up", up);
    appender.synthetic("scrape_duration_seconds", seconds);
    appender.synthetic("scrape_samples_scraped", appender.total());
    appender.synthetic("scrape_samples_post_metric_relabeling", appender.added());
    appender.synthetic("scrape_series_added", appender.seriesAdded());
  }

  private void record(TargetHealth h, String error, long start, double seconds) {
    health = h;
    lastError = error;
    lastScrapeMillis = start;
    lastDurationSeconds = seconds;
  }

  private void emit() {
    SeriesBatch batch = builder.build();
    if (batch.isEmpty()) {
      return;
    }
    output.send(batch).onFailure(err -> failureLog.warn("batch of {} samples from {} not delivered to the writers: {}",
        batch.sampleCount(), target, err.getMessage()));
  }
}
