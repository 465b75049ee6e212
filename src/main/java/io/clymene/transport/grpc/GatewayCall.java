package io.clymene.transport.grpc;

import io.clymene.config.Durations;
import io.clymene.proto.prometheus.ServiceProto.MetricsResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends one write's messages to one gateway: a single {@code StreamMetrics} call carrying every message,
 * or one {@code RequestMetrics} call per message in turn. The messages are pre-encoded
 * {@code WriteRequest}s sent as they are. Each call has a deadline (sent as {@code grpc-timeout} and
 * enforced here, covering the connection too); a failure is a {@link GatewayCallException}.
 */
final class GatewayCall {
  /** The service of the gRPC contract (src/main/proto/service.proto). */
  static final ServiceName SERVICE = ServiceName.create("prometheus", "ClymeneService");
  static final ServiceMethod<MetricsResponse, Buffer> STREAM_METRICS = ServiceMethod.client(SERVICE,
      "StreamMetrics", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.decoder(MetricsResponse.newBuilder()));
  static final ServiceMethod<MetricsResponse, Buffer> REQUEST_METRICS = ServiceMethod.client(SERVICE,
      "RequestMetrics", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.decoder(MetricsResponse.newBuilder()));
  /** The trailer (or header) in which a full gateway may say when to retry: seconds, or a duration like 500ms. */
  static final String RETRY_AFTER = "retry-after";

  private final Vertx vertx;
  private final GrpcClient client;
  private final GatewayEndpoint endpoint;
  private final Duration timeout;
  private final MultiMap headers;
  private int acknowledged;

  GatewayCall(Vertx vertx, GrpcClient client, GatewayEndpoint endpoint, Duration timeout, MultiMap headers) {
    this.vertx = vertx;
    this.client = client;
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.headers = headers;
  }

  /** How many messages the gateway acknowledged (all or none with {@code stream}). */
  int acknowledged() {
    return acknowledged;
  }

  /** Sends {@code messages} from index {@code from} on one streaming call. */
  Future<Void> stream(List<Buffer> messages, int from) {
    return call(STREAM_METRICS, messages.subList(from, messages.size()))
        .onSuccess(v -> acknowledged = messages.size() - from);
  }

  /** Sends {@code messages} from index {@code from} as unary calls, one after the other. */
  Future<Void> unary(List<Buffer> messages, int from) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = from; i < messages.size(); i++) {
      List<Buffer> one = messages.subList(i, i + 1);
      chain = chain.compose(v -> call(REQUEST_METRICS, one).onSuccess(x -> acknowledged++));
    }
    return chain;
  }

  private Future<Void> call(ServiceMethod<MetricsResponse, Buffer> method, List<Buffer> messages) {
    Promise<Void> done = Promise.promise();
    @SuppressWarnings("unchecked")
    GrpcClientRequest<Buffer, MetricsResponse>[] request = new GrpcClientRequest[1];
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
      if (done.tryFail(new GatewayCallException(GrpcStatus.DEADLINE_EXCEEDED,
          "no answer within " + Durations.format(timeout), null, null)) && request[0] != null) {
        request[0].cancel();
      }
    });
    client.request(endpoint.address(), method).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(GatewayCallException.of(ar.cause()));
        return;
      }
      GrpcClientRequest<Buffer, MetricsResponse> req = ar.result();
      if (done.future().isComplete()) {
        req.cancel();
        return;
      }
      request[0] = req;
      req.timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      req.headers().addAll(headers);
      req.response().onComplete(r -> answer(r, done));
      // writes are buffered by the HTTP/2 stream and paced by its flow control; the call's outcome is
      // the response (a failed write shows there too), so write results are not awaited
      for (int i = 0; i < messages.size() - 1; i++) {
        req.write(messages.get(i));
      }
      req.end(messages.get(messages.size() - 1));
    });
    return done.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  private static void answer(AsyncResult<GrpcClientResponse<Buffer, MetricsResponse>> ar, Promise<Void> done) {
    if (ar.failed()) {
      done.tryFail(GatewayCallException.of(ar.cause()));
      return;
    }
    GrpcClientResponse<Buffer, MetricsResponse> resp = ar.result();
    resp.handler(m -> { });
    resp.end().onComplete(end -> {
      if (end.succeeded()) {
        done.tryComplete();
      } else if (resp.status() != null && resp.status() != GrpcStatus.OK) {
        done.tryFail(new GatewayCallException(resp.status(), statusMessage(resp), retryAfter(resp), null));
      } else {
        done.tryFail(GatewayCallException.of(end.cause()));
      }
    });
  }

  /** {@code grpc-message}: in the headers of a trailers-only answer, else in the trailers. */
  private static String statusMessage(GrpcClientResponse<?, ?> resp) {
    String m = resp.statusMessage();
    if (m != null) {
      return m;
    }
    String raw = resp.trailers().get("grpc-message");
    return raw == null ? null : percentDecode(raw);
  }

  private static Duration retryAfter(GrpcClientResponse<?, ?> resp) {
    String v = resp.trailers().get(RETRY_AFTER);
    if (v == null) {
      v = resp.headers().get(RETRY_AFTER);
    }
    return parseRetryAfter(v);
  }

  /** Seconds ({@code 5}) or a duration ({@code 500ms}); null when absent or not understood. */
  static Duration parseRetryAfter(String v) {
    if (v == null || v.isBlank()) {
      return null;
    }
    String t = v.trim();
    try {
      long s = Long.parseLong(t);
      return s >= 0 ? Duration.ofSeconds(s) : null;
    } catch (NumberFormatException e) {
      try {
        return Durations.parse(t);
      } catch (RuntimeException bad) {
        return null;
      }
    }
  }

  /** gRPC's percent-encoding of {@code grpc-message} (unlike form encoding, '+' stays '+'). */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      int hi = i + 2 < in.length && in[i] == '%' ? Character.digit(in[i + 1], 16) : -1;
      int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
      if (lo >= 0) {
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
