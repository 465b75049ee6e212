package io.clymene.agent.config;

import io.clymene.agent.discovery.SdConfigs;
import io.clymene.agent.discovery.SdEntry;
import io.clymene.config.ConfigException;
import io.clymene.config.ConfigLoader;
import io.clymene.config.ConfigOverrides;
import io.clymene.config.Durations;
import io.clymene.config.Schema.ObjectSchema;
import io.clymene.relabel.RelabelConfig;
import io.clymene.model.LabelNames;
import io.clymene.model.Labels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a Prometheus-format configuration file and applies Prometheus' own checks and defaults. Errors
 * name the file, the key path and what was expected, like every config error.
 */
public final class PrometheusConfigLoader {
  private static final ObjectSchema SCHEMA = PrometheusSchema.create();

  /** Scrape-config keys accepted for compatibility but without effect (native histograms, logging). */
  private static final Set<String> IGNORED = Set.of(
      "scrape_classic_histograms", "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb",
      "native_histogram_bucket_limit", "native_histogram_min_bucket_factor", "scrape_failure_log_file",
      "metric_name_validation_scheme", "metric_name_escaping_scheme", "enable_http2", "no_proxy",
      "proxy_connect_header");

  private PrometheusConfigLoader() {
  }

  /** Reads and checks a file. */
  public static Future<PrometheusConfig> load(Vertx vertx, String file) {
    return ConfigLoader.readYaml(vertx, file).compose(tree -> {
      try {
        return Future.succeededFuture(parse(file, tree));
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
    });
  }

  /** Checks a parsed tree. */
  public static PrometheusConfig parse(String file, JsonObject tree) {
    List<String> warnings = new ArrayList<>();
    JsonObject root = ConfigLoader.validate(tree, SCHEMA, file, new ConfigOverrides(), warnings);
    try {
      return build(file, root, warnings);
    } catch (ConfigException e) {
      throw e.source() == null ? e.withSource(file) : e;
    }
  }

  private static PrometheusConfig build(String file, JsonObject root, List<String> warnings) {
    // like Prometheus, relative discovery files are joined to the directory as the file was named
    Path baseDir = file == null ? null : Path.of(file).getParent();
    JsonObject global = root.getJsonObject("global", new JsonObject());
    Duration interval = duration(global, "scrape_interval", PrometheusConfig.DEFAULT_SCRAPE_INTERVAL);
    // like Prometheus: an unset timeout is the default 10s, cut to the interval when that is shorter
    Duration timeout = global.containsKey("scrape_timeout") ? duration(global, "scrape_timeout", null)
        : PrometheusConfig.DEFAULT_SCRAPE_TIMEOUT.compareTo(interval) > 0 ? interval
        : PrometheusConfig.DEFAULT_SCRAPE_TIMEOUT;
    if (timeout.compareTo(interval) > 0) {
      throw new ConfigException(null, "global.scrape_timeout",
          "global scrape timeout " + Durations.format(timeout) + " is greater than the scrape interval "
              + Durations.format(interval));
    }
    Labels external = labels(global.getJsonObject("external_labels"), "global.external_labels");
    for (String key : global.fieldNames()) {
      if (Set.of("query_log_file", "scrape_failure_log_file", "rule_query_offset", "metric_name_validation_scheme",
          "metric_name_escaping_scheme", "convert_classic_histograms_to_nhcb", "always_scrape_classic_histograms")
          .contains(key)) {
        warnings.add("global." + key + ": not supported; ignored");
      }
    }
    if (root.containsKey("scrape_config_files")) {
      warnings.add("scrape_config_files: not supported yet; ignored");
    }

    List<ScrapeConfig> jobs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonArray scrapeConfigs = root.getJsonArray("scrape_configs", new JsonArray());
    for (int i = 0; i < scrapeConfigs.size(); i++) {
      String path = "scrape_configs[" + i + "]";
      JsonObject sc = scrapeConfigs.getJsonObject(i);
      String job = sc.getString("job_name");
      if (job == null || job.isEmpty()) {
        throw new ConfigException(null, path + ".job_name", "missing; every scrape config needs a job_name");
      }
      if (!names.add(job)) {
        throw new ConfigException(null, path + ".job_name", "found multiple scrape configs with job name '"
            + job + "'");
      }
      jobs.add(scrapeConfig(sc, path, interval, timeout, global, baseDir, warnings));
    }

    List<JsonObject> remote = new ArrayList<>();
    JsonArray rw = root.getJsonArray("remote_write", new JsonArray());
    for (int i = 0; i < rw.size(); i++) {
      remote.add(remoteWrite(rw.getJsonObject(i), "remote_write[" + i + "]", i, warnings));
    }
    return new PrometheusConfig(file, interval, timeout, external, jobs, remote, warnings);
  }

  private static ScrapeConfig scrapeConfig(JsonObject sc, String path, Duration globalInterval,
                                           Duration globalTimeout, JsonObject global, Path baseDir,
                                           List<String> warnings) {
    Duration interval = duration(sc, "scrape_interval", globalInterval);
    Duration timeout;
    if (sc.containsKey("scrape_timeout")) {
      timeout = duration(sc, "scrape_timeout", globalTimeout);
    } else {
      timeout = globalTimeout.compareTo(interval) > 0 ? interval : globalTimeout;
    }
    if (interval.isZero()) {
      throw new ConfigException(null, path + ".scrape_interval", "must be greater than 0");
    }
    if (timeout.compareTo(interval) > 0) {
      throw new ConfigException(null, path + ".scrape_timeout", "scrape timeout " + Durations.format(timeout)
          + " is greater than the scrape interval " + Durations.format(interval) + " for job '"
          + sc.getString("job_name") + "'");
    }
    String metricsPath = sc.getString("metrics_path", ScrapeConfig.DEFAULT_METRICS_PATH);
    if (!metricsPath.startsWith("/")) {
      throw new ConfigException(null, path + ".metrics_path", "expected a path starting with /, got '"
          + metricsPath + "'");
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    JsonObject p = sc.getJsonObject("params", new JsonObject());
    for (String name : p.fieldNames()) {
      List<String> values = new ArrayList<>();
      p.getJsonArray(name).forEach(v -> values.add(String.valueOf(v)));
      params.put(name, values);
    }
    List<TargetGroup> groups = new ArrayList<>();
    JsonArray statics = sc.getJsonArray("static_configs", new JsonArray());
    for (int g = 0; g < statics.size(); g++) {
      String gp = path + ".static_configs[" + g + "]";
      JsonObject group = statics.getJsonObject(g);
      List<String> targets = new ArrayList<>();
      JsonArray t = group.getJsonArray("targets", new JsonArray());
      for (int k = 0; k < t.size(); k++) {
        String target = t.getString(k);
        if (!sc.containsKey("relabel_configs")) {
          // relabeling could still turn it into an address, so Prometheus only checks when there is none
          checkAddress(target, gp + ".targets[" + k + "]");
        }
        targets.add(target);
      }
      groups.add(TargetGroup.ofAddresses("static_configs[" + g + "]", targets,
          labels(group.getJsonObject("labels"), gp + ".labels")));
    }
    List<ScrapeProtocol> protocols = ScrapeConfig.DEFAULT_SCRAPE_PROTOCOLS;
    JsonArray sp = sc.getJsonArray("scrape_protocols", global.getJsonArray("scrape_protocols"));
    if (sp != null) {
      protocols = new ArrayList<>();
      for (int i = 0; i < sp.size(); i++) {
        ScrapeProtocol proto = protocol(sp.getString(i), path + ".scrape_protocols[" + i + "]");
        if (protocols.contains(proto)) {
          throw new ConfigException(null, path + ".scrape_protocols", "duplicated protocol in scrape_protocols, got "
              + sp.encode());
        }
        if (proto.supported()) {
          protocols.add(proto);
        } else {
          warnings.add(path + ".scrape_protocols: " + proto.configName() + " is not supported; not offered to targets");
        }
      }
      if (protocols.isEmpty()) {
        throw new ConfigException(null, path + ".scrape_protocols", "no supported protocol left (expected some of "
            + "OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4)");
      }
    }
    ScrapeProtocol fallback = ScrapeProtocol.PROMETHEUS_TEXT_0_0_4;
    if (sc.containsKey("fallback_scrape_protocol")) {
      fallback = protocol(sc.getString("fallback_scrape_protocol"), path + ".fallback_scrape_protocol");
      if (!fallback.supported()) {
        throw new ConfigException(null, path + ".fallback_scrape_protocol", fallback.configName()
            + " is not supported (expected a text format)");
      }
    }
    ScrapeConfig.Limits limits = new ScrapeConfig.Limits(
        limit(sc, global, "sample_limit"), limit(sc, global, "label_limit"),
        limit(sc, global, "label_name_length_limit"), limit(sc, global, "label_value_length_limit"),
        limit(sc, global, "body_size_limit"), limit(sc, global, "target_limit"),
        limit(sc, global, "keep_dropped_targets"));
    List<SdEntry> discovery = new ArrayList<>();
    for (String key : sc.fieldNames()) {
      SdConfigs.Mechanism mechanism = SdConfigs.of(key);
      if (mechanism != null) {
        JsonArray entries = sc.getJsonArray(key);
        for (int i = 0; i < entries.size(); i++) {
          String name = key + "[" + i + "]";
          discovery.add(new SdEntry(name, mechanism.parser().parse(entries.getJsonObject(i), path + "." + name, baseDir)));
        }
      } else if (IGNORED.contains(key) || PrometheusSchema.SD_CONFIGS.contains(key)) {
        warnings.add(path + "." + key + ": not supported; ignored");
      }
    }
    return new ScrapeConfig(sc.getString("job_name"), interval, timeout, metricsPath,
        sc.getString("scheme", ScrapeConfig.DEFAULT_SCHEME), params, sc.getBoolean("honor_labels", false),
        sc.getBoolean("honor_timestamps", true), sc.getBoolean("track_timestamps_staleness", false), protocols,
        fallback, sc.getBoolean("enable_compression", true), limits,
        RelabelConfig.parseList(sc.getJsonArray("relabel_configs"), path + ".relabel_configs"),
        RelabelConfig.parseList(sc.getJsonArray("metric_relabel_configs"), path + ".metric_relabel_configs"),
        HttpClientConfig.parse(sc, path, baseDir), groups, discovery, sc);
  }

  private static ScrapeProtocol protocol(String name, String path) {
    ScrapeProtocol p = ScrapeProtocol.byName(name);
    if (p == null) {
      throw new ConfigException(null, path, "unknown scrape protocol '" + name + "' (expected one of "
          + "OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4, PrometheusProto)");
    }
    return p;
  }

  private static long limit(JsonObject sc, JsonObject global, String key) {
    return sc.getLong(key, global.getLong(key, 0L));
  }

  /** Turns a remote_write entry into a Clymene storage entry of type prometheus. */
  private static JsonObject remoteWrite(JsonObject rw, String path, int index, List<String> warnings) {
    String url = rw.getString("url");
    if (url == null) {
      throw new ConfigException(null, path + ".url", "missing; every remote_write entry needs a url");
    }
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new ConfigException(null, path + ".url", "expected an http or https URL, got '" + url + "'");
      }
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(null, path + ".url", "expected a URL, got '" + url + "'");
    }
    JsonObject entry = new JsonObject().put("type", "prometheus").put("url", url)
        .put("name", rw.getString("name", "remote_write_" + index));
    JsonObject headers = rw.getJsonObject("headers", new JsonObject()).copy();
    if (rw.containsKey("basic_auth")) {
      entry.put("basic_auth", rw.getJsonObject("basic_auth").copy());
    }
    if (rw.containsKey("bearer_token")) {
      entry.put("bearer_token", rw.getString("bearer_token"));
    }
    if (rw.containsKey("bearer_token_file")) {
      entry.put("bearer_token_file", rw.getString("bearer_token_file"));
    }
    JsonObject oauth2 = rw.getJsonObject("oauth2");
    if (oauth2 != null) {
      if (!oauth2.containsKey("token_url")) {
        throw new ConfigException(null, path + ".oauth2.token_url", "missing; oauth2 needs the token endpoint");
      }
      JsonObject o = new JsonObject();
      for (String k : List.of("client_id", "client_secret", "client_secret_file", "scopes", "token_url",
          "endpoint_params")) {
        if (oauth2.containsKey(k)) {
          o.put(k, oauth2.getValue(k));
        }
      }
      entry.put("oauth2", o);
    }
    JsonObject authz = rw.getJsonObject("authorization");
    if (authz != null) {
      String type = authz.getString("type", "Bearer");
      if (authz.containsKey("credentials_file")) {
        if (!type.equals("Bearer")) {
          throw new ConfigException(null, path + ".authorization.credentials_file",
              "only the Bearer type can read its credentials from a file in this version");
        }
        entry.put("bearer_token_file", authz.getString("credentials_file"));
      } else if (authz.containsKey("credentials")) {
        headers.put("Authorization", type + " " + authz.getString("credentials"));
      }
    }
    if (!headers.isEmpty()) {
      entry.put("headers", headers);
    }
    JsonObject tls = rw.getJsonObject("tls_config");
    if (tls != null) {
      JsonObject t = new JsonObject();
      for (String k : List.of("ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify")) {
        if (tls.containsKey(k)) {
          t.put(k, tls.getValue(k));
        }
      }
      entry.put("tls", t);
    }
    if (rw.containsKey("remote_timeout")) {
      entry.put("timeout", rw.getString("remote_timeout"));
    }
    JsonObject queue = rw.getJsonObject("queue_config");
    if (queue != null) {
      JsonObject q = queue.copy();
      q.remove("sample_age_limit");
      entry.put("queue", q);
    }
    String message = rw.getString("protobuf_message");
    if (message != null) {
      switch (message) {
        case "prometheus.WriteRequest", "v1" -> entry.put("protobuf_message", "v1");
        case "io.prometheus.write.v2.Request", "v2" -> entry.put("protobuf_message", "v2");
        default -> throw new ConfigException(null, path + ".protobuf_message",
            "expected prometheus.WriteRequest or io.prometheus.write.v2.Request, got '" + message + "'");
      }
    }
    if (rw.containsKey("write_relabel_configs")) {
      RelabelConfig.parseList(rw.getJsonArray("write_relabel_configs"), path + ".write_relabel_configs");
      entry.put("write_relabel_configs", rw.getJsonArray("write_relabel_configs").copy());
    }
    JsonObject metadataConfig = rw.getJsonObject("metadata_config");
    if (metadataConfig != null) {
      // same keys and defaults (send: true, send_interval: 1m, max_samples_per_send: 500) in the storage entry
      entry.put("metadata", metadataConfig.copy());
    }
    for (String key : rw.fieldNames()) {
      if (!Set.of("url", "name", "headers", "basic_auth", "bearer_token", "bearer_token_file", "authorization", "oauth2",
          "tls_config", "remote_timeout", "queue_config", "protobuf_message", "write_relabel_configs",
          "metadata_config").contains(key)) {
        warnings.add(path + "." + key + ": not supported yet; ignored");
      }
    }
    return entry;
  }

  private static void checkAddress(String target, String path) {
    if (target.isEmpty() || target.contains("/") || target.contains(" ")) {
      throw new ConfigException(null, path, "\"" + target + "\" is not a valid hostname (expected host:port)");
    }
  }

  private static Labels labels(JsonObject map, String path) {
    if (map == null) {
      return Labels.EMPTY;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String name : map.fieldNames()) {
      if (!LabelNames.isValidLabelName(name)) {
        throw new ConfigException(null, path + "." + name, "invalid label name (expected [a-zA-Z_][a-zA-Z0-9_]*)");
      }
      Object v = map.getValue(name);
      m.put(name, v == null ? "" : v.toString());
    }
    return Labels.of(m);
  }

  private static Duration duration(JsonObject obj, String key, Duration def) {
    String v = obj.getString(key);
    return v == null ? def : Durations.parse(v);
  }
}
