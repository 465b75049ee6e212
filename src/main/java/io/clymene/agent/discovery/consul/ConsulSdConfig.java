package io.clymene.agent.discovery.consul;

import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.mapOf;
import static io.clymene.config.Schema.oneOf;
import static io.clymene.config.Schema.string;

import io.clymene.agent.config.HttpClientConfig;
import io.clymene.agent.config.PrometheusSchema;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.SdConfig;
import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.config.Schema;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code consul_sd_configs} entry, with Prometheus 2.42's keys and defaults: targets are the
 * instances of Consul's services, found with blocking queries on the catalog and health APIs.
 *
 * <p>Besides the 2.42 keys, {@code path_prefix} (Prometheus 2.45) and {@code filter} (Prometheus 3.0) are
 * accepted and applied as those versions do. The deprecated {@code username}/{@code password} become
 * {@code basic_auth}, as in Prometheus.
 *
 * @param server Consul's {@code host[:port]} (a {@code http://} or {@code https://} prefix removed)
 * @param pathPrefix prefix of every API path, for Consul behind a reverse proxy; "" for none
 * @param token ACL token sent as {@code X-Consul-Token}; "" for none
 * @param datacenter datacenter to query; "" for the agent's own, read from {@code /v1/agent/self}
 * @param namespace Consul Enterprise namespace ({@code ns} parameter); "" for none
 * @param partition Consul Enterprise admin partition; "" for none
 * @param scheme {@code http} or {@code https}
 * @param tagSeparator joins the tags in {@code __meta_consul_tags}
 * @param allowStale whether any Consul server may answer ({@code stale} parameter)
 * @param refreshInterval the least time between two queries of one watch
 * @param services the services to watch; empty for all
 * @param tags tags an instance must all have
 * @param nodeMeta node metadata an instance's node must have
 * @param filter Consul filter expression for the catalog's service list; "" for none
 * @param http the common HTTP client settings
 */
