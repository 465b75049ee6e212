package io.clymene.agent.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** {@code consul_sd_configs} entries: Prometheus 2.42's defaults and checks, errors naming the key path. */
class ConsulSdConfigTest {
  private static final String PATH = "scrape_configs[0].consul_sd_configs[0]";

  @Test
  void appliesPrometheusDefaults() {
    ConsulSdConfig c = parse("{}");
    assertThat(c.server()).isEqualTo("localhost:8500");
    assertThat(c.endpoint()).isEqualTo(new ConsulEndpoint("localhost", 8500, false));
    assertThat(c.scheme()).isEqualTo("http");
    assertThat(c.tagSeparator()).isEqualTo(",");
    assertThat(c.allowStale()).isTrue();
    assertThat(c.refreshInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.token()).isEmpty();
    assertThat(c.datacenter()).isEmpty();
    assertThat(c.pathPrefix()).isEmpty();
    assertThat(c.services()).isEmpty();
    assertThat(c.tags()).isEmpty();
    assertThat(c.nodeMeta()).isEmpty();
    assertThat(c.filter()).isEmpty();
    assertThat(c.http().followRedirects()).isTrue();
    assertThat(c.http().basicAuth()).isNull();
    assertThat(c.watchesCatalog()).isTrue();
    assertThat(c.mechanism()).isEqualTo("consul");
  }

  @Test
  void readsEveryKey() {
    ConsulSdConfig c = parse("""
        server: https://consul.example.com:8501
        path_prefix: consul
        token: t0ken
        datacenter: eu-1
        namespace: team-a
        partition: part-1
        scheme: http
        services: [web, db]
        tags: [prod]
        node_meta: {rack: r1, zone: a}
        tag_separator: ";"
        allow_stale: false
        refresh_interval: 1m30s
        filter: 'Service.Meta.env == "prod"'
        tls_config: {insecure_skip_verify: true}
        """);
    // as Consul's client: an https:// prefix wins over scheme
    assertThat(c.endpoint()).isEqualTo(new ConsulEndpoint("consul.example.com", 8501, true));
    assertThat(c.server()).isEqualTo("consul.example.com:8501");
    assertThat(c.pathPrefix()).isEqualTo("/consul");
    assertThat(c.token()).isEqualTo("t0ken");
    assertThat(c.datacenter()).isEqualTo("eu-1");
    assertThat(c.namespace()).isEqualTo("team-a");
    assertThat(c.partition()).isEqualTo("part-1");
    assertThat(c.services()).containsExactly("web", "db");
    assertThat(c.tags()).containsExactly("prod");
    assertThat(c.nodeMeta()).containsExactly(Map.entry("rack", "r1"), Map.entry("zone", "a"));
    assertThat(c.tagSeparator()).isEqualTo(";");
    assertThat(c.allowStale()).isFalse();
    assertThat(c.refreshInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.filter()).isEqualTo("Service.Meta.env == \"prod\"");
    assertThat(c.http().tls().insecureSkipVerify()).isTrue();
    assertThat(c.watchesCatalog()).isTrue();
    assertThat(c.toString()).doesNotContain("t0ken");
  }

  @Test
  void namedServicesWithoutTagsNeedNoCatalog() {
    assertThat(parse("services: [web]").watchesCatalog()).isFalse();
    assertThat(parse("services: [web]\ntags: [x]").watchesCatalog()).isTrue();
  }

  @Test
  void usernameAndPasswordBecomeBasicAuth() {
    ConsulSdConfig c = parse("username: 123\npassword: 1234");
    assertThat(c.http().basicAuth().username()).isEqualTo("123");
    assertThat(c.http().basicAuth().password()).isEqualTo("1234");
    assertThat(c.toString()).doesNotContain("1234");
  }

