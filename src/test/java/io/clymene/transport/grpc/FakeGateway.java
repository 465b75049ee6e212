package io.clymene.transport.grpc;

import io.clymene.proto.prometheus.ClymeneServiceGrpcService;
import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.proto.prometheus.ServiceProto.MetricsResponse;
import io.clymene.proto.prometheus.Types;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC server implementing {@code ClymeneService} on 127.0.0.1 (port 0 on first start, the same
 * port on restart), recording every call and answering as the test says: OK, a status with a message
 * and an optional {@code retry-after} trailer, or never (to run into the client's deadline).
 */
final class FakeGateway {

  /** One call as the gateway saw it. */
  record Call(String method, MultiMap headers, List<WriteRequest> messages, boolean accepted) {
    long samples() {
      long n = 0;
      for (WriteRequest r : messages) {
        for (Types.TimeSeries ts : r.getTimeseriesList()) {
          n += ts.getSamplesCount();
        }
      }
      return n;
    }
  }

  private final Vertx vertx;
  private final KeyCertOptions tls;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile GrpcStatus status = GrpcStatus.OK;
  private volatile String statusMessage;
  private volatile String retryAfter;
  private volatile boolean hang;
  private HttpServer server;
  private int port;

  FakeGateway(Vertx vertx, KeyCertOptions tls) {
    this.vertx = vertx;
    this.tls = tls;
  }

  FakeGateway start() throws Exception {
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(64L << 20));
    grpc.callHandler(ClymeneServiceGrpcService.StreamMetrics, req -> handle("StreamMetrics", req));
    grpc.callHandler(ClymeneServiceGrpcService.RequestMetrics, req -> handle("RequestMetrics", req));
    HttpServerOptions options = new HttpServerOptions();
    if (tls != null) {
      options.setSsl(true).setUseAlpn(true).setKeyCertOptions(tls);
    }
    server = vertx.createHttpServer(options).requestHandler(grpc).listen(port, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = server.actualPort();
    return this;
  }

  /** Stops listening and drops open connections, as a dying gateway. */
  void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void handle(String method, GrpcServerRequest<WriteRequest, MetricsResponse> req) {
    List<WriteRequest> messages = new ArrayList<>();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
    req.handler(messages::add);
    req.endHandler(v -> {
      GrpcStatus answer = status;
      calls.add(new Call(method, headers, messages, !hang && answer == GrpcStatus.OK));
      if (hang) {
        return;
      }
      if (answer == GrpcStatus.OK) {
        req.response().end(MetricsResponse.getDefaultInstance());
        return;
      }
      if (retryAfter != null) {
        req.response().trailers().set("retry-after", retryAfter);
      }
      req.response().status(answer).statusMessage(statusMessage).end();
    });
  }

  /** Answers every call with {@code status} (OK restores normal service). */
  void answer(GrpcStatus status, String message, String retryAfter) {
    this.status = status;
    this.statusMessage = message;
    this.retryAfter = retryAfter;
  }

  /** Receives calls but never answers them. */
  void hang() {
    this.hang = true;
  }

  String endpoint() {
    return "127.0.0.1:" + port;
  }

  List<Call> calls() {
    return calls;
  }

  /** Samples of the calls answered OK. */
  long samples() {
    return calls.stream().filter(Call::accepted).mapToLong(Call::samples).sum();
  }
}
