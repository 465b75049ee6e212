package io.clymene.agent.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.testing.Await;
import io.clymene.testing.TempDirs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * How Kubernetes discovery reaches the API server: kubeconfig file, api_server with Prometheus' HTTP client
 * settings, in-cluster service account (token, CA, own namespace), namespaces and selectors, and failure
 * reporting with recovery. The real Kubernetes API cannot run on this machine, so fabric8's CRUD mock server
 * ({@code kubernetes-server-mock}: stores objects, answers list and watch, records requests) stands in for it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KubernetesApiAccessTest {
  private static final String NAME = "kubernetes_sd_configs[0]";
  private static Vertx vertx;

  private final List<KubernetesMockServer> servers = new ArrayList<>();
  private final List<KubernetesDiscoverer> running = new ArrayList<>();
  private Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void tempDir() throws Exception {
    dir = Files.createTempDirectory("clymene-k8s-");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (KubernetesDiscoverer d : running) {
      d.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    servers.forEach(KubernetesMockServer::destroy);
    TempDirs.delete(dir);
  }

  private KubernetesMockServer server(boolean https, int port) throws Exception {
    KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), https);
    servers.add(s);
    if (port == 0) {
      s.init();
    } else {
      s.init(InetAddress.getByName("127.0.0.1"), port);
    }
    return s;
  }

  private GroupCollector start(String yaml, DiscoveryContext ctx, InCluster inCluster) {
    Map<String, Object> raw = new Yaml().load(yaml);
    KubernetesSdConfig config = KubernetesSdConfig.parse(new JsonObject(raw), "scrape_configs[0]." + NAME, dir);
    KubernetesDiscoverer d = new KubernetesDiscoverer(config, ctx, inCluster);
    running.add(d);
    GroupCollector sink = new GroupCollector();
    d.start(sink);
    return sink;
  }

  private static DiscoveryContext context() {
    return new DiscoveryContext(vertx, new SimpleMeterRegistry(), "k8s", NAME, "kubernetes");
  }

  private static InCluster notInCluster() {
    return new InCluster(null, null, Path.of("/nonexistent"));
  }

  private static Pod pod(String ns, String name, String app) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", app).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("i").addNewPort().withContainerPort(80).endPort()
        .endContainer().endSpec().withNewStatus().withPodIP("10.9.0.1").endStatus().build();
  }

  /** The GET requests the server got so far whose path starts with {@code prefix}. */
  private static List<RecordedRequest> requests(KubernetesMockServer s, String prefix) throws Exception {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = s.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      if (r.getMethod().equals("GET") && r.getPath().startsWith(prefix)) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void kubeconfigFileGivesServerAndCredentials() throws Exception {
    KubernetesMockServer s = server(false, 0);
    KubernetesClient client = s.createClient();
    client.pods().inNamespace("a").resource(pod("a", "p1", "web")).create();
    Files.writeString(dir.resolve("kubeconfig.yml"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "http://127.0.0.1:%d"}
        users:
        - name: u
          user: {token: kube-token}
        contexts:
        - name: c
          context: {cluster: mock, user: u}
        current-context: c
        """.formatted(s.getPort()));
    // relative to the configuration file's directory, as in Prometheus
    GroupCollector sink = start("role: pod\nkubeconfig_file: kubeconfig.yml", context(), notInCluster());

    assertThat(sink.awaitFirst()).extracting(TargetGroup::source).containsExactly(NAME + "/pod/a/p1");
    List<RecordedRequest> lists = requests(s, "/api/v1/pods");
    assertThat(lists).isNotEmpty();
    assertThat(lists).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer kube-token"));
  }

  @Test
  void apiServerUsesAuthorizationFileHeadersNamespacesAndLabelSelector() throws Exception {
    KubernetesMockServer s = server(false, 0);
    KubernetesClient client = s.createClient();
    client.pods().inNamespace("sel-a").resource(pod("sel-a", "web", "web")).create();
    client.pods().inNamespace("sel-a").resource(pod("sel-a", "db", "db")).create();
    client.pods().inNamespace("sel-b").resource(pod("sel-b", "web2", "web")).create();
    client.pods().inNamespace("sel-c").resource(pod("sel-c", "web3", "web")).create();
    Files.writeString(dir.resolve("token"), "file-token\n");
    GroupCollector sink = start("""
        role: pod
        api_server: http://127.0.0.1:%d
        authorization: {credentials_file: %s}
        http_headers: {X-Scope: {values: [blue]}}
        namespaces: {names: [sel-a, sel-b]}
        selectors: [{role: pod, label: app=web}]
        """.formatted(s.getPort(), dir.resolve("token")), context(), notInCluster());

    assertThat(sink.awaitFirst()).extracting(TargetGroup::source)
        .containsExactlyInAnyOrder(NAME + "/pod/sel-a/web", NAME + "/pod/sel-b/web2");
    List<RecordedRequest> lists = requests(s, "/api/v1/namespaces/sel-");
    assertThat(lists).hasSizeGreaterThanOrEqualTo(2);
    assertThat(lists).allSatisfy(r -> {
      assertThat(r.getHeader("Authorization")).isEqualTo("Bearer file-token");
      assertThat(r.getHeader("X-Scope")).isEqualTo("blue");
      assertThat(r.getPath()).contains("labelSelector=app%3Dweb");
    });

    // a new matching pod in a watched namespace shows up; others do not
    client.pods().inNamespace("sel-c").resource(pod("sel-c", "web4", "web")).create();
    client.pods().inNamespace("sel-b").resource(pod("sel-b", "db2", "db")).create();
    client.pods().inNamespace("sel-b").resource(pod("sel-b", "web5", "web")).create();
    sink.awaitGroup(NAME + "/pod/sel-b/web5", g -> true);
    assertThat(sink.updates().stream().flatMap(List::stream).map(TargetGroup::source))
        .doesNotContain(NAME + "/pod/sel-c/web4", NAME + "/pod/sel-b/db2");
  }

  @Test
  void fieldSelectorGoesToListAndWatch() throws Exception {
    KubernetesMockServer s = server(false, 0);
    KubernetesClient client = s.createClient();
    client.services().inNamespace("f").resource(new ServiceBuilder().withNewMetadata().withName("kept")
        .withNamespace("f").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    client.services().inNamespace("f").resource(new ServiceBuilder().withNewMetadata().withName("skipped")
        .withNamespace("f").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    GroupCollector sink = start("role: service\napi_server: http://127.0.0.1:" + s.getPort()
        + "\nselectors: [{role: service, field: metadata.name!=skipped}]", context(), notInCluster());

    assertThat(sink.awaitFirst()).extracting(TargetGroup::source).containsExactly(NAME + "/svc/f/kept");
    List<RecordedRequest> calls = requests(s, "/api/v1/services");
    assertThat(calls).extracting(RecordedRequest::getPath).anySatisfy(p -> assertThat(p).contains("watch=true"))
        .allSatisfy(p -> assertThat(p).contains("fieldSelector=metadata.name%21%3Dskipped"));
  }

  @Test
  void inClusterUsesServiceAccountTokenCaAndOwnNamespace() throws Exception {
    KubernetesMockServer s = server(true, 0);
    KubernetesClient client = s.createClient();
    client.pods().inNamespace("mine").resource(pod("mine", "p1", "web")).create();
    client.pods().inNamespace("other").resource(pod("other", "p2", "web")).create();
    Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
    Files.writeString(sa.resolve("token"), "sa-token");
    Files.copy(Path.of(s.getSelfSignedCertificate().certificatePath()), sa.resolve("ca.crt"));
    Files.writeString(sa.resolve("namespace"), "mine");
    GroupCollector sink = start("role: pod\nnamespaces: {own_namespace: true}", context(),
        new InCluster("localhost", Integer.toString(s.getPort()), sa));

    assertThat(sink.awaitFirst()).extracting(TargetGroup::source).containsExactly(NAME + "/pod/mine/p1");
    List<RecordedRequest> lists = requests(s, "/api/v1/namespaces/mine/pods");
    assertThat(lists).isNotEmpty();
    assertThat(lists).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer sa-token"));
  }

  @Test
  void outsideAClusterWithoutApiServerFailsClearly() {
    DiscoveryContext ctx = context();
    GroupCollector sink = start("role: service", ctx, notInCluster());
    Await.until("the failure", Duration.ofSeconds(10), ctx::lastError);
    assertThat(ctx.lastError()).contains("KUBERNETES_SERVICE_HOST").contains("KUBERNETES_SERVICE_PORT");
    assertThat(sink.updates()).isEmpty();
  }

  @Test
  void unreachableApiServerIsReportedAndRecovers() throws Exception {
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = ss.getLocalPort();
    }
    DiscoveryContext ctx = context();
    GroupCollector sink = start("role: pod\napi_server: http://127.0.0.1:" + port, ctx, notInCluster());
    Await.until("the failure", Duration.ofSeconds(10), ctx::lastError);
    assertThat(ctx.lastError()).contains("list/watch of pods (all namespaces) at http://127.0.0.1:" + port
        + " failed");
    assertThat(sink.updates()).isEmpty();

    KubernetesMockServer s = server(false, port);
    s.createClient().pods().inNamespace("x").resource(pod("x", "late", "web")).create();
    // the first list may come before or after the pod is created
    sink.awaitFirst();
    sink.awaitGroup(NAME + "/pod/x/late", g -> true);
    Await.until("recovery", Duration.ofSeconds(10), () -> ctx.lastError() == null);
  }

  @Test
  void rotatedCredentialsFileIsUsedAfterARefresh() throws Exception {
    KubernetesMockServer s = server(false, 0);
    Path token = dir.resolve("rotating");
    Files.writeString(token, "first");
    Map<String, Object> raw = new Yaml().load("role: pod\napi_server: http://127.0.0.1:" + s.getPort()
        + "\nbearer_token_file: " + token);
    KubernetesSdConfig config = KubernetesSdConfig.parse(new JsonObject(raw), NAME, dir);
    ApiConnection conn = ApiConnection.open(config, vertx, notInCluster());
    try {
      assertThat(conn.headersChange()).isTrue();
      conn.refreshHeaders().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      conn.client.pods().inAnyNamespace().list();
      assertThat(requests(s, "/api/v1/pods")).extracting(r -> r.getHeader("Authorization"))
          .containsExactly("Bearer first");

      Files.writeString(token, "second");
      conn.refreshHeaders().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      conn.client.pods().inAnyNamespace().list();
      assertThat(requests(s, "/api/v1/pods")).extracting(r -> r.getHeader("Authorization"))
          .containsExactly("Bearer second");
    } finally {
      conn.close();
    }
  }
}