  @Test
  void equalConfigsAreEqual() {
    String yaml = "server: c:8500\nservices: [a]\nnode_meta: {x: '1', y: '2'}";
    assertThat(parse(yaml)).isEqualTo(parse(yaml)).hasSameHashCodeAs(parse(yaml));
    assertThat(parse("server: c:8500\nnode_meta: {y: '2', x: '1'}\nservices: [a]")).isEqualTo(parse(yaml));
    assertThat(parse(yaml + "\ntoken: t")).isNotEqualTo(parse(yaml));
  }

  @Test
  void rejectsWhatPrometheusRejects() {
    assertError("username: 123\npassword: 1234\nbasic_auth: {username: 12345, password: 123456}", PATH,
        "at most one of consul SD configuration username and password and basic auth can be configured");
    assertError("token: 1234567\nauthorization: {credentials: 12345678}", PATH,
        "at most one of consul SD token, authorization, or oauth2 can be configured");
    assertError("token: 1234567\n"
        + "oauth2: {client_id: '10', client_secret: '11', token_url: 'http://example.com'}", PATH,
        "at most one of consul SD token, authorization, or oauth2 can be configured");
    assertError("server: '  '", PATH + ".server", "consul SD configuration requires a server address");
    assertError("basic_auth: {password: a, password_file: b}", PATH + ".basic_auth",
        "password & password_file");
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertError("refresh_interval: 0s", PATH + ".refresh_interval", "expected a duration greater than 0");
    assertError("refresh_interval: soon", PATH + ".refresh_interval", "expected a duration");
    assertError("scheme: ftp", PATH + ".scheme", "expected one of http, https, got 'ftp'");
    assertError("servers: [a]", PATH + ".servers", "unknown key");
    assertError("tags: prod", PATH + ".tags", "expected a list");
    assertError("node_meta: [a]", PATH + ".node_meta", "expected a map");
    assertError("allow_stale: sometimes", PATH + ".allow_stale", "expected true or false");
    assertError("server: unix:///var/run/consul.sock", PATH + ".server", "unix sockets are not supported");
    assertError("server: ftp://consul:21", PATH + ".server", "expected host:port");
    assertError("server: 'consul:http'", PATH + ".server", "expected host or host:port, got 'consul:http'");
    assertError("server: 'consul:8500/v1'", PATH + ".server", "expected host or host:port");
    assertError("server: '::1'", PATH + ".server", "expected host or host:port");
  }

  @Test
  void acceptsIpv6AndDefaultPorts() {
    assertThat(parse("server: '[::1]:8500'").endpoint()).isEqualTo(new ConsulEndpoint("::1", 8500, false));
    assertThat(parse("server: consul").endpoint()).isEqualTo(new ConsulEndpoint("consul", 80, false));
    assertThat(parse("server: consul\nscheme: https").endpoint())
        .isEqualTo(new ConsulEndpoint("consul", 443, true));
    assertThat(new ConsulEndpoint("::1", 8500, false).baseUrl()).isEqualTo("http://[::1]:8500");
  }

  @Test
  void errorsInPrometheusYmlNameFileAndPath() {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load("""
        scrape_configs:
          - job_name: consul
            consul_sd_configs:
              - server: consul:8500
                refresh_interval: 0s
        """);
    assertThatThrownBy(() -> PrometheusConfigLoader.parse("prometheus.yml", new JsonObject(map)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("prometheus.yml: scrape_configs[0].consul_sd_configs[0].refresh_interval: "
            + "expected a duration greater than 0, got '0s'");
  }

  private static void assertError(String yaml, String path, String problem) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          assertThat(((ConfigException) e).path()).isEqualTo(path);
          assertThat(((ConfigException) e).problem()).contains(problem);
        });
  }

  private static ConsulSdConfig parse(String yaml) {
    Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    JsonObject raw = (JsonObject) ConsulSdConfig.schema().normalize(loaded, PATH, new ArrayList<>());
    return ConsulSdConfig.parse(raw, PATH, null);
  }
}
