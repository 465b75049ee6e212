package io.clymene.gateway;

import static io.clymene.gateway.GatewayHarness.unary;
import static io.clymene.gateway.WriteRequests.post;
import static io.clymene.gateway.WriteRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.proto.prometheus.ClymeneServiceGrpcClient;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.RawSample;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may write: bearer tokens and basic credentials from a file that is read again when it changes (a
 * broken file keeps the previous credentials), the tenant header written into a label, and TLS with client
 * certificates (mTLS) on both servers. Certificates are made with openssl for the test.
 */
@Timeout(180)
class GatewayAuthTest {
  static Path dir;
  static Path credentials;
  static ExternalServer vm;
  static VictoriaMetricsApi api;
  static GatewayHarness gateway;
  static GatewayHarness tlsGateway;
  static Vertx vertx;
  static GrpcClient client;
  static final long T0 = System.currentTimeMillis() - 60_000;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("gateway-auth-");
    vm = ExternalServer.victoriaMetrics();
    api = new VictoriaMetricsApi(vm.url());
    credentials = dir.resolve("credentials.yaml");
    Files.writeString(credentials, "bearer_tokens: [token-one]\nbasic_auth_users: {agent-1: s3cret}\n");
    String storage = "  - type: prometheus\n    url: " + vm.url() + "/api/v1/write\n"
        + "    queue: {batch_send_deadline: 200ms}\n";
    gateway = GatewayHarness.start(dir, "  auth: {credentials_file: " + credentials + ", check_interval: 200ms}\n"
        + "  tenant: {header: X-Scope-OrgID, label: tenant}\n", storage, "", "");
    Certificates.make(dir);
    String tls = "tls: {cert_file: " + dir.resolve("server.pem") + ", key_file: " + dir.resolve("server.key")
        + ", client_ca_file: " + dir.resolve("ca.pem") + "}";
    tlsGateway = GatewayHarness.start(dir, "", storage, ", " + tls, ", tls: {cert_file: " + dir.resolve("server.pem")
        + ", key_file: " + dir.resolve("server.key") + "}");
    vertx = Vertx.vertx();
    client = GatewayHarness.plainClient(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    for (GatewayHarness g : new GatewayHarness[] {gateway, tlsGateway}) {
      if (g != null) {
        g.close();
      }
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

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void httpNeedsValidCredentials() {
    String url = gateway.http() + "/api/v1/write";
    HttpResponse<String> none = post(url, request("auth_http", 1, 1, T0));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(none.body()).contains("authentication required");
    HttpResponse<String> wrong = post(url, WriteRequests.snappy(request("auth_http", 1, 1, T0).toByteArray()),
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy", "Authorization", "Bearer nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("invalid credentials");
    HttpResponse<String> bearer = post(url, WriteRequests.snappy(request("auth_http", 1, 1, T0).toByteArray()),
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy", "Authorization", "Bearer token-one");
    assertThat(bearer.statusCode()).as(bearer.body()).isEqualTo(204);
    HttpResponse<String> basic = post(url, WriteRequests.snappy(request("auth_http", 1, 1, T0 + 1000).toByteArray()),
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy", "Authorization", basic("agent-1", "s3cret"));
    assertThat(basic.statusCode()).as(basic.body()).isEqualTo(204);
    HttpResponse<String> badBasic = post(url, WriteRequests.snappy(request("auth_http", 1, 1, T0).toByteArray()),
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy", "Authorization", basic("agent-1", "x"));
    assertThat(badBasic.statusCode()).isEqualTo(401);
    Await.until("authorized samples stored", Duration.ofSeconds(30), () -> stored("auth_http") == 2 ? true : null);
  }

  @Test
  void grpcNeedsValidCredentials() throws Exception {
    GatewayHarness.Outcome none = unary(client, gateway.grpcPort, request("auth_grpc", 1, 1, T0), Map.of());
    assertThat(none.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    GatewayHarness.Outcome ok = unary(client, gateway.grpcPort, request("auth_grpc", 1, 1, T0),
        Map.of("authorization", "Bearer token-one"));
    assertThat(ok.status()).as(ok.message()).isEqualTo(GrpcStatus.OK);
  }

  @Test
  void theCredentialsFileIsReadAgainWhenItChangesAndABrokenOneIsIgnored() throws Exception {
    Path second = dir.resolve("second.yaml");
    Files.writeString(second, "bearer_tokens: [token-one, token-two]\nbasic_auth_users: {agent-1: s3cret}\n");
    GatewayHarness g = GatewayHarness.start(dir, "  auth: {credentials_file: " + second + ", check_interval: 200ms}\n",
        "  - type: discard\n", "", "");
    try {
      String url = g.http() + "/api/v1/write";
      byte[] body = WriteRequests.snappy(request("auth_reload", 1, 1, T0).toByteArray());
      assertThat(post(url, body, "Content-Type", "application/x-protobuf", "Authorization", "Bearer token-two")
          .statusCode()).isEqualTo(204);
      Files.writeString(second, "bearer_tokens: [token-three]\n");
      Await.until("token-two refused after the change", Duration.ofSeconds(10), () -> post(url, body,
          "Content-Type", "application/x-protobuf", "Authorization", "Bearer token-two").statusCode() == 401 ? true : null);
      assertThat(post(url, body, "Content-Type", "application/x-protobuf", "Authorization", "Bearer token-three")
          .statusCode()).isEqualTo(204);
      Files.writeString(second, "bearer_tokens: [ broken\n");
      Thread.sleep(1000);
      assertThat(post(url, body, "Content-Type", "application/x-protobuf", "Authorization", "Bearer token-three")
          .statusCode()).as("a broken file keeps the previous credentials").isEqualTo(204);
    } finally {
      g.close();
    }
  }

  @Test
  void theTenantHeaderBecomesALabel() {
    HttpResponse<String> r = post(gateway.http() + "/api/v1/write",
        WriteRequests.snappy(request("auth_tenant", 2, 1, T0, "tenant", "spoofed").toByteArray()),
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy", "Authorization", "Bearer token-one",
        "X-Scope-OrgID", "team-a");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    Await.until("tenant samples stored", Duration.ofSeconds(30), () -> stored("auth_tenant") == 2 ? true : null);
    assertThat(api.export("auth_tenant").keySet()).containsExactlyInAnyOrder(
        new TreeMap<>(Map.of("__name__", "auth_tenant", "series", "0", "tenant", "team-a")),
        new TreeMap<>(Map.of("__name__", "auth_tenant", "series", "1", "tenant", "team-a")));
  }

  @Test
  void mutualTlsOnGrpcAndTlsOnHttp() throws Exception {
    HttpClientOptions withCert = new HttpClientOptions().setSsl(true).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("client.pem").toString())
            .setKeyPath(dir.resolve("client.key").toString()));
    GrpcClient mtls = GrpcClient.client(vertx, withCert);
    GatewayHarness.Outcome ok = unary(mtls, tlsGateway.grpcPort, request("auth_mtls", 1, 1, T0), Map.of());
    assertThat(ok.status()).as(ok.message()).isEqualTo(GrpcStatus.OK);
    mtls.close();

    HttpClientOptions noCert = new HttpClientOptions(withCert).setKeyCertOptions(null);
    GrpcClient anonymous = GrpcClient.client(vertx, noCert);
    assertThatThrownBy(() -> unary(anonymous, tlsGateway.grpcPort, request("auth_mtls", 1, 1, T0), Map.of()))
        .as("a client without a certificate is turned away during the handshake").isNotNull();
    anonymous.close();

    var https = vertx.createHttpClient(new HttpClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString())));
    int status = https.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(tlsGateway.httpPort).setURI("/api/v1/write")
            .putHeader("Content-Type", "application/x-protobuf").putHeader("Content-Encoding", "snappy"))
        .compose(req -> req.send(Buffer.buffer(WriteRequests.snappy(request("auth_https", 1, 1, T0).toByteArray()))))
        .map(resp -> resp.statusCode()).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(status).isEqualTo(204);
    https.close();
    Await.until("TLS samples stored", Duration.ofSeconds(30),
        () -> stored("auth_mtls") == 1 && stored("auth_https") == 1 ? true : null);
    assertThat(ClymeneServiceGrpcClient.RequestMetrics.methodName()).isEqualTo("RequestMetrics");
  }
}
