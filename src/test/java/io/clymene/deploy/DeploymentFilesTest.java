package io.clymene.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.testing.TempDirs;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployment files under {@code conf/deploy}: the Kubernetes manifests and the Compose file.
 *
 * <p>Neither Docker nor a Kubernetes API server can run here, and {@code kubectl} needs a server to validate,
 * so this is the schema check: every manifest document is deserialized by fabric8 into the Kubernetes API
 * types and any field the types do not know fails (with file, document and field path); then what the types
 * cannot say is checked (containers complete, probes on declared ports, selectors and Services reach pods,
 * references resolve, the kustomization lists every file); and every Clymene container's config, as mounted
 * from its ConfigMap with the environment the manifest sets, goes through our real loader as
 * {@code check-config} does. The Compose file gets the same treatment. Each check has a negative test: a
 * broken copy is rejected with a message naming the file, the document and the field.
 */
@Timeout(120)
class DeploymentFilesTest {
  static final Path KUBERNETES = Path.of("conf/deploy/kubernetes");
  static final Path COMPOSE = Path.of("conf/deploy/compose.yaml");

  private Path tmp;

  @BeforeEach
  void setUp() throws IOException {
    tmp = Files.createTempDirectory("clymene-deploy-");
  }

  @AfterEach
  void tearDown() {
    TempDirs.delete(tmp);
  }

  @Test
  void manifestsAreValidKubernetesObjectsAndHangTogether() {
    List<Manifests.Doc> docs = Manifests.load(KUBERNETES);
    assertThat(docs.stream().map(d -> d.resource().getClass().getSimpleName()).collect(Collectors.toSet()))
        .contains("Namespace", "StatefulSet", "Deployment", "Service", "ConfigMap", "ServiceAccount",
            "ClusterRole", "ClusterRoleBinding", "PodDisruptionBudget");
    assertThat(ManifestChecks.check(docs)).isEmpty();
  }

  @Test
  void agentsFindEachOtherThroughTheHeadlessService() {
    List<Manifests.Doc> docs = Manifests.load(KUBERNETES);
    StatefulSet agents = ManifestChecks.find(docs, StatefulSet.class, "monitoring", "clymene-agent");
    Service headless = ManifestChecks.find(docs, Service.class, "monitoring", agents.getSpec().getServiceName());
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactlyInAnyOrder(5801, 5802);
    Map<String, EnvVar> env = agents.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("CLYMENE_CLUSTER_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("CLYMENE_CLUSTER_HOST").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    assertThat(env.get("CLYMENE_CLUSTER_MEMBER_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env.get("CLYMENE_CLUSTER_KUBERNETES_SERVICE_DNS").getValue())
        .isEqualTo(headless.getMetadata().getName() + ".monitoring.svc.cluster.local");
    assertThat(env.get("CLYMENE_CLUSTER_BUS_PORT").getValue()).isEqualTo("5802");
  }

  @Test
  void kustomizationListsEveryManifest() {
    String text = Manifests.read(KUBERNETES.resolve(Manifests.KUSTOMIZATION));
    assertThat(Kustomization.check(KUBERNETES, text)).isEmpty();
  }

  @Test
  void everyClymeneContainerPassesCheckConfig() {
    assertThat(PodConfigs.check(Manifests.load(KUBERNETES), tmp)).isEmpty();
  }

  @Test
  void composeFileIsCompleteAndItsConfigsLoad() {
    assertThat(ComposeChecks.check(COMPOSE, Manifests.yamlMap(Manifests.read(COMPOSE)), tmp)).isEmpty();
  }

  // --- each check rejects a broken copy ---

  @Test
  void unknownFieldsAndKindsAreRejected() {
    assertThat(problems("gateway.yaml", "imagePullPolicy: IfNotPresent", "imagePullPolicyy: IfNotPresent"))
        .anyMatch(p -> p.startsWith("gateway.yaml document 3 (Deployment clymene-gateway): "
            + "spec.template.spec.containers[0].imagePullPolicyy: unknown field"));
    assertThat(problems("agent.yaml", "publishNotReadyAddresses: true", "publishNotReadyAddress: true"))
        .anyMatch(p -> p.startsWith("agent.yaml document 5 (Service clymene-agent-cluster): "
            + "spec.publishNotReadyAddress: unknown field"));
    assertThatThrownBy(() -> problems("ingester.yaml", "replicas: 2", "replicas: two"))
        .hasMessageStartingWith("ingester.yaml document 3 (Deployment clymene-ingester): spec.replicas: Cannot "
            + "deserialize value of type `java.lang.Integer` from String \"two\"");
    assertThat(problems("ingester.yaml", "kind: Deployment", "kind: Deploymnt"))
        .anyMatch(p -> p.startsWith("ingester.yaml document 3 (Deploymnt clymene-ingester): apiVersion apps/v1 "
            + "kind Deploymnt is not a Kubernetes API type"));
  }