public record ConsulSdConfig(String server, String pathPrefix, String token, String datacenter,
                             String namespace, String partition, String scheme, String tagSeparator,
                             boolean allowStale, Duration refreshInterval, List<String> services,
                             List<String> tags, Map<String, String> nodeMeta, String filter,
                             HttpClientConfig http)
    implements SdConfig {

  /** Prometheus' default server. */
  public static final String DEFAULT_SERVER = "localhost:8500";
  /** Prometheus' default tag separator. */
  public static final String DEFAULT_TAG_SEPARATOR = ",";
  /** Prometheus' default refresh interval. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(30);

  public ConsulSdConfig {
    services = List.copyOf(services);
    tags = List.copyOf(tags);
    nodeMeta = Collections.unmodifiableMap(new TreeMap<>(nodeMeta));
  }

  /** The shape of one entry. */
  public static ObjectSchema schema() {
    return PrometheusSchema.httpClient(Schema.object())
        .field("server", string())
        .field("path_prefix", string())
        .field("token", string())
        .field("datacenter", string())
        .field("namespace", string())
        .field("partition", string())
        .field("scheme", oneOf("http", "https"))
        .field("username", string())
        .field("password", string())
        .field("services", listOf(string()))
        .field("tags", listOf(string()))
        .field("node_meta", mapOf(string()))
        .field("tag_separator", string())
        .field("allow_stale", bool())
        .field("refresh_interval", duration())
        .field("filter", string());
  }

  /**
   * Reads a normalized entry with Prometheus' checks.
   *
   * @throws ConfigException naming the key path of a bad value
   */
  public static ConsulSdConfig parse(JsonObject raw, String path, Path baseDir) {
    String scheme = raw.getString("scheme", "http");
    String server = raw.getString("server", DEFAULT_SERVER).trim();
    if (server.isEmpty()) {
      throw new ConfigException(null, path + ".server", "consul SD configuration requires a server address");
    }
    int sep = server.indexOf("://");
    if (sep >= 0) {
      // as Consul's Go client: an http:// or https:// prefix is allowed, and https:// wins over scheme
      String prefix = server.substring(0, sep);
      if (prefix.equals("https")) {
        scheme = "https";
      } else if (!prefix.equals("http")) {
        String why = prefix.equals("unix") ? " (unix sockets are not supported)" : "";
        throw new ConfigException(null, path + ".server", "expected host:port, optionally after http:// or "
            + "https://, got '" + server + "'" + why);
      }
      server = server.substring(sep + 3);
    }
    try {
      ConsulEndpoint.parse(server, scheme);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, path + ".server", "expected host or host:port, got '" + server + "'");
    }
    Duration refresh = DEFAULT_REFRESH_INTERVAL;
    if (raw.containsKey("refresh_interval")) {
      refresh = Durations.parse(raw.getString("refresh_interval"));
      if (refresh.isZero()) {
        throw new ConfigException(null, path + ".refresh_interval",
            "expected a duration greater than 0, got '" + raw.getString("refresh_interval") + "'");
      }
    }
    JsonObject httpRaw = raw.copy();
    String username = raw.getString("username", "");
    String password = raw.getString("password", "");
    if (!username.isEmpty() || !password.isEmpty()) {
      if (raw.containsKey("basic_auth")) {
        throw new ConfigException(null, path, "at most one of consul SD configuration username and password "
            + "and basic auth can be configured");
      }
      httpRaw.put("basic_auth", new JsonObject().put("username", username).put("password", password));
    }
    String token = raw.getString("token", "");
    if (!token.isEmpty() && (raw.containsKey("authorization") || raw.containsKey("oauth2"))) {
      throw new ConfigException(null, path, "at most one of consul SD token, authorization, or oauth2 can be "
          + "configured");
    }
    HttpClientConfig http = HttpClientConfig.parse(httpRaw, path, baseDir);
    Map<String, String> nodeMeta = new TreeMap<>();
    raw.getJsonObject("node_meta", new JsonObject())
        .forEach(e -> nodeMeta.put(e.getKey(), e.getValue() == null ? "" : e.getValue().toString()));
    return new ConsulSdConfig(server, prefix(raw.getString("path_prefix", "")), token,
        raw.getString("datacenter", ""), raw.getString("namespace", ""), raw.getString("partition", ""),
        scheme,
        raw.getString("tag_separator", DEFAULT_TAG_SEPARATOR), raw.getBoolean("allow_stale", true), refresh,
        strings(raw.getJsonArray("services")), strings(raw.getJsonArray("tags")), nodeMeta,
        raw.getString("filter", ""), http);
  }

  /** A path prefix with one leading slash and no trailing one ("" for none). */
  private static String prefix(String p) {
    String s = p.trim();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.isEmpty() || s.startsWith("/") ? s : "/" + s;
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      a.forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }

  /** Where Consul is. */
  ConsulEndpoint endpoint() {
    return ConsulEndpoint.parse(server, scheme);
  }

  /**
   * Whether the catalog's service list must be watched: when no services are named, or when tags
   * filter them (the catalog tells which services have the tags), as Prometheus does.
   */
  boolean watchesCatalog() {
    return services.isEmpty() || !tags.isEmpty();
  }

  @Override
  public String mechanism() {
    return "consul";
  }

  @Override
  public Discoverer create(DiscoveryContext context) {
    return new ConsulDiscoverer(this, context, ConsulDiscoverer.Timing.PROMETHEUS);
  }

  @Override
  public String toString() {
    return "ConsulSdConfig[server=" + scheme + "://" + server + pathPrefix
        + ", token=" + (token.isEmpty() ? "none" : "<secret>") + ", datacenter=" + datacenter
        + ", services=" + services + ", tags=" + tags + ", nodeMeta=" + nodeMeta + ", filter=" + filter
        + ", refreshInterval=" + Durations.format(refreshInterval) + ", http=" + http + "]";
  }
}
