package io.clymene.gateway;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.proto.prometheus.ClymeneServiceGrpcClient;
import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.proto.prometheus.ServiceProto.MetricsResponse;
import io.clymene.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A gateway process (in this JVM) on free ports, with a gRPC caller that reports status and message. */
final class GatewayHarness implements AutoCloseable {
  final Launcher launcher;
  final int grpcPort;
  final int httpPort;

  /** The outcome of a gRPC call. */
  record Outcome(GrpcStatus status, String message, MultiMap headers, MultiMap trailers) {
    /** A trailer; a server answering without messages sends trailers only, which clients may show as headers. */
    String trailer(String name) {
      return trailers.get(name) != null ? trailers.get(name) : headers.get(name);
    }
  }

  private GatewayHarness(Launcher launcher, int grpcPort, int httpPort) {
    this.launcher = launcher;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
  }

  /**
   * Starts a gateway.
   *
   * @param gatewayYaml extra lines of the {@code gateway:} section (indented two spaces), after grpc/http
   * @param storageYaml the {@code storage:} list (lines starting with {@code "  - "})
   */
  static GatewayHarness start(Path dir, String gatewayYaml, String storageYaml, String grpcExtra, String httpExtra)
      throws Exception {
    int grpc = Ports.free();
    int http = Ports.free();
    Path cfg = Files.createTempFile(dir, "gateway-", ".yaml");
    Files.writeString(cfg, "admin: {host: 127.0.0.1, port: 0}\n"
        + "gateway:\n"
        + "  grpc: {host: 127.0.0.1, port: " + grpc + grpcExtra + "}\n"
        + "  http: {host: 127.0.0.1, port: " + http + httpExtra + "}\n"
        + gatewayYaml
        + "storage:\n" + storageYaml);
    Launcher l = Launcher.create(CommandLine.parse("--role", "gateway", "--config", cfg.toString(),
        "--data_dir=" + dir.resolve("data-" + grpc)));
    try {
      l.start(Map.of()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      l.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
      throw e;
    }
    return new GatewayHarness(l, grpc, http);
  }

  String http() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** Calls a method with the messages (one for RequestMetrics) and metadata, and waits for the outcome. */
  static Outcome call(GrpcClient client, int port, ServiceMethod<MetricsResponse, WriteRequest> method,
                      List<WriteRequest> messages, Map<String, String> metadata) throws Exception {
    return client.request(SocketAddress.inetSocketAddress(port, "127.0.0.1"), method).compose(req -> {
      metadata.forEach((k, v) -> req.headers().set(k, v));
      for (int i = 0; i < messages.size() - 1; i++) {
        req.write(messages.get(i));
      }
      req.end(messages.get(messages.size() - 1));
      return req.response().compose(resp -> {
        resp.handler(m -> { });
        return resp.end().transform(ar -> Future.succeededFuture(
            new Outcome(resp.status(), resp.statusMessage(), resp.headers(), resp.trailers())));
      });
    }).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static Outcome unary(GrpcClient client, int port, WriteRequest msg, Map<String, String> metadata) throws Exception {
    return call(client, port, ClymeneServiceGrpcClient.RequestMetrics, List.of(msg), metadata);
  }

  static Outcome stream(GrpcClient client, int port, List<WriteRequest> msgs, Map<String, String> metadata)
      throws Exception {
    return call(client, port, ClymeneServiceGrpcClient.StreamMetrics, msgs, metadata);
  }

  static GrpcClient plainClient(Vertx vertx) {
    return GrpcClient.client(vertx);
  }

  @Override
  public void close() throws Exception {
    launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
  }
}
