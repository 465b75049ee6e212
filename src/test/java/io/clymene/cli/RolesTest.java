package io.clymene.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.testing.Http;
import io.clymene.testing.Ports;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway runs its receivers and is ready once they listen; the ingester is not ready until it has
 * joined its consumer group; both refuse to start with nowhere to send.
 */
@Timeout(60)
class RolesTest {

  @Test
  void gatewayIsReadyWhenItsReceiversListen() throws Exception {
    int grpc = Ports.free();
    int http = Ports.free();
    Launcher l = Launcher.create(CommandLine.parse("--role", "gateway", "--admin.host=127.0.0.1", "--admin.port=0",
        "--gateway.grpc.host=127.0.0.1", "--gateway.grpc.port=" + grpc, "--gateway.http.host=127.0.0.1",
        "--gateway.http.port=" + http, "--storage[0].type=discard"));
    try {
      l.start(Map.of()).toCompletionStage().toCompletableFuture().get();
      HttpResponse<String> ready = Http.get("http://127.0.0.1:" + l.adminPort() + "/ready");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      JsonObject gateway = new JsonObject(ready.body()).getJsonObject("parts").getJsonObject("gateway");
      assertThat(gateway.getString("detail")).contains("127.0.0.1:" + grpc).contains("127.0.0.1:" + http);
    } finally {
      l.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void gatewayWithoutStorageFailsNamingTheKey() throws Exception {
    Launcher l = Launcher.create(CommandLine.parse("--role", "gateway", "--admin.host=127.0.0.1", "--admin.port=0"));
    try {
      assertThatThrownBy(() -> l.start(Map.of()).toCompletionStage().toCompletableFuture().get())
          .hasMessageContaining("storage").hasMessageContaining("the gateway has nowhere to send samples");
    } finally {
      l.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().join();
    }
  }

  @Test
  void ingesterWithoutStorageFailsNamingTheKey() throws Exception {
    Launcher l = Launcher.create(CommandLine.parse("--role", "ingester", "--admin.host=127.0.0.1", "--admin.port=0"));
    try {
      assertThatThrownBy(() -> l.start(Map.of()).toCompletionStage().toCompletableFuture().get())
          .hasMessageContaining("storage").hasMessageContaining("the ingester has nowhere to send samples");
    } finally {
      l.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().join();
    }
  }

  @Test
  void ingesterIsNotReadyUntilItHasJoinedItsGroup() throws Exception {
    int nobody = Ports.free();
    Launcher l = Launcher.create(CommandLine.parse("--role", "ingester", "--admin.host=127.0.0.1", "--admin.port=0",
        "--kafka.brokers=127.0.0.1:" + nobody, "--kafka.consumer.group_id=roles", "--storage[0].type=discard"));
    try {
      l.start(Map.of()).toCompletionStage().toCompletableFuture().get();
      String base = "http://127.0.0.1:" + l.adminPort();
      assertThat(Http.get(base + "/health").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = Http.get(base + "/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonObject p = new JsonObject(ready.body()).getJsonObject("parts").getJsonObject("ingester");
      assertThat(p.getBoolean("ready")).isFalse();
      assertThat(p.getString("reason")).isEqualTo("joining consumer group roles at 127.0.0.1:" + nobody);
      assertThat(Http.body(base + "/metrics")).contains("clymene_ingester_paused_partitions");
    } finally {
      l.stop(Duration.ofSeconds(15)).toCompletionStage().toCompletableFuture().get();
    }
  }
}
