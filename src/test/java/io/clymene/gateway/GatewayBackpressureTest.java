package io.clymene.gateway;

import static io.clymene.gateway.GatewayHarness.stream;
import static io.clymene.gateway.GatewayHarness.unary;
import static io.clymene.gateway.WriteRequests.post;
import static io.clymene.gateway.WriteRequests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the output is full (its receiver is down, memory bound reached and no disk queue) the gateway takes
 * nothing more and says so: 429 with Retry-After over HTTP, RESOURCE_EXHAUSTED with a retry-after trailer
 * over gRPC, after a paused stream waited {@code stream_wait}; nothing is dropped inside the gateway.
 */
@Timeout(120)
class GatewayBackpressureTest {
  static Path dir;
  static GatewayHarness gateway;
  static Vertx vertx;
  static GrpcClient client;
  static final long T0 = System.currentTimeMillis() - 60_000;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("gateway-full-");
    int dead = Ports.free(); // nothing listens there
    gateway = GatewayHarness.start(dir, "  retry_after: 3s\n",
        "  - type: prometheus\n    url: http://127.0.0.1:" + dead + "/api/v1/write\n"
            + "    queue: {capacity: 10, min_shards: 1, max_shards: 1, spill_max_bytes: 0, min_backoff: 1s}\n",
        ", stream_wait: 700ms", "");
    // the first request is taken even though it is larger than the bound (an empty queue takes anything)
    HttpResponse<String> first = post(gateway.http() + "/api/v1/write", request("bp_first", 20, 1, T0));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(204);
    vertx = Vertx.vertx();
    client = GatewayHarness.plainClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    if (gateway != null) {
      gateway.close();
    }
    TempDirs.delete(dir);
  }

  @Test
  void httpGets429WithRetryAfter() {
    HttpResponse<String> r = post(gateway.http() + "/api/v1/write", request("bp_http", 5, 1, T0));
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("3");
    assertThat(r.body()).contains("output is full").contains("prometheus");
    HttpResponse<String> influx = post(gateway.http() + "/write", "bp_influx v=1".getBytes(), "Content-Type",
        "text/plain");
    assertThat(influx.statusCode()).isEqualTo(429);
  }

  @Test
  void grpcGetsResourceExhaustedAndStreamsWaitFirst() throws Exception {
    GatewayHarness.Outcome u = unary(client, gateway.grpcPort, request("bp_grpc", 5, 1, T0), Map.of());
    assertThat(u.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(u.message()).contains("output is full");
    assertThat(u.trailer("retry-after")).isEqualTo("3");

    long t = System.nanoTime();
    GatewayHarness.Outcome s = stream(client, gateway.grpcPort, List.of(request("bp_stream", 5, 1, T0)), Map.of());
    long waitedMs = (System.nanoTime() - t) / 1_000_000;
    assertThat(s.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(waitedMs).as("the stream waited for room before giving up").isGreaterThanOrEqualTo(600);
  }

  @Test
  void refusalsAreCountedNotDropped() {
    post(gateway.http() + "/api/v1/write", request("bp_count", 5, 1, T0));
    String metrics = Http.body("http://127.0.0.1:" + gateway.launcher.adminPort() + "/metrics");
    assertThat(metrics).containsPattern("clymene_gateway_throttled_requests_total\\{protocol=\"remote_write\"} [1-9]");
    assertThat(metrics).containsPattern("clymene_gateway_requests_total\\{code=\"429\",protocol=\"remote_write\"} [1-9]");
    // the gateway asked its writer before offering, so the writer dropped nothing
    assertThat(metrics).doesNotContainPattern("clymene_dropped_samples_total\\{[^}]*reason=\"queue_full\"[^}]*} [1-9]");
  }
}
