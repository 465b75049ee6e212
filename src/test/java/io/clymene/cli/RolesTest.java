package io.clymene.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.testing.Http;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway and ingester roles run only their admin server in this version, and /ready says so. */
@Timeout(60)
class RolesTest {

  private static void checkAdminOnly(String role, String part, String reasonStart) throws Exception {
    Launcher l = Launcher.create(CommandLine.parse("--role", role, "--admin.host=127.0.0.1", "--admin.port=0"));
    try {
      l.start(Map.of()).toCompletionStage().toCompletableFuture().get();
      String base = "http://127.0.0.1:" + l.adminPort();
      assertThat(Http.get(base + "/health").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = Http.get(base + "/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("status")).isEqualTo("not ready");
      JsonObject p = body.getJsonObject("parts").getJsonObject(part);
      assertThat(p.getBoolean("ready")).isFalse();
      assertThat(p.getString("reason")).startsWith(reasonStart);
      assertThat(Http.body(base + "/metrics")).contains("jvm_memory_used_bytes");
      assertThat(Http.post(base + "/-/reload", "").body()).contains("nothing to reload");
    } finally {
      l.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void gatewayRunsOnlyItsAdminServer() throws Exception {
    checkAdminOnly("gateway", "gateway", "the gateway receivers (gRPC and HTTP) are not available in this version");
  }

  @Test
  void ingesterRunsOnlyItsAdminServer() throws Exception {
    checkAdminOnly("ingester", "ingester", "the ingester's Kafka consumer is not available in this version");
  }
}
