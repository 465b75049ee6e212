package io.clymene.agent.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * Kubernetes discovery against an API server that keeps and watches objects. The real Kubernetes API cannot
 * run on this machine, so fabric8's CRUD mock server ({@code kubernetes-server-mock}, which stores objects,
 * answers list and watch requests and sends watch events) stands in for it. Each test creates, changes and
 * deletes objects and checks the groups and the exact {@code __meta_kubernetes_*} labels after each step.
 */
@EnableKubernetesMockClient(crud = true, https = false)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KubernetesDiscovererTest {
  private static final String NAME = "kubernetes_sd_configs[0]";
  private static Vertx vertx;

  static KubernetesMockServer server;
  static KubernetesClient client;
  private final List<KubernetesDiscoverer> running = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopDiscoverers() throws Exception {
    for (KubernetesDiscoverer d : running) {
      d.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String apiServer() {
    return "http://127.0.0.1:" + server.getPort();
  }

  private DiscoveryContext context() {
    return new DiscoveryContext(vertx, new SimpleMeterRegistry(), "k8s", NAME, "kubernetes");
  }

  private GroupCollector start(String yaml) {
    return start(yaml, context());
  }

  private GroupCollector start(String yaml, DiscoveryContext ctx) {
    Map<String, Object> raw = new Yaml().load(yaml);
    KubernetesSdConfig config = KubernetesSdConfig.parse(new JsonObject(raw), "scrape_configs[0]." + NAME,
        Path.of("/etc/clymene"));
    KubernetesDiscoverer d = new KubernetesDiscoverer(config, ctx, new InCluster(null, null, Path.of("/nonexistent")));
    running.add(d);
    GroupCollector sink = new GroupCollector();
    d.start(sink);
    return sink;
  }

  private static Map<String, String> map(String... kv) {
    return Labels.of(kv).toMap();
  }

  private static Pod webPod() {
    return new PodBuilder()
        .withNewMetadata().withName("web-1").withNamespace("default")
        .addToLabels("app", "web").addToLabels("app.kubernetes.io/name", "web")
        .addToAnnotations("prometheus.io/scrape", "true")
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-abc")
        .withUid("rs-uid").withController(true).endOwnerReference()
        .endMetadata()
        .withNewSpec().withNodeName("node-1")
        .addNewContainer().withName("c1").withImage("nginx:1.25")
        .addNewPort().withName("http").withContainerPort(80).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withContainerPort(9100).withProtocol("TCP").endPort()
        .endContainer()
        .addNewInitContainer().withName("init").withImage("busybox").endInitContainer()
        .endSpec()
        .withNewStatus().withPodIP("10.0.0.1").withHostIP("192.168.0.1").withPhase("Running")
        .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addNewContainerStatus().withName("c1").withContainerID("containerd://abc").endContainerStatus()
        .addNewInitContainerStatus().withName("init").withContainerID("containerd://init1").endInitContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void podRoleFollowsCreateChangeAndDelete() {
    String uid = client.pods().inNamespace("default").resource(webPod()).create().getMetadata().getUid();
    GroupCollector sink = start("role: pod\napi_server: " + apiServer() + "\nnamespaces: {names: [default]}");
    String source = NAME + "/pod/default/web-1";

    List<TargetGroup> first = sink.awaitFirst();
    assertThat(first).extracting(TargetGroup::source).containsExactly(source);
    TargetGroup g = first.get(0);
    Map<String, String> podLabels = map(
        "__meta_kubernetes_namespace", "default",
        "__meta_kubernetes_pod_name", "web-1",
        "__meta_kubernetes_pod_ip", "10.0.0.1",
        "__meta_kubernetes_pod_ready", "true",
        "__meta_kubernetes_pod_phase", "Running",
        "__meta_kubernetes_pod_node_name", "node-1",
        "__meta_kubernetes_pod_host_ip", "192.168.0.1",
        "__meta_kubernetes_pod_uid", uid,
        "__meta_kubernetes_pod_controller_kind", "ReplicaSet",
        "__meta_kubernetes_pod_controller_name", "web-abc",
        "__meta_kubernetes_pod_label_app", "web",
        "__meta_kubernetes_pod_labelpresent_app", "true",
        "__meta_kubernetes_pod_label_app_kubernetes_io_name", "web",
        "__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name", "true",
        "__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true",
        "__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape", "true");
    assertThat(g.labels().toMap()).isEqualTo(podLabels);
    List<Map<String, String>> podTargets = List.of(
        map("__address__", "10.0.0.1:80",
            "__meta_kubernetes_pod_container_name", "c1",
            "__meta_kubernetes_pod_container_id", "containerd://abc",
            "__meta_kubernetes_pod_container_image", "nginx:1.25",
            "__meta_kubernetes_pod_container_port_name", "http",
            "__meta_kubernetes_pod_container_port_number", "80",
            "__meta_kubernetes_pod_container_port_protocol", "TCP",
            "__meta_kubernetes_pod_container_init", "false"),
        map("__address__", "10.0.0.1:9100",
            "__meta_kubernetes_pod_container_name", "c1",
            "__meta_kubernetes_pod_container_id", "containerd://abc",
            "__meta_kubernetes_pod_container_image", "nginx:1.25",
            "__meta_kubernetes_pod_container_port_name", "metrics",
            "__meta_kubernetes_pod_container_port_number", "9100",
            "__meta_kubernetes_pod_container_port_protocol", "TCP",
            "__meta_kubernetes_pod_container_init", "false"),
        map("__address__", "10.0.0.1",
            "__meta_kubernetes_pod_container_name", "init",
            "__meta_kubernetes_pod_container_id", "containerd://init1",
            "__meta_kubernetes_pod_container_image", "busybox",
            "__meta_kubernetes_pod_container_init", "true"));
    assertThat(g.targets()).extracting(Labels::toMap).isEqualTo(podTargets);

    // a changed label and readiness
    client.pods().inNamespace("default").withName("web-1").edit(p -> new PodBuilder(p)
        .editMetadata().addToLabels("app", "web2").endMetadata()
        .editStatus().editFirstCondition().withStatus("False").endCondition().endStatus().build());
    TargetGroup changed = sink.awaitGroup(source,
        x -> "web2".equals(x.labels().get("__meta_kubernetes_pod_label_app")));
    assertThat(changed.labels().toMap()).isEqualTo(with(podLabels,
        "__meta_kubernetes_pod_label_app", "web2", "__meta_kubernetes_pod_ready", "false"));
    assertThat(changed.targets()).extracting(Labels::toMap).isEqualTo(podTargets);

    // a pod without an IP yet has no targets
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("pending")
        .withNamespace("default").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("x")
        .endContainer().endSpec().build()).create();
    sink.awaitUpdateOf(NAME + "/pod/default/pending");
    assertThat(sink.group(NAME + "/pod/default/pending")).isNull();

    client.pods().inNamespace("default").withName("web-1").delete();
    sink.awaitRemoved(source);
    List<TargetGroup> last = sink.updates().get(sink.updates().size() - 1);
    assertThat(last).containsExactly(TargetGroup.removed(source));
  }

  @Test
  void serviceRoleFollowsCreateChangeAndDelete() {
    GroupCollector sink = start("role: service\napi_server: " + apiServer()
        + "\nnamespaces: {names: [svc-test]}");
    assertThat(sink.awaitFirst()).isEmpty();
    String source = NAME + "/svc/svc-test/web";

    client.services().inNamespace("svc-test").resource(new ServiceBuilder()
        .withNewMetadata().withName("web").withNamespace("svc-test").addToLabels("app", "web")
        .addToAnnotations("team", "a").endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.10")
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
        .addNewPort().withName("dns").withPort(53).withProtocol("UDP").endPort()
        .endSpec().build()).create();
    TargetGroup g = sink.awaitGroup(source, x -> true);
    assertThat(g.labels().toMap()).isEqualTo(map(
        "__meta_kubernetes_namespace", "svc-test",
        "__meta_kubernetes_service_name", "web",
        "__meta_kubernetes_service_label_app", "web",
        "__meta_kubernetes_service_labelpresent_app", "true",
        "__meta_kubernetes_service_annotation_team", "a",
        "__meta_kubernetes_service_annotationpresent_team", "true"));
    assertThat(g.targets()).extracting(Labels::toMap).containsExactly(
        map("__address__", "web.svc-test.svc:8080",
            "__meta_kubernetes_service_port_name", "http",
            "__meta_kubernetes_service_port_number", "8080",
            "__meta_kubernetes_service_port_protocol", "TCP",
            "__meta_kubernetes_service_type", "ClusterIP",
            "__meta_kubernetes_service_cluster_ip", "10.96.0.10"),
        map("__address__", "web.svc-test.svc:53",
            "__meta_kubernetes_service_port_name", "dns",
            "__meta_kubernetes_service_port_number", "53",
            "__meta_kubernetes_service_port_protocol", "UDP",
            "__meta_kubernetes_service_type", "ClusterIP",
            "__meta_kubernetes_service_cluster_ip", "10.96.0.10"));

    // an ExternalName service has an external name instead of a cluster IP
    client.services().inNamespace("svc-test").withName("web").edit(svc -> new ServiceBuilder(svc)
        .editSpec().withType("ExternalName").withExternalName("db.example.com").withClusterIP(null)
        .withPorts(new ServicePortBuilder().withName("pg").withPort(5432).withProtocol("TCP").build())
        .endSpec().build());
    TargetGroup ext = sink.awaitGroup(source, x -> x.targets().size() == 1);
    assertThat(ext.targets().get(0).toMap()).isEqualTo(map(
        "__address__", "web.svc-test.svc:5432",
        "__meta_kubernetes_service_port_name", "pg",
        "__meta_kubernetes_service_port_number", "5432",
        "__meta_kubernetes_service_port_protocol", "TCP",
        "__meta_kubernetes_service_type", "ExternalName",
        "__meta_kubernetes_service_external_name", "db.example.com"));

    // services of other namespaces are not watched
    client.services().inNamespace("elsewhere").resource(new ServiceBuilder().withNewMetadata().withName("other")
        .withNamespace("elsewhere").endMetadata().withNewSpec().addNewPort().withPort(1).endPort().endSpec()
        .build()).create();

    client.services().inNamespace("svc-test").withName("web").delete();
    sink.awaitRemoved(source);
    assertThat(sink.updates().stream().flatMap(List::stream).map(TargetGroup::source))
        .doesNotContain(NAME + "/svc/elsewhere/other");
  }

  private static Pod backendPod(String ns, String ip) {
    return new PodBuilder()
        .withNewMetadata().withName("web-1").withNamespace(ns).addToLabels("app", "web").endMetadata()
        .withNewSpec().withNodeName("node-1")
        .addNewContainer().withName("c1").withImage("app:1")
        .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
        .addNewPort().withName("metrics").withContainerPort(9090).withProtocol("TCP").endPort()
        .endContainer().endSpec()
        .withNewStatus().withPodIP(ip).withPhase("Running").endStatus()
        .build();
  }

  /** The pod role labels of {@link #backendPod} (it has no Ready condition, so readiness is unknown). */
  private static Map<String, String> backendPodMeta(String ip, String uid) {
    return map("__meta_kubernetes_pod_name", "web-1",
        "__meta_kubernetes_pod_ip", ip,
        "__meta_kubernetes_pod_ready", "unknown",
        "__meta_kubernetes_pod_phase", "Running",
        "__meta_kubernetes_pod_node_name", "node-1",
        "__meta_kubernetes_pod_uid", uid,
        "__meta_kubernetes_pod_label_app", "web",
        "__meta_kubernetes_pod_labelpresent_app", "true");
  }

  private static Map<String, String> with(Map<String, String> base, String... kv) {
    Map<String, String> m = new java.util.HashMap<>(base);
    m.putAll(map(kv));
    return m;
  }

  private static void createService(String ns, String label) {
    client.services().inNamespace(ns).resource(new ServiceBuilder()
        .withNewMetadata().withName("web").withNamespace(ns).addToLabels("tier", label).endMetadata()
        .withNewSpec().withClusterIP("10.96.1.1").addNewPort().withName("http").withPort(8080).endPort().endSpec()
        .build()).create();
  }

  private static Map<String, String> serviceMeta(String ns, String label) {
    return map("__meta_kubernetes_service_name", "web",
        "__meta_kubernetes_service_label_tier", label,
        "__meta_kubernetes_service_labelpresent_tier", "true");
  }

  @Test
  void endpointsRoleAttachesServiceAndPodLabels() {
    String ns = "ep-test";
    createService(ns, "front");
    String uid = client.pods().inNamespace(ns).resource(backendPod(ns, "10.1.0.1")).create().getMetadata().getUid();
    client.endpoints().inNamespace(ns).resource(new EndpointsBuilder()
        .withNewMetadata().withName("web").withNamespace(ns).addToLabels("endpoints-label", "x").endMetadata()
        .addNewSubset()
        .addNewAddress().withIp("10.1.0.1").withNodeName("node-1")
        .withNewTargetRef().withKind("Pod").withName("web-1").withNamespace(ns).endTargetRef().endAddress()
        .addNewNotReadyAddress().withIp("10.1.0.2").withHostname("h2").endNotReadyAddress()
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
        .endSubset().build()).create();
    GroupCollector sink = start("role: endpoints\napi_server: " + apiServer() + "\nnamespaces: {names: [" + ns + "]}");
    String source = NAME + "/endpoints/" + ns + "/web";

    List<TargetGroup> first = sink.awaitFirst();
    assertThat(first).extracting(TargetGroup::source).containsExactly(source);
    TargetGroup g = first.get(0);
    assertThat(g.labels().toMap()).isEqualTo(with(serviceMeta(ns, "front"),
        "__meta_kubernetes_namespace", ns,
        "__meta_kubernetes_endpoints_name", "web",
        "__meta_kubernetes_endpoints_label_endpoints_label", "x",
        "__meta_kubernetes_endpoints_labelpresent_endpoints_label", "true"));
    Map<String, String> pod = backendPodMeta("10.1.0.1", uid);
    Map<String, String> ready = with(pod, "__address__", "10.1.0.1:8080",
            "__meta_kubernetes_endpoint_port_name", "http",
            "__meta_kubernetes_endpoint_port_protocol", "TCP",
            "__meta_kubernetes_endpoint_ready", "true",
            "__meta_kubernetes_endpoint_address_target_kind", "Pod",
            "__meta_kubernetes_endpoint_address_target_name", "web-1",
            "__meta_kubernetes_endpoint_node_name", "node-1",
            "__meta_kubernetes_pod_container_name", "c1",
            "__meta_kubernetes_pod_container_image", "app:1",
            "__meta_kubernetes_pod_container_port_name", "http",
            "__meta_kubernetes_pod_container_port_number", "8080",
            "__meta_kubernetes_pod_container_port_protocol", "TCP");
    Map<String, String> extraPort = with(pod, "__address__", "10.1.0.1:9090",
        "__meta_kubernetes_pod_container_name", "c1",
        "__meta_kubernetes_pod_container_image", "app:1",
        "__meta_kubernetes_pod_container_port_name", "metrics",
        "__meta_kubernetes_pod_container_port_number", "9090",
        "__meta_kubernetes_pod_container_port_protocol", "TCP");
    assertThat(g.targets()).extracting(Labels::toMap).containsExactly(
        ready,
        map("__address__", "10.1.0.2:8080",
            "__meta_kubernetes_endpoint_port_name", "http",
            "__meta_kubernetes_endpoint_port_protocol", "TCP",
            "__meta_kubernetes_endpoint_ready", "false",
            "__meta_kubernetes_endpoint_hostname", "h2"),
        // the pod's container port that no endpoint port covers
        extraPort);

    // a change of the service alone sends the endpoints' group again
    client.services().inNamespace(ns).withName("web").edit(svc -> new ServiceBuilder(svc)
        .editMetadata().addToLabels("tier", "back").endMetadata().build());
    TargetGroup relabeled = sink.awaitGroup(source,
        x -> "back".equals(x.labels().get("__meta_kubernetes_service_label_tier")));
    assertThat(relabeled.labels().toMap()).isEqualTo(with(serviceMeta(ns, "back"),
        "__meta_kubernetes_namespace", ns,
        "__meta_kubernetes_endpoints_name", "web",
        "__meta_kubernetes_endpoints_label_endpoints_label", "x",
        "__meta_kubernetes_endpoints_labelpresent_endpoints_label", "true"));

    // an address leaves
    client.endpoints().inNamespace(ns).withName("web").edit(e -> new EndpointsBuilder(e)
        .editFirstSubset().withNotReadyAddresses().endSubset().build());
    TargetGroup fewer = sink.awaitGroup(source, x -> x.targets().size() == 2);
    assertThat(fewer.targets()).extracting(Labels::toMap).containsExactly(ready, extraPort);

    client.endpoints().inNamespace(ns).withName("web").delete();
    sink.awaitRemoved(source);
  }

  @Test
  void endpointSliceRoleAttachesServiceAndPodLabels() {
    String ns = "eps-test";
    createService(ns, "front");
    String uid = client.pods().inNamespace(ns).resource(backendPod(ns, "10.2.0.1")).create().getMetadata().getUid();
    client.discovery().v1().endpointSlices().inNamespace(ns).resource(new EndpointSliceBuilder()
        .withNewMetadata().withName("web-abc12").withNamespace(ns)
        .addToLabels("kubernetes.io/service-name", "web").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("10.2.0.1").withHostname("pod-host").withNodeName("node-1")
        .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
        .withNewTargetRef().withKind("Pod").withName("web-1").withNamespace(ns).endTargetRef()
        .addToDeprecatedTopology("kubernetes.io/hostname", "node-1").endEndpoint()
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").withAppProtocol("http").endPort()
        .build()).create();
    GroupCollector sink = start("role: endpointslice\napi_server: " + apiServer()
        + "\nnamespaces: {names: [" + ns + "]}");
    String source = NAME + "/endpointslice/" + ns + "/web-abc12";

    List<TargetGroup> first = sink.awaitFirst();
    assertThat(first).extracting(TargetGroup::source).containsExactly(source);
    TargetGroup g = first.get(0);
    assertThat(g.labels().toMap()).isEqualTo(with(serviceMeta(ns, "front"),
        "__meta_kubernetes_namespace", ns,
        "__meta_kubernetes_endpointslice_name", "web-abc12",
        "__meta_kubernetes_endpointslice_address_type", "IPv4"));
    Map<String, String> pod = backendPodMeta("10.2.0.1", uid);
    assertThat(g.targets()).extracting(Labels::toMap).containsExactly(
        with(pod, "__address__", "10.2.0.1:8080",
            "__meta_kubernetes_endpointslice_port_name", "http",
            "__meta_kubernetes_endpointslice_port_protocol", "TCP",
            "__meta_kubernetes_endpointslice_port", "8080",
            "__meta_kubernetes_endpointslice_port_app_protocol", "http",
            "__meta_kubernetes_endpointslice_endpoint_conditions_ready", "true",
            "__meta_kubernetes_endpointslice_endpoint_conditions_serving", "true",
            "__meta_kubernetes_endpointslice_endpoint_conditions_terminating", "false",
            "__meta_kubernetes_endpointslice_endpoint_hostname", "pod-host",
            "__meta_kubernetes_endpointslice_address_target_kind", "Pod",
            "__meta_kubernetes_endpointslice_address_target_name", "web-1",
            "__meta_kubernetes_endpointslice_endpoint_topology_kubernetes_io_hostname", "node-1",
            "__meta_kubernetes_endpointslice_endpoint_topology_present_kubernetes_io_hostname", "true",
            "__meta_kubernetes_pod_container_name", "c1",
            "__meta_kubernetes_pod_container_image", "app:1",
            "__meta_kubernetes_pod_container_port_name", "http",
            "__meta_kubernetes_pod_container_port_number", "8080",
            "__meta_kubernetes_pod_container_port_protocol", "TCP"),
        with(pod, "__address__", "10.2.0.1:9090",
            "__meta_kubernetes_pod_container_name", "c1",
            "__meta_kubernetes_pod_container_image", "app:1",
            "__meta_kubernetes_pod_container_port_name", "metrics",
            "__meta_kubernetes_pod_container_port_number", "9090",
            "__meta_kubernetes_pod_container_port_protocol", "TCP"));

    client.services().inNamespace(ns).withName("web").edit(svc -> new ServiceBuilder(svc)
        .editMetadata().addToLabels("tier", "back").endMetadata().build());
    sink.awaitGroup(source, x -> "back".equals(x.labels().get("__meta_kubernetes_service_label_tier")));

    client.discovery().v1().endpointSlices().inNamespace(ns).withName("web-abc12").delete();
    sink.awaitRemoved(source);
  }

  private static void createNode(String name, String zone) {
    client.nodes().resource(new NodeBuilder()
        .withNewMetadata().withName(name).addToLabels("topology.kubernetes.io/zone", zone)
        .addToAnnotations("note", "n").endMetadata()
        .withNewSpec().withProviderID("aws:///i-" + name).endSpec()
        .withNewStatus()
        .addNewAddress().withType("Hostname").withAddress(name + ".local").endAddress()
        .addNewAddress().withType("ExternalIP").withAddress("203.0.113.7").endAddress()
        .addNewAddress().withType("InternalIP").withAddress("10.0.0.5").endAddress()
        .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint().endDaemonEndpoints()
        .endStatus().build()).create();
  }

  @Test
  void nodeRoleFollowsNodes() {
    GroupCollector sink = start("role: node\napi_server: " + apiServer());
    sink.awaitFirst();
    createNode("node-r", "a");
    String source = NAME + "/node/node-r";
    TargetGroup g = sink.awaitGroup(source, x -> true);
    assertThat(g.labels().toMap()).isEqualTo(map(
        "__meta_kubernetes_node_name", "node-r",
        "__meta_kubernetes_node_provider_id", "aws:///i-node-r",
        "__meta_kubernetes_node_label_topology_kubernetes_io_zone", "a",
        "__meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone", "true",
        "__meta_kubernetes_node_annotation_note", "n",
        "__meta_kubernetes_node_annotationpresent_note", "true"));
    assertThat(g.targets()).extracting(Labels::toMap).containsExactly(map(
        "__address__", "10.0.0.5:10250",
        "instance", "node-r",
        "__meta_kubernetes_node_address_Hostname", "node-r.local",
        "__meta_kubernetes_node_address_ExternalIP", "203.0.113.7",
        "__meta_kubernetes_node_address_InternalIP", "10.0.0.5"));

    client.nodes().withName("node-r").delete();
    sink.awaitRemoved(source);
  }

  @Test
  void podRoleAttachesNodeMetadataAndFollowsNodeChanges() {
    String ns = "attach";
    createNode("node-1", "a");
    client.pods().inNamespace(ns).resource(backendPod(ns, "10.3.0.1")).create();
    GroupCollector sink = start("role: pod\napi_server: " + apiServer() + "\nnamespaces: {names: [" + ns + "]}"
        + "\nattach_metadata: {node: true}");
    String source = NAME + "/pod/" + ns + "/web-1";
    TargetGroup g = sink.awaitFirst().get(0);
    assertThat(g.labels().toMap()).containsAllEntriesOf(map(
        "__meta_kubernetes_node_name", "node-1",
        "__meta_kubernetes_node_label_topology_kubernetes_io_zone", "a",
        "__meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone", "true"));
    assertThat(g.labels().toMap()).doesNotContainKey("__meta_kubernetes_node_annotation_note");

    client.nodes().withName("node-1").edit(n -> new NodeBuilder(n)
        .editMetadata().addToLabels("topology.kubernetes.io/zone", "b").endMetadata().build());
    sink.awaitGroup(source,
        x -> "b".equals(x.labels().get("__meta_kubernetes_node_label_topology_kubernetes_io_zone")));
    client.nodes().withName("node-1").delete();
  }

  @Test
  void ingressRoleHasOneTargetPerPath() {
    String ns = "ing";
    GroupCollector sink = start("role: ingress\napi_server: " + apiServer() + "\nnamespaces: {names: [" + ns + "]}");
    assertThat(sink.awaitFirst()).isEmpty();
    client.network().v1().ingresses().inNamespace(ns).resource(new IngressBuilder()
        .withNewMetadata().withName("web").withNamespace(ns).addToLabels("app", "web")
        .addToAnnotations("kubernetes.io/ingress.class", "nginx").endMetadata()
        .withNewSpec().withIngressClassName("nginx")
        .addNewTl().withHosts("*.example.com").endTl()
        .addNewRule().withHost("a.example.com").withNewHttp()
        .addNewPath().withPath("/api").withPathType("Prefix").endPath()
        .addNewPath().withPathType("Prefix").endPath()
        .endHttp().endRule()
        .addNewRule().withHost("b.other.org").endRule()
        .endSpec().build()).create();
    String source = NAME + "/ingress/" + ns + "/web";
    TargetGroup g = sink.awaitGroup(source, x -> true);
    assertThat(g.labels().toMap()).isEqualTo(map(
        "__meta_kubernetes_namespace", ns,
        "__meta_kubernetes_ingress_name", "web",
        "__meta_kubernetes_ingress_class_name", "nginx",
        "__meta_kubernetes_ingress_label_app", "web",
        "__meta_kubernetes_ingress_labelpresent_app", "true",
        "__meta_kubernetes_ingress_annotation_kubernetes_io_ingress_class", "nginx",
        "__meta_kubernetes_ingress_annotationpresent_kubernetes_io_ingress_class", "true"));
    assertThat(g.targets()).extracting(Labels::toMap).containsExactly(
        map("__address__", "a.example.com", "__meta_kubernetes_ingress_scheme", "https",
            "__meta_kubernetes_ingress_host", "a.example.com", "__meta_kubernetes_ingress_path", "/api"),
        map("__address__", "a.example.com", "__meta_kubernetes_ingress_scheme", "https",
            "__meta_kubernetes_ingress_host", "a.example.com", "__meta_kubernetes_ingress_path", "/"),
        map("__address__", "b.other.org", "__meta_kubernetes_ingress_scheme", "http",
            "__meta_kubernetes_ingress_host", "b.other.org", "__meta_kubernetes_ingress_path", "/"));

    client.network().v1().ingresses().inNamespace(ns).withName("web").delete();
    sink.awaitRemoved(source);
  }
}
