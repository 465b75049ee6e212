package io.clymene.gateway;

import io.clymene.config.ServerAddress;
import io.clymene.gateway.GatewayOptions.TlsServerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;

/**
 * One copy of the gateway's receivers: the HTTP receivers and the gRPC service, each on its own port.
 * Deployed once per event loop; the copies share the ports (Vert.x spreads connections over them), the
 * output, the credentials and the meters, and each has its own decoders.
 */
public final class GatewayVerticle extends VerticleBase {
  /** HTTP/2 flow-control window per stream of the gRPC server. */
  static final int STREAM_WINDOW = 4 << 20;
  /** HTTP/2 flow-control window per connection of the gRPC server. */
  static final int CONNECTION_WINDOW = 16 << 20;
  private final GatewayOptions options;
  private final GatewayAuth auth;
  private final GatewayOutput output;
  private final GatewayMetrics metrics;
  private HttpServer http;
  private HttpServer grpc;

  /**
   * @param options where and how to listen
   * @param auth the accepted credentials, or null to accept every client
   * @param output where received batches go
   * @param metrics the meters, shared by every copy
   */
  public GatewayVerticle(GatewayOptions options, GatewayAuth auth, GatewayOutput output, GatewayMetrics metrics) {
    this.options = options;
    this.auth = auth;
    this.output = output;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions httpOptions = serverOptions(options.httpTls());
    http = vertx.createHttpServer(httpOptions).requestHandler(new HttpReceivers(options, auth, output, metrics));
    GrpcServer grpcServer = GrpcServer.server(vertx, new GrpcServerOptions()
        // above the decoder's own limit, so that an oversize message gets its clear INVALID_ARGUMENT
        .setMaxMessageSize(4L * options.maxMessageBytes())
        .setScheduleDeadlineAutomatically(true));
    new GrpcReceivers(vertx, options, auth, output, metrics).bind(grpcServer);
    // HTTP/2 flow control: the default 64 KiB windows make a client wait for a round trip every 64 KiB
    // of a stream; large windows let a write request of a few MB flow at once
    HttpServerOptions grpcOptions = serverOptions(options.grpcTls())
        .setInitialSettings(new Http2Settings().setInitialWindowSize(STREAM_WINDOW))
        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW);
    grpc = vertx.createHttpServer(grpcOptions).requestHandler(grpcServer);
    return http.listen(options.http().port(), options.http().host())
        .recover(err -> Future.failedFuture(new BindFailure(options.http(), err)))
        .compose(h -> grpc.listen(options.grpc().port(), options.grpc().host())
            .recover(err -> Future.failedFuture(new BindFailure(options.grpc(), err))));
  }

  /** The port the HTTP receivers listen on. */
  public int httpPort() {
    return http.actualPort();
  }

  /** The port the gRPC service listens on. */
  public int grpcPort() {
    return grpc.actualPort();
  }

  private static HttpServerOptions serverOptions(TlsServerOptions tls) {
    HttpServerOptions o = new HttpServerOptions()
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHttp2ClearTextEnabled(true)
        .setTcpNoDelay(true);
    if (tls != null) {
      o.setSsl(true).setUseAlpn(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()));
      if (tls.clientCaFile() != null) {
        o.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaFile()));
      }
      o.setClientAuth(switch (tls.clientAuth()) {
        case "require" -> ClientAuth.REQUIRED;
        case "request" -> ClientAuth.REQUEST;
        default -> ClientAuth.NONE;
      });
    }
    return o;
  }

  @Override
  public Future<?> stop() {
    Future<Void> a = http == null ? Future.succeededFuture() : http.close();
    Future<Void> b = grpc == null ? Future.succeededFuture() : grpc.close();
    return Future.join(a, b);
  }

  /** A server could not listen; names the address so the caller can name its config key. */
  public static final class BindFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ServerAddress address;

    BindFailure(ServerAddress address, Throwable cause) {
      super(address.keyPath() + " " + address + ": " + cause.getMessage(), cause);
      this.address = address;
    }

    /** The address that could not be bound. */
    public ServerAddress address() {
      return address;
    }
  }
}
