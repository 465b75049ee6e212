package io.clymene.gateway;

import io.clymene.gateway.decode.DecodeException;
import io.clymene.gateway.decode.DecodedWrite;
import io.clymene.gateway.decode.GzipInflater;
import io.clymene.gateway.decode.InfluxLineDecoder;
import io.clymene.gateway.decode.InfluxParseException;
import io.clymene.gateway.decode.InfluxPrecision;
import io.clymene.gateway.decode.RemoteWriteDecoder;
import io.clymene.gateway.otlp.OtlpMetricsDecoder;
import io.clymene.gateway.otlp.OtlpResult;
import io.clymene.model.SeriesBatch;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP receivers, one instance per event loop (the decoders it holds are not thread-safe):
 * {@code POST /api/v1/write} (Prometheus remote write 1.0 and 2.0), {@code POST /api/metrics} (the Go
 * Clymene's path, remote write 1.0), {@code POST /v1/metrics} (OTLP/HTTP protobuf), {@code POST /write}
 * and {@code POST /api/v2/write} (Influx line protocol). The same limits and answers on all: 204 (200 with
 * a response body for OTLP), 400 naming the first bad series or line, 401, 413, 415, and 429 with
 * {@code Retry-After} when the output is full.
 */
final class HttpReceivers implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(HttpReceivers.class);
  static final String REMOTE_WRITE = "remote_write";
  static final String OTLP = "otlp";
  static final String INFLUX = "influx";

  private final GatewayOptions options;
  private final GatewayAuth auth;
  private final GatewayOutput output;
  private final GatewayMetrics metrics;
  private final RemoteWriteDecoder remoteWrite;
  private final OtlpMetricsDecoder otlp;
  private final InfluxLineDecoder influx = new InfluxLineDecoder();
  private final GzipInflater gunzip;
  private final String retryAfterSeconds;
  private final ThrottledLog badRequestLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog fullLog = new ThrottledLog(LOG, Duration.ofSeconds(10));

  HttpReceivers(GatewayOptions options, GatewayAuth auth, GatewayOutput output, GatewayMetrics metrics) {
    this.options = options;
    this.auth = auth;
    this.output = output;
    this.metrics = metrics;
    this.remoteWrite = new RemoteWriteDecoder(options.maxRequestBytes());
    this.otlp = new OtlpMetricsDecoder(options.maxRequestBytes());
    this.gunzip = new GzipInflater(options.maxRequestBytes());
    this.retryAfterSeconds = Long.toString(Math.max(1, (options.retryAfter().toMillis() + 999) / 1000));
  }

  @Override
  public void handle(HttpServerRequest req) {
    String protocol = switch (req.path()) {
      case "/api/v1/write", "/api/metrics" -> REMOTE_WRITE;
      case "/v1/metrics" -> OTLP;
      case "/write", "/api/v2/write" -> INFLUX;
      default -> null;
    };
    if (protocol == null) {
      answer(req, "unknown", 404, "no receiver at " + req.path() + " (receivers: POST /api/v1/write, "
          + "/api/metrics, /v1/metrics, /write, /api/v2/write)");
      return;
    }
    if (req.method() != HttpMethod.POST) {
      req.response().putHeader(HttpHeaders.ALLOW, "POST");
      answer(req, protocol, 405, req.method() + " is not allowed on " + req.path() + ": use POST");
      return;
    }
    if (auth != null && !auth.allows(req.getHeader(HttpHeaders.AUTHORIZATION))) {
      req.response().putHeader("WWW-Authenticate", "Bearer realm=\"clymene\", Basic realm=\"clymene\"");
      answer(req, protocol, 401, req.getHeader(HttpHeaders.AUTHORIZATION) == null
          ? "authentication required: send an Authorization header" : "invalid credentials");
      return;
    }
    String tenant = null;
    if (options.tenantHeader() != null) {
      tenant = req.getHeader(options.tenantHeader());
      if ((tenant == null || tenant.isBlank()) && options.tenantRequired()) {
        answer(req, protocol, 401, "missing tenant: send the " + options.tenantHeader() + " header");
        return;
      }
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n > options.maxRequestBytes()) {
        tooLarge(req, protocol, n);
        return;
      }
    }
    String tenantValue = tenant == null || tenant.isBlank() ? null : tenant.trim();
    Buffer body = Buffer.buffer(length != null ? (int) Math.min(options.maxRequestBytes(),
        Math.max(0, parseOr(length, 4096))) : 4096);
    boolean[] aborted = {false};
    req.exceptionHandler(err -> aborted[0] = true);
    req.handler(chunk -> {
      if (aborted[0]) {
        return;
      }
      if (body.length() + chunk.length() > options.maxRequestBytes()) {
        aborted[0] = true;
        tooLarge(req, protocol, -1);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!aborted[0]) {
        receive(req, protocol, body.getBytes(), tenantValue);
      }
    });
  }

  private static long parseOr(String s, long def) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return def;
    }
  }

  private void tooLarge(HttpServerRequest req, String protocol, long n) {
    boolean http1 = req.version() != HttpVersion.HTTP_2;
    if (http1) {
      req.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    answer(req, protocol, 413, "request body " + (n >= 0 ? "of " + n + " bytes " : "")
        + "exceeds the limit of " + options.maxRequestBytes() + " bytes (gateway.max_request_size)")
        .onComplete(v -> {
          if (http1) {
            req.connection().close(); // the client may still be sending the rest
          }
        });
  }

  private void receive(HttpServerRequest req, String protocol, byte[] body, String tenant) {
    SeriesBatch batch;
    int samples;
    HttpServerResponse resp = req.response();
    byte[] responseBody = null;
    try {
      switch (protocol) {
        case REMOTE_WRITE -> {
          DecodedWrite w = remoteWrite.decode(body, req.getHeader(HttpHeaders.CONTENT_TYPE),
              req.getHeader(HttpHeaders.CONTENT_ENCODING));
          batch = w.batch();
          samples = w.samples();
          resp.putHeader("X-Prometheus-Remote-Write-Samples-Written", Integer.toString(w.samples()))
              .putHeader("X-Prometheus-Remote-Write-Histograms-Written", "0")
              .putHeader("X-Prometheus-Remote-Write-Exemplars-Written", "0");
        }
        case OTLP -> {
          OtlpResult r = otlp.decode(body, req.getHeader(HttpHeaders.CONTENT_TYPE),
              req.getHeader(HttpHeaders.CONTENT_ENCODING));
          batch = r.batch();
          samples = r.samples();
          responseBody = r.responseBody();
          if (r.rejectedDataPoints() > 0) {
            badRequestLog.warn("gateway: OTLP request from {}: {} data point(s) not taken: {}",
                req.remoteAddress(), r.rejectedDataPoints(), r.rejectionMessage());
          }
        }
        default -> {
          String text;
          String encoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
          if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
            int n = gunzip.inflate(body);
            text = new String(gunzip.buffer(), 0, n, StandardCharsets.UTF_8);
          } else if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw new DecodeException(DecodeException.UNSUPPORTED_MEDIA_TYPE,
                "unsupported Content-Encoding \"" + encoding + "\": expected gzip or none");
          } else {
            text = new String(body, StandardCharsets.UTF_8);
          }
          InfluxPrecision precision;
          try {
            precision = InfluxPrecision.fromParameter(req.getParam("precision"));
          } catch (IllegalArgumentException e) {
            throw new DecodeException(DecodeException.BAD_REQUEST, e.getMessage());
          }
          InfluxLineDecoder.Result r = influx.decode(text, precision, System.currentTimeMillis());
          batch = r.batch();
          samples = batch.sampleCount();
          String db = req.getParam("db");
          if (db == null) {
            db = req.getParam("bucket");
          }
          if (db != null && !db.isBlank() && !batch.isEmpty()) {
            batch = ExtraLabels.with(batch, "db", db);
          }
        }
      }
    } catch (DecodeException e) {
      badRequestLog.warn("gateway: {} request from {} refused ({}): {}", protocol, req.remoteAddress(), e.status(),
          e.getMessage());
      if (protocol.equals(OTLP)) {
        // OTLP/HTTP answers errors with a google.rpc.Status message
        metrics.request(protocol, Integer.toString(e.status()));
        resp.setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, OtlpResult.RESPONSE_MEDIA_TYPE)
            .end(Buffer.buffer(OtlpMetricsDecoder.errorBody(e)));
      } else {
        answer(req, protocol, e.status(), e.getMessage());
      }
      return;
    } catch (InfluxParseException e) {
      badRequestLog.warn("gateway: influx request from {} refused (400): {}", req.remoteAddress(), e.getMessage());
      answer(req, protocol, 400, e.getMessage());
      return;
    }
    if (tenant != null && !batch.isEmpty()) {
      batch = ExtraLabels.with(batch, options.tenantLabel(), tenant);
    }
    byte[] okBody = responseBody;
    int n = samples;
    output.write(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.samples(protocol, n);
        if (okBody != null) {
          metrics.request(protocol, "200");
          resp.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, OtlpResult.RESPONSE_MEDIA_TYPE)
              .end(Buffer.buffer(okBody));
        } else {
          metrics.request(protocol, "204");
          resp.setStatusCode(204).end();
        }
      } else if (ar.cause() instanceof OutputFullException full) {
        metrics.throttled(protocol);
        fullLog.warn("gateway: output full ({}); answering 429 to {} requests, clients retry after {}s",
            full.getMessage(), protocol, retryAfterSeconds);
        resp.putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        answer(req, protocol, 429, "the gateway's output is full (" + full.getMessage() + "); retry after "
            + retryAfterSeconds + "s");
      } else {
        fullLog.warn("gateway: output refused a {} request: {}", protocol, ar.cause().getMessage());
        resp.putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        answer(req, protocol, 503, "the gateway's output is not available: " + ar.cause().getMessage());
      }
    });
  }

  private Future<Void> answer(HttpServerRequest req, String protocol, int status, String message) {
    metrics.request(protocol, Integer.toString(status));
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return Future.succeededFuture();
    }
    return resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(message + "\n");
  }
}
