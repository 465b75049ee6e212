package io.clymene.gateway;

import static io.clymene.gateway.GatewayHarness.stream;
import static io.clymene.gateway.GatewayHarness.unary;
import static io.clymene.gateway.WriteRequests.rawSeries;
import static io.clymene.gateway.WriteRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's gRPC service in front of a real VictoriaMetrics: RequestMetrics (as the Go Clymene's agents
 * call it) and StreamMetrics deliver; bad messages get INVALID_ARGUMENT naming the series; an oversize
 * message is refused; the service keeps serving after each.
 */
@Timeout(180)
class GatewayGrpcTest {
  static Path dir;
  static ExternalServer vm;
  static VictoriaMetricsApi api;
  static GatewayHarness gateway;
  static Vertx vertx;
  static GrpcClient client;
  static final long T0 = System.currentTimeMillis() - 60_000;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("gateway-grpc-");
    vm = ExternalServer.victoriaMetrics();
    api = new VictoriaMetricsApi(vm.url());
    gateway = GatewayHarness.start(dir, "", "  - type: prometheus\n    url: " + vm.url() + "/api/v1/write\n"
        + "    queue: {batch_send_deadline: 200ms}\n", ", max_message_size: 64KiB", "");
    vertx = Vertx.vertx();
    client = GatewayHarness.plainClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (vm != null) {
      vm.close();
    }
    TempDirs.delete(dir);
  }

  private static int stored(String selector) {
    Map<Map<String, String>, List<RawSample>> got = api.export(selector);
    return got == null ? 0 : got.values().stream().mapToInt(List::size).sum();
  }

  @Test
  void requestMetricsDeliversLikeTheGoClymenesAgentSendsIt() throws Exception {
    GatewayHarness.Outcome o = unary(client, gateway.grpcPort, request("grpc_unary", 20, 3, T0), Map.of());
    assertThat(o.status()).as(o.message()).isEqualTo(GrpcStatus.OK);
    Await.until("unary stored", Duration.ofSeconds(30), () -> stored("grpc_unary") == 60 ? true : null);
  }

  @Test
  void streamMetricsDeliversEveryMessage() throws Exception {
    List<WriteRequest> msgs = new ArrayList<>();
    for (int m = 0; m < 25; m++) {
      msgs.add(request("grpc_stream", 40, 2, T0 + m * 2_000L));
    }
    GatewayHarness.Outcome o = stream(client, gateway.grpcPort, msgs, Map.of());
    assertThat(o.status()).as(o.message()).isEqualTo(GrpcStatus.OK);
    Await.until("stream stored", Duration.ofSeconds(30), () -> stored("grpc_stream") == 25 * 40 * 2 ? true : null);
  }

  @Test
  void badMessagesGetInvalidArgumentNamingTheSeries() throws Exception {
    GatewayHarness.Outcome unsorted = unary(client, gateway.grpcPort,
        rawSeries(T0, "__name__", "grpc_bad", "zone", "z", "app", "a"), Map.of());
    assertThat(unsorted.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(unsorted.message()).contains("grpc_bad").contains("not sorted");

    GatewayHarness.Outcome midStream = stream(client, gateway.grpcPort, List.of(
        request("grpc_before_bad", 2, 1, T0), request("grpc_before_bad", 2, 1, T0 + 1000),
        rawSeries(T0, "__name__", "grpc_bad", "app", "a", "app", "b"),
        request("grpc_after_bad", 2, 1, T0)), Map.of());
    assertThat(midStream.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(midStream.message()).contains("duplicate label name").contains("message 3")
        .contains("the 2 before it were taken");
    Await.until("the two good messages stored", Duration.ofSeconds(30),
        () -> stored("grpc_before_bad") == 4 ? true : null);
    assertThat(stored("grpc_after_bad")).isZero();

    GatewayHarness.Outcome ok = unary(client, gateway.grpcPort, request("grpc_after_all", 1, 1, T0), Map.of());
    assertThat(ok.status()).isEqualTo(GrpcStatus.OK);
  }

  @Test
  void oversizeMessagesAreRefusedAndTheServiceKeepsServing() throws Exception {
    GatewayHarness.Outcome big = unary(client, gateway.grpcPort, request("grpc_big", 1500, 2, T0), Map.of());
    assertThat(big.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(big.message()).contains("exceeds the limit of 65536 bytes").contains("max_message_size");
    assertThat(stored("grpc_big")).isZero();
    GatewayHarness.Outcome ok = unary(client, gateway.grpcPort, request("grpc_after_big", 3, 1, T0), Map.of());
    assertThat(ok.status()).as(ok.message()).isEqualTo(GrpcStatus.OK);
    Await.until("stored after the big one", Duration.ofSeconds(30), () -> stored("grpc_after_big") == 3 ? true : null);
  }
}
