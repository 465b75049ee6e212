package io.clymene.storage.opentsdb;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.RetryAfter;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageWriter;
import io.clymene.storage.UnsupportedValues;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTSDB's HTTP API: {@code POST <url>/api/put?details} with JSON arrays of data points. A request
 * from the queue is split into bodies of at most {@code max_request_bytes} (a stock TSD decodes bodies
 * above 8 KiB as chunks and refuses them unless {@code tsd.http.request.enable_chunked}), sent
 * {@link #IN_FLIGHT} at a time on keep-alive connections, and their outcomes merged ({@link PutOutcome}):
 * 2xx written; a 400 with a {@code details} answer counts its {@code failed} points as rejected (the TSD
 * stored the others; data errors are not retried) and logs the first error; 429 throttled (Retry-After),
 * 5xx and network errors retried (only those bodies' series); other 4xx rejected.
 */
final class HttpPutWriter implements StorageWriter {
  private static final Logger LOG = LoggerFactory.getLogger(HttpPutWriter.class);
  /** Bodies of one request on the wire at once (and the connection pool size). */
  static final int IN_FLIGHT = 4;
  private static final int MAX_MESSAGE = 300;

  private final WriterContext context;
  private final StorageEntry entry;
  private final URI url;
  private final String path;
  private final int maxBodyBytes;
  private final PutEncoder encoder;
  private final UnsupportedValues unsupported;
  private final ThrottledLog rejectLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private HttpClient client;

  HttpPutWriter(WriterContext context, StorageEntry entry) {
    this.context = context;
    this.entry = entry;
    this.url = URI.create(entry.config().getString("url"));
    String p = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
    this.path = p + "/api/put?details";
    this.maxBodyBytes = (int) Math.min(Integer.MAX_VALUE,
        entry.config().getLong("max_request_bytes", OpenTsdbProvider.DEFAULT_MAX_REQUEST_BYTES));
    this.encoder = new PutEncoder(entry.config().getInteger("max_tags", OpenTsdbProvider.DEFAULT_MAX_TAGS));
    this.unsupported = new UnsupportedValues(context.registry(), entry.name(), "NaN and ±Inf (OpenTSDB)");
  }

  @Override
  public Future<Void> start() {
    HttpClientOptions options = new HttpClientOptions().setSsl("https".equals(url.getScheme())).setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, entry.http().timeout().toMillis()));
    entry.http().applyTls(options);
    client = context.vertx().httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(IN_FLIGHT))
        .build();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(List<SeriesBatch> batches) {
    List<PutEncoder.Body> bodies = encoder.json(batches, maxBodyBytes);
    if (encoder.unsupported() > 0) {
      unsupported.count(encoder.unsupported());
    }
    PutOutcome outcome = new PutOutcome(url.toString(), batches);
    if (encoder.rejected() > 0) {
      outcome.rejected(encoder.rejected(), encoder.firstRejection());
    }
    List<Future<Void>> sends = new ArrayList<>(bodies.size());
    for (PutEncoder.Body body : bodies) {
      sends.add(post(body.json()).compose(resp -> resp.body().map(b -> {
        classify(resp, b, body, outcome);
        return (Void) null;
      })).recover(err -> {
        outcome.retry(body, "network: " + err.getMessage(), null);
        return Future.succeededFuture();
      }));
    }
    return Future.join(sends).transform(ar -> {
      WriteException failure = outcome.failure();
      if (failure != null && outcome.rejectedSamples() > 0) {
        rejectLog.warn("writer {}: {} samples rejected by the rules of or by OpenTSDB at {}; first: {}",
            entry.name(), outcome.rejectedSamples(), url, outcome.firstRejection());
      }
      return failure == null ? Future.succeededFuture() : Future.failedFuture(failure);
    });
  }

  private Future<HttpClientResponse> post(Buffer json) {
    int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
        .setURI(path).setIdleTimeout(entry.http().timeout().toMillis());
    return client.request(req).compose(r -> {
      try {
        entry.http().addTo(r.headers());
      } catch (IOException e) {
        r.reset();
        return Future.failedFuture(e);
      }
      return r.putHeader("Content-Type", "application/json")
          .putHeader("User-Agent", "Clymene/" + context.version()).send(json);
    });
  }

  /** One body's answer into the outcome. */
  static void classify(HttpClientResponse resp, Buffer answer, PutEncoder.Body body, PutOutcome outcome) {
    int code = resp.statusCode();
    JsonObject details = details(answer);
    if (details != null && (code / 100 == 2 || code == 400) && details.containsKey("failed")) {
      long failed = details.getLong("failed", 0L);
      long success = details.getLong("success", 0L);
      if (success > 0 || failed == 0) {
        outcome.written();
      }
      if (failed > 0) {
        outcome.rejected(failed, "HTTP " + code + ": " + firstError(details));
      }
    } else if (code / 100 == 2) {
      outcome.written();
    } else if (code == 429 || code == 503) {
      outcome.retry(body, "HTTP " + code + ": " + text(answer), RetryAfter.parse(resp.getHeader("Retry-After")));
    } else if (code >= 500) {
      outcome.retry(body, "HTTP " + code + ": " + text(answer), null);
    } else {
      outcome.rejected(body.points(), "HTTP " + code + ": " + text(answer)
          + (code == 413 || text(answer).contains("hunked") ? " (lower max_request_bytes, or enable "
          + "tsd.http.request.enable_chunked and raise tsd.http.request.max_chunk on the TSD)" : ""));
    }
  }

  private static JsonObject details(Buffer answer) {
    if (answer.length() == 0 || answer.getByte(0) != '{') {
      return null;
    }
    try {
      return new JsonObject(answer);
    } catch (DecodeException e) {
      return null;
    }
  }

  private static String firstError(JsonObject details) {
    JsonArray errors = details.getJsonArray("errors");
    if (errors == null || errors.isEmpty() || !(errors.getValue(0) instanceof JsonObject e)) {
      return details.getLong("failed") + " points failed";
    }
    String s = e.getString("error", "?") + " in " + e.getValue("datapoint");
    return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "..." : s;
  }

  private static String text(Buffer b) {
    int n = Math.min(b.length(), MAX_MESSAGE);
    String t = new String(b.getBytes(0, n), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ").trim();
    return n < b.length() ? t + "..." : t;
  }


  @Override
  public Future<Void> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
