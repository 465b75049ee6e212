package io.clymene.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP settings of scrape configs against targets that demand them: basic auth (password file),
 * bearer token (file and inline), authorization with a custom type, OAuth 2.0 client credentials, TLS
 * with a CA file and with insecure_skip_verify, follow_redirects, and an HTTP proxy. Targets, the token
 * endpoint and the proxy are small servers in this test; a wrong credential must give up 0.
 */
@Timeout(120)
class ScrapeHttpOptionsTest {
  private ExternalServer receiver;
  private Vertx vertx;
  private HttpServer plain;
  private HttpServer tls;
  private HttpServer proxy;
  private Launcher launcher;
  private Path dir;
  private final AtomicInteger proxied = new AtomicInteger();
  private final AtomicInteger tokensIssued = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("clymene-http-");
    receiver = ExternalServer.prometheusReceiver();
    vertx = Vertx.vertx();
    plain = vertx.createHttpServer().requestHandler(req -> {
      String auth = String.valueOf(req.getHeader("Authorization"));
      boolean ok = switch (req.path()) {
        case "/basic" -> auth.equals("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()));
        case "/bearer" -> auth.equals("Bearer tok-123");
        case "/custom" -> auth.equals("Custom xyz");
        case "/oauth" -> auth.equals("Bearer issued-token");
        case "/redirect", "/final", "/open" -> true;
        default -> false;
      };
      if (req.path().equals("/token")) {
        req.body().onSuccess(body -> {
          boolean valid = auth.equals("Basic " + Base64.getEncoder().encodeToString("client:csecret".getBytes()))
              && body.toString().contains("grant_type=client_credentials") && body.toString().contains("scope=read");
          if (valid) {
            tokensIssued.incrementAndGet();
            req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("access_token", "issued-token").put("token_type", "Bearer").put("expires_in", 3600).encode());
          } else {
            req.response().setStatusCode(401).end("{\"error\":\"invalid_client\"}");
          }
        });
        return;
      }
      if (req.path().equals("/redirect")) {
        req.response().setStatusCode(302).putHeader("Location", "/final").end();
      } else if (ok) {
        req.response().end("http_opts_metric{path=\"" + req.path() + "\"} 1\n");
      } else {
        req.response().setStatusCode(401).end("unauthorized");
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();

    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    Files.copy(Path.of(cert.certificatePath()), dir.resolve("ca.pem"));
    tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(req -> req.response().end("tls_metric 1\n"))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();

    // a forward proxy for plain HTTP: absolute-form request lines, passed on
    HttpClient client = vertx.createHttpClient();
    proxy = vertx.createHttpServer().requestHandler(req -> {
      proxied.incrementAndGet();
      client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(req.uri()))
          .compose(r -> r.send()).compose(r -> r.body().map(b -> new Object[]{r.statusCode(), b}))
          .onSuccess(a -> req.response().setStatusCode((Integer) a[0]).end((Buffer) a[1]))
          .onFailure(e -> req.response().setStatusCode(502).end());
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (launcher != null) {
      launcher.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
    receiver.close();
    TempDirs.delete(dir);
  }

  @Test
  void authTlsRedirectsAndProxy() throws Exception {
    Files.writeString(dir.resolve("password"), "s3cret\n");
    Files.writeString(dir.resolve("token"), "tok-123\n");
    Files.writeString(dir.resolve("client-secret"), "csecret");
    String p = "127.0.0.1:" + plain.actualPort();
    String t = "localhost:" + tls.actualPort();
    String job = "  - job_name: %s\n    metrics_path: %s\n    static_configs: [{targets: ['%s']}]\n%s";
    String cfg = "global: {scrape_interval: 1s}\nscrape_configs:\n"
        + job.formatted("basic", "/basic", p, "    basic_auth: {username: alice, password_file: " + dir.resolve("password")
        + "}\n")
        + job.formatted("basic-wrong", "/basic", p, "    basic_auth: {username: alice, password: nope}\n")
        + job.formatted("bearer-file", "/bearer", p, "    authorization: {credentials_file: " + dir.resolve("token") + "}\n")
        + job.formatted("bearer-inline", "/bearer", p, "    bearer_token: tok-123\n")
        + job.formatted("custom", "/custom", p, "    authorization: {type: Custom, credentials: xyz}\n")
        + job.formatted("oauth", "/oauth", p, "    oauth2: {client_id: client, client_secret_file: "
        + dir.resolve("client-secret") + ", scopes: [read], token_url: 'http://" + p + "/token'}\n")
        + job.formatted("tls-ca", "/metrics", t, "    scheme: https\n    tls_config: {ca_file: " + dir.resolve("ca.pem")
        + "}\n")
        + job.formatted("tls-untrusted", "/metrics", t, "    scheme: https\n")
        + job.formatted("tls-insecure", "/metrics", t, "    scheme: https\n    tls_config: {insecure_skip_verify: true}\n")
        + job.formatted("redirect", "/redirect", p, "")
        + job.formatted("no-redirect", "/redirect", p, "    follow_redirects: false\n")
        + job.formatted("proxied", "/open", p, "    proxy_url: http://127.0.0.1:" + proxy.actualPort() + "\n")
        + "remote_write:\n  - url: " + receiver.url() + "/api/v1/write\n    queue_config: {batch_send_deadline: 200ms}\n";
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, cfg);
    launcher = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", file.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("clymene-data")));
    launcher.start(Map.of()).toCompletionStage().toCompletableFuture().get();

    PrometheusApi api = new PrometheusApi(receiver.url());
    Map<String, Double> expected = Map.ofEntries(Map.entry("basic", 1.0), Map.entry("basic-wrong", 0.0),
        Map.entry("bearer-file", 1.0), Map.entry("bearer-inline", 1.0), Map.entry("custom", 1.0),
        Map.entry("oauth", 1.0), Map.entry("tls-ca", 1.0), Map.entry("tls-untrusted", 0.0),
        Map.entry("tls-insecure", 1.0), Map.entry("redirect", 1.0), Map.entry("no-redirect", 0.0),
        Map.entry("proxied", 1.0));
    for (Map.Entry<String, Double> e : expected.entrySet()) {
      // a first scrape may time out on a busy machine: wait for the expected outcome
      Await.until("up of job " + e.getKey() + " = " + e.getValue(), Duration.ofSeconds(30),
          () -> e.getValue().equals(api.single("up{job=\"" + e.getKey() + "\"}")));
    }
    assertThat(api.single("http_opts_metric{job=\"redirect\",path=\"/final\"}")).isEqualTo(1.0);
    assertThat(proxied.get()).as("requests through the proxy").isPositive();
    assertThat(tokensIssued.get()).as("the OAuth token is cached, not fetched per scrape").isBetween(1, 2);
  }
}
