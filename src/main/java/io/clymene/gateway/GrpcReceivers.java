package io.clymene.gateway;

import io.clymene.gateway.decode.DecodeException;
import io.clymene.gateway.decode.DecodedWrite;
import io.clymene.gateway.decode.DecodedWrite.Version;
import io.clymene.gateway.decode.RemoteWriteDecoder;
import io.clymene.model.SeriesBatch;
import io.clymene.proto.prometheus.ClymeneServiceGrpcService;
import io.clymene.proto.prometheus.ServiceProto.MetricsResponse;
import io.clymene.util.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's gRPC service {@code prometheus.ClymeneService}, one instance per event loop. Messages are
 * taken as raw bytes and decoded by Clymene's remote-write decoder (no protobuf-java objects per sample).
 *
 * <ul>
 *   <li>{@code RequestMetrics}: one WriteRequest, answered OK once the output took it, RESOURCE_EXHAUSTED
 *       (with a {@code retry-after} trailer in seconds) when the output is full.</li>
 *   <li>{@code StreamMetrics}: any number of WriteRequests, each given to the output in turn; while the
 *       output is full the stream is paused (HTTP/2 flow control holds the client back) for up to
 *       {@code gateway.grpc.stream_wait}, then answered RESOURCE_EXHAUSTED. Answered OK after the last
 *       message was taken. Messages taken before an error stay taken: a client that resends the stream
 *       may write some samples twice (at least once).</li>
 * </ul>
 * INVALID_ARGUMENT names the first bad series, or says the message is over {@code max_message_size};
 * UNAUTHENTICATED when credentials are required and wrong.
 */
