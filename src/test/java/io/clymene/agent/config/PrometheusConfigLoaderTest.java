package io.clymene.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.agent.discovery.file.FileSdConfig;
import io.clymene.agent.discovery.http.HttpSdConfig;
import io.clymene.agent.scrape.ScrapeTarget;
import io.clymene.agent.scrape.TargetBuilder;
import io.clymene.model.Labels;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class PrometheusConfigLoaderTest {

  private static PrometheusConfig load(String yaml) {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    return PrometheusConfigLoader.parse("prometheus.yml", new JsonObject(map));
  }

  @Test
  void appliesPrometheusDefaults() {
    PrometheusConfig c = load("""
        global:
          scrape_interval: 15s
          external_labels: {dc: eu1}
        scrape_configs:
          - job_name: a
            static_configs: [{targets: ["h:1"]}]
          - job_name: b
            scrape_interval: 5s
            static_configs: [{targets: ["h:2"], labels: {team: x}}]
        """);
    ScrapeConfig a = c.job("a");
    assertThat(a.scrapeInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(a.scrapeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(a.metricsPath()).isEqualTo("/metrics");
    assertThat(a.scheme()).isEqualTo("http");
    assertThat(a.honorTimestamps()).isTrue();
    assertThat(a.honorLabels()).isFalse();
    // a timeout larger than the job's interval is cut to the interval, as Prometheus does
    assertThat(c.job("b").scrapeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.externalLabels()).isEqualTo(Labels.of("dc", "eu1"));
    assertThat(c.job("b").staticConfigs().get(0).labels()).isEqualTo(Labels.of("team", "x"));
  }

  @Test
  void relativeFileNamesAreTakenFromTheConfigDirectory() {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load("""
        scrape_configs:
          - job_name: a
            authorization: {credentials_file: secrets/token}
            tls_config: {ca_file: /abs/ca.pem, cert_file: ../c.pem, key_file: k.pem}
            file_sd_configs: [{files: [sd/*.json, /abs/x.yml]}]
            http_sd_configs: [{url: 'http://h/sd', basic_auth: {username: u, password_file: pw}}]
        """);
    PrometheusConfig c = PrometheusConfigLoader.parse("/etc/prom/prometheus.yml", new JsonObject(map));
    ScrapeConfig a = c.job("a");
    assertThat(a.http().authorization().credentialsFile()).isEqualTo("/etc/prom/secrets/token");
    assertThat(a.http().tls().caFile()).isEqualTo("/abs/ca.pem");
    assertThat(a.http().tls().certFile()).isEqualTo("/etc/c.pem");
    assertThat(a.http().tls().keyFile()).isEqualTo("/etc/prom/k.pem");
    assertThat(((FileSdConfig) a.discovery().get(0).config()).files())
        .containsExactly("/etc/prom/sd/*.json", "/abs/x.yml");
    assertThat(((HttpSdConfig) a.discovery().get(1).config()).http().basicAuth().passwordFile())
        .isEqualTo("/etc/prom/pw");
    // a config file named without a directory leaves them relative to the working directory, as Prometheus
    PrometheusConfig bare = PrometheusConfigLoader.parse("prometheus.yml", new JsonObject(map));
    assertThat(bare.job("a").http().authorization().credentialsFile()).isEqualTo("secrets/token");
  }

  @Test
  void anUnsetGlobalTimeoutFollowsAShortInterval() {
    PrometheusConfig c = load("global: {scrape_interval: 2s}\nscrape_configs: [{job_name: a}]");
    assertThat(c.scrapeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.job("a").scrapeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> load("global: {scrape_interval: 2s, scrape_timeout: 3s}"))
        .hasMessageContaining("global.scrape_timeout: global scrape timeout 3s is greater than the scrape interval 2s");
  }

  @Test
  void rejectsWhatPrometheusRejects() {
    assertThatThrownBy(() -> load("scrape_configs: [{job_name: a, scrape_interval: 5s, scrape_timeout: 10s}]"))
        .hasMessageStartingWith("prometheus.yml: scrape_configs[0].scrape_timeout: scrape timeout 10s is greater");
    assertThatThrownBy(() -> load("scrape_configs: [{job_name: a}, {job_name: a}]"))
        .hasMessage("prometheus.yml: scrape_configs[1].job_name: found multiple scrape configs with job name 'a'");
    assertThatThrownBy(() -> load("scrape_configs: [{static_configs: []}]"))
        .hasMessageContaining("scrape_configs[0].job_name: missing");
    assertThatThrownBy(() -> load("scrape_configs: [{job_name: a, scrape_intervl: 5s}]"))
        .hasMessageContaining("scrape_configs[0].scrape_intervl: unknown key");
    assertThatThrownBy(() -> load("scrape_configs: [{job_name: a, static_configs: [{targets: ['http://h:1/x']}]}]"))
        .hasMessageContaining("is not a valid hostname");
    assertThatThrownBy(() -> load("remote_write: [{url: 'ftp://x'}]"))
        .hasMessageContaining("remote_write[0].url: expected an http or https URL");
  }

  @Test
  void acceptsAgentIrrelevantSectionsWithWarnings() {
    PrometheusConfig c = load("""
        rule_files: [a.rules]
        alerting: {alertmanagers: []}
        scrape_configs: []
        """);
    assertThat(c.warnings()).anyMatch(w -> w.startsWith("rule_files: ignored"));
    assertThat(c.warnings()).anyMatch(w -> w.startsWith("alerting: ignored"));
  }

  @Test
  void remoteWriteBecomesAPrometheusStorageEntry() {
    PrometheusConfig c = load("""
        remote_write:
          - url: http://r:9090/api/v1/write
            remote_timeout: 10s
            headers: {X-A: b}
            basic_auth: {username: u, password: p}
            queue_config: {max_samples_per_send: 100}
          - url: https://other/push
            name: other
            authorization: {credentials: secret}
        """);
    assertThat(c.remoteWrite()).hasSize(2);
    JsonObject first = c.remoteWrite().get(0);
    assertThat(first.getString("type")).isEqualTo("prometheus");
    assertThat(first.getString("name")).isEqualTo("remote_write_0");
    assertThat(first.getString("timeout")).isEqualTo("10s");
    assertThat(first.getJsonObject("queue").getLong("max_samples_per_send")).isEqualTo(100L);
    assertThat(first.getJsonObject("basic_auth").getString("username")).isEqualTo("u");
    JsonObject second = c.remoteWrite().get(1);
    assertThat(second.getString("name")).isEqualTo("other");
    assertThat(second.getJsonObject("headers").getString("Authorization")).isEqualTo("Bearer secret");
  }

  @Test
  void targetsGetPrometheusLabelsAndUrls() {
    PrometheusConfig c = load("""
        scrape_configs:
          - job_name: node
            metrics_path: /probe
            params: {module: [http_2xx], target: [a, b]}
            static_configs:
              - targets: ["h:9100", "plainhost"]
                labels: {env: prod, instance: custom}
          - job_name: tls
            scheme: https
            static_configs: [{targets: ["secure"]}]
        """);
    List<ScrapeTarget> t = TargetBuilder.staticTargets(c.job("node"));
    assertThat(t).hasSize(2);
    assertThat(t.get(0).labels()).isEqualTo(Labels.of("job", "node", "env", "prod", "instance", "custom"));
    assertThat(t.get(0).url()).isEqualTo("http://h:9100/probe?module=http_2xx&target=a&target=b");
    assertThat(t.get(1).discoveredLabels().get("__address__")).isEqualTo("plainhost");
    assertThat(t.get(1).url()).startsWith("http://plainhost:80/probe?");
    ScrapeTarget secure = TargetBuilder.staticTargets(c.job("tls")).get(0);
    assertThat(secure.url()).isEqualTo("https://secure:443/metrics");
    assertThat(secure.labels()).isEqualTo(Labels.of("job", "tls", "instance", "secure:443"));
    // a stable offset within the interval
    long d1 = secure.firstDelayMillis(1_000_000);
    long d2 = secure.firstDelayMillis(1_000_000 + 60_000);
    assertThat(d1).isEqualTo(d2).isBetween(1L, 60_000L);
  }
}