  @Test
  void incompleteContainersAreRejected() {
    String limits = "            limits:\n              cpu: \"2\"\n              memory: 1Gi\n";
    assertThat(problems("ingester.yaml", limits, ""))
        .contains("ingester.yaml document 3 (Deployment clymene-ingester): spec.template.spec.containers[0]"
            + ".resources.limits.memory: missing");
    assertThat(problems("gateway.yaml", "path: /ready", "path: /readyz")).contains("gateway.yaml document 3 "
        + "(Deployment clymene-gateway): spec.template.spec.containers[0].readinessProbe.httpGet.path: "
        + "expected /ready, "
        + "got /readyz");
    assertThat(problems("gateway.yaml", "image: clymene:0.1.0", "image: \"\""))
        .anyMatch(p -> p.endsWith("containers[0].image: missing"));
    assertThat(problems("agent.yaml", "memory: 384Mi", "memory: 1Gi"))
        .anyMatch(p -> p.endsWith(".resources.requests.memory: 1Gi is more than the limit 512Mi"));
  }

  @Test
  void portsServicesAndSelectorsMustMeet() {
    // the container's admin port renamed: the probes and the Service now point at nothing
    List<String> renamed = problems("ingester.yaml", "- name: admin\n              containerPort: 15694",
        "- name: adm\n              containerPort: 15694");
    assertThat(renamed).contains(
        "ingester.yaml document 3 (Deployment clymene-ingester): spec.template.spec.containers[0].livenessProbe"
            + ".httpGet.port: 'admin' is not a port the container declares",
        "ingester.yaml document 2 (Service clymene-ingester): spec.ports[0].targetPort: 'admin' is not a port of "
            + "ingester.yaml document 3 (Deployment clymene-ingester)");
    List<Manifests.Doc> docs = Manifests.load(KUBERNETES);
    ManifestChecks.find(docs, Service.class, "monitoring", "clymene-gateway").getSpec().getSelector()
        .put("app.kubernetes.io/component", "gatewy");
    assertThat(ManifestChecks.check(docs)).anyMatch(p -> p.startsWith(
        "gateway.yaml document 2 (Service clymene-gateway): spec.selector: ")
        && p.endsWith("selects no pods of these manifests"));
    assertThat(problems("agent.yaml", "serviceName: clymene-agent-cluster", "serviceName: clymene-agent"))
        .contains("agent.yaml document 7 (StatefulSet clymene-agent): spec.serviceName: no headless Service "
            + "(clusterIP: None) named 'clymene-agent'");
    assertThat(problems("gateway.yaml", "key: kafka_brokers", "key: brokers")).contains("gateway.yaml document 3 "
        + "(Deployment clymene-gateway): spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef: no key "
        + "'brokers' in ConfigMap 'clymene-endpoints'");
  }

  @Test
  void aKustomizationMissingOrNamingAWrongFileIsRejected() {
    String text = Manifests.read(KUBERNETES.resolve(Manifests.KUSTOMIZATION))
        .replace("  - ingester.yaml\n", "  - ingress.yaml\n");
    assertThat(Kustomization.check(KUBERNETES, text)).containsExactly(
        "kustomization.yaml: resources: ingester.yaml is not listed",
        "kustomization.yaml: resources: ingress.yaml does not exist");
  }