final class GrpcReceivers {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcReceivers.class);
  static final String PROTOCOL = "grpc";
  private static final long RETRY_MS = 20;

  static final ServiceMethod<Buffer, MetricsResponse> REQUEST_METRICS = ServiceMethod.server(
      ClymeneServiceGrpcService.SERVICE_NAME, "RequestMetrics", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.IDENTITY);
  static final ServiceMethod<Buffer, MetricsResponse> STREAM_METRICS = ServiceMethod.server(
      ClymeneServiceGrpcService.SERVICE_NAME, "StreamMetrics", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.IDENTITY);

  private final Vertx vertx;
  private final GatewayOptions options;
  private final GatewayAuth auth;
  private final GatewayOutput output;
  private final GatewayMetrics metrics;
  private final RemoteWriteDecoder decoder;
  /**
   * Each message is copied here for the decoder (the batch shares nothing with it): a fresh copy of every
   * message, hundreds of KB each, made the young generation collect several times as often. Grows up to
   * the message limit, like the HTTP decoder's buffer.
   */
  private byte[] scratch = new byte[64 * 1024];
  private final String retryAfterSeconds;
  private final ThrottledLog badRequestLog = new ThrottledLog(LOG, Duration.ofSeconds(10));
  private final ThrottledLog fullLog = new ThrottledLog(LOG, Duration.ofSeconds(10));

  GrpcReceivers(Vertx vertx, GatewayOptions options, GatewayAuth auth, GatewayOutput output,
                GatewayMetrics metrics) {
    this.vertx = vertx;
    this.options = options;
    this.auth = auth;
    this.output = output;
    this.metrics = metrics;
    this.decoder = new RemoteWriteDecoder(options.maxMessageBytes());
    this.retryAfterSeconds = Long.toString(Math.max(1, (options.retryAfter().toMillis() + 999) / 1000));
  }

  /** Registers both methods on a server. */
  void bind(GrpcServer server) {
    server.callHandler(REQUEST_METRICS, this::unary);
    server.callHandler(STREAM_METRICS, this::stream);
  }

  /** Checks credentials and the tenant; answers and returns null when the call may not proceed. */
  private Call begin(GrpcServerRequest<Buffer, MetricsResponse> req) {
    if (auth != null && !auth.allows(req.headers().get(HttpHeaders.AUTHORIZATION))) {
      fail(req, GrpcStatus.UNAUTHENTICATED, req.headers().get(HttpHeaders.AUTHORIZATION) == null
          ? "authentication required: send authorization metadata" : "invalid credentials");
      return null;
    }
    String tenant = null;
    if (options.tenantHeader() != null) {
      tenant = req.headers().get(options.tenantHeader());
      if ((tenant == null || tenant.isBlank()) && options.tenantRequired()) {
        fail(req, GrpcStatus.UNAUTHENTICATED, "missing tenant: send the " + options.tenantHeader() + " metadata");
        return null;
      }
    }
    return new Call(req, tenant == null || tenant.isBlank() ? null : tenant.trim());
  }

  private void unary(GrpcServerRequest<Buffer, MetricsResponse> req) {
    Call call = begin(req);
    if (call == null) {
      return;
    }
    req.handler(msg -> {
      SeriesBatch batch = call.decode(msg);
      if (batch == null) {
        return;
      }
      int n = batch.sampleCount();
      output.write(batch).onComplete(ar -> {
        if (ar.succeeded()) {
          metrics.samples(PROTOCOL, n);
          ok(req);
        } else {
          refuse(req, ar.cause());
        }
      });
    });
  }

  private void stream(GrpcServerRequest<Buffer, MetricsResponse> req) {
    Call call = begin(req);
    if (call == null) {
      return;
    }
    req.handler(msg -> {
      if (call.done) {
        return;
      }
      SeriesBatch batch = call.decode(msg);
      if (batch == null) {
        return;
      }
      int n = batch.sampleCount();
      Future<Void> now = output.write(batch);
      if (now.succeeded()) {
        // the usual case: taken at once, keep reading without pausing the stream
        metrics.samples(PROTOCOL, n);
        call.messages++;
        return;
      }
      req.pause();
      call.pending++;
      long giveUpAt = System.nanoTime() + options.streamWait().toNanos();
      writeWaiting(batch, giveUpAt, now).onComplete(ar -> {
        call.pending--;
        if (call.done) {
          return;
        }
        if (ar.succeeded()) {
          metrics.samples(PROTOCOL, n);
          call.messages++;
          if (call.ended && call.pending == 0) {
            call.done = true;
            ok(req);
          } else {
            req.resume();
          }
        } else {
          call.done = true;
          refuse(req, ar.cause());
        }
      });
    });
    req.endHandler(v -> {
      call.ended = true;
      if (!call.done && call.pending == 0) {
        call.done = true;
        ok(req);
      }
    });
  }

  /**
   * Waits for a first attempt, then while the output is full gives the batch again every few milliseconds,
   * until {@code giveUpAt}.
   */
  private Future<Void> writeWaiting(SeriesBatch batch, long giveUpAt, Future<Void> firstAttempt) {
    Promise<Void> done = Promise.promise();
    firstAttempt.onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete();
      } else if (ar.cause() instanceof OutputFullException && System.nanoTime() + RETRY_MS * 1_000_000 < giveUpAt) {
        vertx.setTimer(RETRY_MS, t -> attempt(batch, giveUpAt, done));
      } else {
        done.fail(ar.cause());
      }
    });
    return done.future();
  }

  private void attempt(SeriesBatch batch, long giveUpAt, Promise<Void> done) {
    output.write(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete();
      } else if (ar.cause() instanceof OutputFullException && System.nanoTime() + RETRY_MS * 1_000_000 < giveUpAt) {
        vertx.setTimer(RETRY_MS, t -> attempt(batch, giveUpAt, done));
      } else {
        done.fail(ar.cause());
      }
    });
  }

  private void ok(GrpcServerRequest<Buffer, MetricsResponse> req) {
    metrics.request(PROTOCOL, GrpcStatus.OK.name());
    req.response().end(MetricsResponse.getDefaultInstance());
  }

  private void refuse(GrpcServerRequest<Buffer, MetricsResponse> req, Throwable cause) {
    if (cause instanceof OutputFullException full) {
      metrics.throttled(PROTOCOL);
      fullLog.warn("gateway: output full ({}); answering RESOURCE_EXHAUSTED to gRPC clients", full.getMessage());
      req.response().trailers().set("retry-after", retryAfterSeconds);
      fail(req, GrpcStatus.RESOURCE_EXHAUSTED, "the gateway's output is full (" + full.getMessage()
          + "); retry after " + retryAfterSeconds + "s");
    } else {
      fullLog.warn("gateway: output refused a gRPC request: {}", cause.getMessage());
      fail(req, GrpcStatus.UNAVAILABLE, "the gateway's output is not available: " + cause.getMessage());
    }
  }

  private void fail(GrpcServerRequest<Buffer, MetricsResponse> req, GrpcStatus status, String message) {
    metrics.request(PROTOCOL, status.name());
    req.response().status(status).statusMessage(message).end();
  }

  /** One call's state. All on the event loop. */
  private final class Call {
    final GrpcServerRequest<Buffer, MetricsResponse> req;
    final String tenant;
    int pending;
    long messages;
    boolean ended;
    boolean done;

    Call(GrpcServerRequest<Buffer, MetricsResponse> req, String tenant) {
      this.req = req;
      this.tenant = tenant;
    }

    /** Decodes one message; on a bad one answers INVALID_ARGUMENT (or RESOURCE_EXHAUSTED) and returns null. */
    SeriesBatch decode(Buffer msg) {
      DecodedWrite w;
      try {
        int len = msg.length();
        if (len <= decoder.maxDecodedBytes()) { // else decodeMessage refuses it without reading
          if (scratch.length < len) {
            scratch = new byte[(int) Math.min(decoder.maxDecodedBytes(), Math.max(len, 2L * scratch.length))];
          }
          msg.getBytes(0, len, scratch, 0);
        }
        w = decoder.decodeMessage(Version.V1, scratch, len);
      } catch (DecodeException e) {
        done = true;
        String where = messages > 0 ? " (message " + (messages + 1) + " of the stream; the " + messages
            + " before it were taken)" : "";
        badRequestLog.warn("gateway: gRPC request from {} refused: {}{}", req.connection().remoteAddress(),
            e.getMessage(), where);
        // not RESOURCE_EXHAUSTED even for an oversize message: clients take that as "full, retry later"
        String hint = e.status() == DecodeException.PAYLOAD_TOO_LARGE ? " (gateway.grpc.max_message_size)" : "";
        fail(req, GrpcStatus.INVALID_ARGUMENT, e.getMessage() + hint + where);
        return null;
      }
      SeriesBatch batch = w.batch();
      if (tenant != null && !batch.isEmpty()) {
        batch = ExtraLabels.with(batch, options.tenantLabel(), tenant);
      }
      return batch;
    }
  }
}
