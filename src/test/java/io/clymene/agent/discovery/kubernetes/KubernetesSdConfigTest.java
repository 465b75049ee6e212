package io.clymene.agent.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Parsing of kubernetes_sd_configs entries: Prometheus 2.42's keys, defaults and checks, errors naming the key. */
class KubernetesSdConfigTest {
  private static final String PATH = "scrape_configs[0].kubernetes_sd_configs[0]";

  private static KubernetesSdConfig parse(String yaml) {
    Map<String, Object> raw = new Yaml().load(yaml);
    return KubernetesSdConfig.parse(new JsonObject(raw), PATH, Path.of("/etc/clymene"));
  }

  private static void fails(String yaml, String path, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          ConfigException c = (ConfigException) e;
          assertThat(c.path()).isEqualTo(path);
          assertThat(c.problem()).contains(message);
          assertThat(c.getMessage()).startsWith(path + ": ");
        });
  }

  @Test
  void parsesEveryKey() {
    KubernetesSdConfig c = parse("""
        role: endpoints
        api_server: https://k8s.example:6443
        bearer_token_file: /var/token
        tls_config: {ca_file: /etc/ca.pem, insecure_skip_verify: false}
        follow_redirects: false
        namespaces: {names: [a, b, a]}
        selectors:
          - {role: pod, label: "app in (web, api),!canary", field: "spec.nodeName=n1"}
          - {role: service, label: "tier=front"}
          - {role: endpoints, field: "metadata.name!=kubernetes"}
        attach_metadata: {node: true}
        """);
    assertThat(c.role()).isEqualTo(Role.ENDPOINTS);
    assertThat(c.apiServer()).isEqualTo("https://k8s.example:6443");
    assertThat(c.kubeconfigFile()).isNull();
    assertThat(c.http().authorization().credentialsFile()).isEqualTo("/var/token");
    assertThat(c.http().tls().caFile()).isEqualTo("/etc/ca.pem");
    assertThat(c.http().followRedirects()).isFalse();
    assertThat(c.namespaces()).containsExactly("a", "b");
    assertThat(c.ownNamespace()).isFalse();
    assertThat(c.selectors()).containsExactly(
        new Selector(Role.POD, "app in (web, api),!canary", "spec.nodeName=n1"),
        new Selector(Role.SERVICE, "tier=front", ""),
        new Selector(Role.ENDPOINTS, "", "metadata.name!=kubernetes"));
    assertThat(c.selector(Role.ENDPOINTS).fieldTerms())
        .containsExactly(new Selector.FieldTerm("metadata.name", "kubernetes", true));
    assertThat(c.attachNodeMetadata()).isTrue();
    assertThat(c.mechanism()).isEqualTo("kubernetes");
  }

  @Test
  void defaultsAndValueEquality() {
    KubernetesSdConfig c = parse("role: pod");
    assertThat(c.apiServer()).isNull();
    assertThat(c.kubeconfigFile()).isNull();
    assertThat(c.namespaces()).isEmpty();
    assertThat(c.selectors()).isEmpty();
    assertThat(c.attachNodeMetadata()).isFalse();
    assertThat(c.http().followRedirects()).isTrue();
    assertThat(parse("role: pod")).isEqualTo(c).hasSameHashCodeAs(c);
    assertThat(parse("role: node")).isNotEqualTo(c);
    // in-cluster (no api_server) with own_namespace is allowed
    assertThat(parse("role: pod\nnamespaces: {own_namespace: true}").ownNamespace()).isTrue();
    // a bare host:port is plain HTTP, as client-go reads it
    assertThat(parse("role: pod\napi_server: localhost:8080").apiServer()).isEqualTo("http://localhost:8080");
  }

  @Test
  void kubeconfigFileIsJoinedToTheConfigDirectory() {
    assertThat(parse("role: node\nkubeconfig_file: kube/config").kubeconfigFile())
        .isEqualTo(Path.of("/etc/clymene/kube/config").toString());
    assertThat(parse("role: node\nkubeconfig_file: /abs/config").kubeconfigFile()).isEqualTo("/abs/config");
  }

  @Test
  void roleIsRequiredAndChecked() {
    fails("api_server: http://a", PATH + ".role",
        "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
    fails("role: pods", PATH + ".role", "unknown Kubernetes SD role \"pods\"");
  }

  @Test
  void accessSettingsExcludeEachOther() {
    fails("role: pod\napi_server: https://a\nkubeconfig_file: /k", PATH + ".kubeconfig_file",
        "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
    fails("role: pod\nkubeconfig_file: /k\nbearer_token: x", PATH + ".kubeconfig_file",
        "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
    fails("role: pod\nbasic_auth: {username: u, password: p}", PATH + ".api_server",
        "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
    fails("role: pod\nfollow_redirects: false", PATH + ".api_server",
        "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
    fails("role: pod\napi_server: https://a\nnamespaces: {own_namespace: true}", PATH + ".namespaces.own_namespace",
        "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
    fails("role: pod\nkubeconfig_file: /k\nnamespaces: {own_namespace: true}", PATH + ".namespaces.own_namespace",
        "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
    fails("role: pod\napi_server: 'ftp://x'", PATH + ".api_server", "expected a URL");
    fails("role: pod\napi_server: https://a\nbearer_token: a\nbearer_token_file: b", PATH,
        "at most one of bearer_token & bearer_token_file must be configured");
  }

  @Test
  void selectorsAreCheckedAsPrometheusDoes() {
    fails("role: pod\nselectors: [{role: service, label: a=b}]", PATH + ".selectors[0].role",
        "pod role supports only pod selectors");
    fails("role: endpoints\nselectors: [{role: node}]", PATH + ".selectors[0].role",
        "endpoints role supports only pod, service, endpoints selectors");
    fails("role: endpointslice\nselectors: [{role: ingress}]", PATH + ".selectors[0].role",
        "endpointslice role supports only pod, service, endpointslice selectors");
    fails("role: pod\nselectors: [{role: pod}, {role: pod, label: x=y}]", PATH + ".selectors[1].role",
        "duplicated selector role: pod");
    fails("role: pod\nselectors: [{role: pods}]", PATH + ".selectors[0].role",
        "unknown Kubernetes SD role \"pods\"");
    fails("role: pod\nselectors: [{label: a=b}]", PATH + ".selectors[0].role", "pod role supports only pod selectors");
    fails("role: pod\nselectors: [{role: pod, field: nodename}]", PATH + ".selectors[0].field",
        "invalid selector: 'nodename'; can't understand 'nodename'");
    fails("role: pod\nselectors: [{role: pod, field: 'a=b\\x'}]", PATH + ".selectors[0].field",
        "invalid escape sequence");
    fails("role: pod\nselectors: [{role: pod, label: 'app=a,,b'}]", PATH + ".selectors[0].label",
        "invalid label selector 'app=a,,b'");
    fails("role: pod\nselectors: [{role: pod, label: 'app in (a'}]", PATH + ".selectors[0].label",
        "invalid label selector");
    fails("role: pod\nselectors: [{role: pod, label: 'a b'}]", PATH + ".selectors[0].label",
        "invalid label selector");
    fails("role: pod\nselectors: [{role: pod, label: '-bad=x'}]", PATH + ".selectors[0].label",
        "invalid label key '-bad'");
  }

  @Test
  void labelSelectorSyntax() {
    for (String ok : List.of("", "app", "!app", "app=web", "app==web", "app!=web", "app=", "a.b/c-d=e_f",
        "app in (a, b)", "app notin (a,)", "x>1, y<2", "app=in", " app = web , tier != db ")) {
      SelectorSyntax.checkLabels(ok);
    }
    for (String bad : List.of("app=web,", "=web", "app web", "app in a", "app>x", "app=-x-", "Bad_/x")) {
      assertThatThrownBy(() -> SelectorSyntax.checkLabels(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void fieldSelectorTerms() {
    assertThat(SelectorSyntax.fieldTerms("metadata.name=a,spec.nodeName!=b,status.phase==Running,,"))
        .containsExactly(new Selector.FieldTerm("metadata.name", "a", false),
            new Selector.FieldTerm("spec.nodeName", "b", true),
            new Selector.FieldTerm("status.phase", "Running", false));
    assertThat(SelectorSyntax.fieldTerms("a=x\\,y")).containsExactly(new Selector.FieldTerm("a", "x\\,y", false));
    assertThatThrownBy(() -> SelectorSyntax.fieldTerms("a=b=c")).hasMessageContaining("unescaped character");
  }
}