  @Test
  void aConfigTheLoaderRejectsOrWarnsAboutFailsTheCheck() throws IOException {
    assertThat(podConfigProblems("gateway.yaml", "      output: kafka", "      output: kafkaa"))
        .anyMatch(p -> p.startsWith("gateway.yaml document 3 (Deployment clymene-gateway): spec.template.spec"
            + ".containers[0]: check-config --role gateway fails: clymene: config error: ")
            && p.contains("/etc/clymene/clymene.yaml: gateway.output: "));
    assertThat(podConfigProblems("ingester.yaml", "name: CLYMENE_STORAGE_0_URL", "name: CLYMENE_STORAGE_0_URI"))
        .anyMatch(p -> p.startsWith("ingester.yaml document 3 (Deployment clymene-ingester): spec.template.spec"
            + ".containers[0]: check-config --role ingester ") && p.contains("CLYMENE_STORAGE_0_URI"));
    // the ingester given the gateway's config: no storage entry for CLYMENE_STORAGE_0_URL to complete
    assertThat(podConfigProblems("ingester.yaml", "configMap:\n            name: clymene-ingester-config",
        "configMap:\n            name: clymene-gateway-config")).anyMatch(p -> p.startsWith("ingester.yaml document 3 "
            + "(Deployment clymene-ingester): spec.template.spec.containers[0]: check-config --role ingester fails: ")
            && p.contains("/etc/clymene/clymene.yaml: storage[0].type: missing"));
  }

  @Test
  void aComposeConfigTheLoaderRejectsFailsTheCheck() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("deploy/compose"));
    Files.copy(COMPOSE, tmp.resolve("deploy/compose.yaml"));
    for (Path f : Manifests.yamlFiles(COMPOSE.resolveSibling("compose"))) {
      Files.writeString(dir.resolve(f.getFileName()), Manifests.read(f).replace("topic: clymene", "topik: clymene"));
    }
    Path configs = Files.createDirectories(tmp.resolve("configs"));
    assertThat(ComposeChecks.check(tmp.resolve("deploy/compose.yaml"), Manifests.yamlMap(Manifests.read(COMPOSE)),
        configs)).anyMatch(p -> p.startsWith("compose.yaml: services.ingester: check-config --role ingester fails: ")
            && p.contains("kafka.topik: unknown key"));
  }

  private List<String> podConfigProblems(String file, String from, String to) {
    List<Manifests.Doc> docs = new ArrayList<>();
    for (Path f : Manifests.yamlFiles(KUBERNETES)) {
      String text = Manifests.read(f);
      if (f.getFileName().toString().equals(file)) {
        assertThat(text).contains(from);
        text = text.replace(from, to);
      }
      docs.addAll(Manifests.parse(f.getFileName().toString(), text));
    }
    return PodConfigs.check(docs, tmp);
  }

  @Test
  void brokenComposeFilesAreRejected() {
    String text = Manifests.read(COMPOSE);
    assertThat(composeProblems(text.replace("image: prom/prometheus:v2.42.0", "restart: always")))
        .contains("compose.yaml: services.prometheus.image: missing");
    assertThat(composeProblems(text.replace("'GET /ready HTTP/1.0", "'GET /health HTTP/1.0")))
        .anyMatch(p -> p.startsWith("compose.yaml: services.gateway.healthcheck.test: expected a check of /ready"));
    assertThat(composeProblems(text.replace("      gateway:\n        condition", "      gateways:\n        condition")))
        .contains("compose.yaml: services.agent.depends_on.gateways: no such service");
    assertThat(composeProblems(text.replace("\"15694:15694\"", "\"15690:15694\"")))
        .contains("compose.yaml: services.ingester.ports: host port 15690 is also published by gateway");
    assertThat(composeProblems(text.replace("[--role, ingester,", "[--role, ingest,")))
        .anyMatch(p -> p.startsWith("compose.yaml: services.ingester: --role: 'ingest' is not a role"));
    assertThat(composeProblems(text.replace("./compose/agent.yaml:", "./compose/agents.yaml:")))
        .contains("compose.yaml: services.agent: --config /etc/clymene/clymene.yaml is not a file mounted into the "
            + "container");
  }

  private List<String> problems(String file, String from, String to) {
    List<Manifests.Doc> docs = new ArrayList<>();
    boolean replaced = false;
    for (Path f : Manifests.yamlFiles(KUBERNETES)) {
      String text = Manifests.read(f);
      if (f.getFileName().toString().equals(file)) {
        assertThat(text).as("the text to break").contains(from);
        text = text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        replaced = true;
      }
      docs.addAll(Manifests.parse(f.getFileName().toString(), text));
    }
    assertThat(replaced).as(file).isTrue();
    return ManifestChecks.check(docs);
  }

  private List<String> composeProblems(String text) {
    assertThat(text).isNotEqualTo(Manifests.read(COMPOSE));
    return ComposeChecks.check(COMPOSE, Manifests.yamlMap(text), null);
  }
}
