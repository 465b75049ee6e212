package io.clymene.agent.config;

import static io.clymene.config.Schema.any;
import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.byteSize;
import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.integer;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.mapOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.oneOf;
import static io.clymene.config.Schema.string;

import io.clymene.agent.discovery.SdConfigs;
import io.clymene.config.Schema;
import io.clymene.config.Schema.ObjectSchema;
import java.util.List;

/**
 * The shape of a Prometheus 2.x {@code prometheus.yml}: every key Prometheus accepts is known, so an
 * unchanged file loads; sections an agent has no use for are accepted with a warning.
 */
public final class PrometheusSchema {

  /** Service discovery mechanisms Prometheus 2.x knows, besides static_configs. */
  public static final List<String> SD_CONFIGS = List.of(
      "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs",
      "dockerswarm_sd_configs", "dns_sd_configs", "ec2_sd_configs", "eureka_sd_configs", "file_sd_configs",
      "gce_sd_configs", "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs", "kubernetes_sd_configs",
      "kuma_sd_configs", "lightsail_sd_configs", "linode_sd_configs", "marathon_sd_configs",
      "nerve_sd_configs", "nomad_sd_configs", "openstack_sd_configs", "ovhcloud_sd_configs",
      "puppetdb_sd_configs", "scaleway_sd_configs", "serverset_sd_configs", "triton_sd_configs",
      "uyuni_sd_configs", "vultr_sd_configs");

  private PrometheusSchema() {
  }

  /** The whole file. */
  public static ObjectSchema create() {
    return object()
        .field("global", global())
        .field("scrape_configs", listOf(scrapeConfig()))
        .field("scrape_config_files", listOf(string()))
        .field("remote_write", listOf(remoteWrite()))
        .ignore("rule_files", "ignored: an agent evaluates no rules")
        .ignore("alerting", "ignored: an agent sends no alerts")
        .ignore("remote_read", "ignored: an agent serves no queries")
        .ignore("storage", "ignored: an agent keeps no local TSDB")
        .ignore("tracing", "ignored: tracing is not supported")
        .ignore("otlp", "ignored: OTLP settings belong to the gateway")
        .ignore("runtime", "ignored: Clymene sizes its own runtime");
  }

  static ObjectSchema global() {
    return object()
        .field("scrape_interval", duration())
        .field("scrape_timeout", duration())
        .field("evaluation_interval", duration())
        .field("rule_query_offset", duration())
        .field("external_labels", mapOf(string()))
        .field("query_log_file", string())
        .field("scrape_failure_log_file", string())
        .field("scrape_protocols", listOf(string()))
        .field("body_size_limit", byteSize())
        .field("sample_limit", integer(0, Long.MAX_VALUE))
        .field("label_limit", integer(0, Long.MAX_VALUE))
        .field("label_name_length_limit", integer(0, Long.MAX_VALUE))
        .field("label_value_length_limit", integer(0, Long.MAX_VALUE))
        .field("target_limit", integer(0, Long.MAX_VALUE))
        .field("keep_dropped_targets", integer(0, Long.MAX_VALUE))
        .field("metric_name_validation_scheme", string())
        .field("metric_name_escaping_scheme", string())
        .field("convert_classic_histograms_to_nhcb", bool())
        .field("always_scrape_classic_histograms", bool());
  }

  static ObjectSchema scrapeConfig() {
    ObjectSchema s = httpClient(object())
        .field("job_name", string())
        .field("honor_labels", bool())
        .field("honor_timestamps", bool())
        .field("track_timestamps_staleness", bool())
        .field("scrape_interval", duration())
        .field("scrape_timeout", duration())
        .field("scrape_protocols", listOf(string()))
        .field("fallback_scrape_protocol", string())
        .field("scrape_classic_histograms", bool())
        .field("always_scrape_classic_histograms", bool())
        .field("convert_classic_histograms_to_nhcb", bool())
        .field("metrics_path", string())
        .field("scheme", oneOf("http", "https"))
        .field("enable_compression", bool())
        .field("params", mapOf(listOf(string())))
        .field("static_configs", listOf(object()
            .field("targets", listOf(string()))
            .field("labels", mapOf(string()))))
        .field("relabel_configs", listOf(relabelConfig()))
        .field("metric_relabel_configs", listOf(relabelConfig()))
        .field("body_size_limit", byteSize())
        .field("sample_limit", integer(0, Long.MAX_VALUE))
        .field("label_limit", integer(0, Long.MAX_VALUE))
        .field("label_name_length_limit", integer(0, Long.MAX_VALUE))
        .field("label_value_length_limit", integer(0, Long.MAX_VALUE))
        .field("target_limit", integer(0, Long.MAX_VALUE))
        .field("keep_dropped_targets", integer(0, Long.MAX_VALUE))
        .field("native_histogram_bucket_limit", integer(0, Long.MAX_VALUE))
        .field("native_histogram_min_bucket_factor", any())
        .field("scrape_failure_log_file", string())
        .field("metric_name_validation_scheme", string())
        .field("metric_name_escaping_scheme", string());
    for (String sd : SD_CONFIGS) {
      SdConfigs.Mechanism m = SdConfigs.of(sd);
      s.field(sd, m == null ? listOf(mapOf(any())) : listOf(m.schema().get()));
    }
    return s;
  }

  /** Prometheus' relabel_config. */
  public static ObjectSchema relabelConfig() {
    return io.clymene.relabel.RelabelConfig.schema();
  }

  static ObjectSchema remoteWrite() {
    return httpClient(object())
        .field("url", string())
        .field("name", string())
        .field("remote_timeout", duration())
        .field("headers", mapOf(string()))
        .field("write_relabel_configs", listOf(relabelConfig()))
        .field("send_exemplars", bool())
        .field("send_native_histograms", bool())
        .field("round_robin_dns", bool())
        .field("protobuf_message", string())
        .field("sigv4", mapOf(any()))
        .field("azuread", mapOf(any()))
        .field("google_iam", mapOf(any()))
        .field("queue_config", object()
            .field("capacity", integer(1, Integer.MAX_VALUE))
            .field("max_shards", integer(1, 10_000))
            .field("min_shards", integer(1, 10_000))
            .field("max_samples_per_send", integer(1, Integer.MAX_VALUE))
            .field("batch_send_deadline", duration())
            .field("min_backoff", duration())
            .field("max_backoff", duration())
            .field("retry_on_http_429", bool())
            .field("sample_age_limit", duration()))
        .field("metadata_config", object()
            .field("send", bool())
            .field("send_interval", duration())
            .field("max_samples_per_send", integer(1, Integer.MAX_VALUE)));
  }

  /** Prometheus' common HTTP client settings, added to {@code s}. */
  public static ObjectSchema httpClient(ObjectSchema s) {
    return s
        .field("basic_auth", object()
            .field("username", string())
            .field("username_file", string())
            .field("password", string())
            .field("password_file", string()))
        .field("authorization", object()
            .field("type", string())
            .field("credentials", string())
            .field("credentials_file", string()))
        .field("oauth2", object()
            .field("client_id", string())
            .field("client_secret", string())
            .field("client_secret_file", string())
            .field("scopes", listOf(string()))
            .field("token_url", string())
            .field("endpoint_params", mapOf(string()))
            .field("tls_config", tlsConfig())
            .field("proxy_url", string())
            .field("no_proxy", string())
            .field("proxy_from_environment", bool())
            .field("proxy_connect_header", mapOf(listOf(string()))))
        .field("bearer_token", string())
        .field("bearer_token_file", string())
        .field("tls_config", tlsConfig())
        .field("proxy_url", string())
        .field("no_proxy", string())
        .field("proxy_from_environment", bool())
        .field("proxy_connect_header", mapOf(listOf(string())))
        .field("follow_redirects", bool())
        .field("enable_http2", bool())
        .field("http_headers", mapOf(any()));
  }

  public static Schema tlsConfig() {
    return object()
        .field("ca", string())
        .field("ca_file", string())
        .field("cert", string())
        .field("cert_file", string())
        .field("key", string())
        .field("key_file", string())
        .field("server_name", string())
        .field("insecure_skip_verify", bool())
        .field("min_version", string())
        .field("max_version", string());
  }
}
