package io.clymene.agent.discovery.kubernetes;

import static io.clymene.config.Schema.bool;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.agent.config.HttpClientConfig;
import io.clymene.agent.config.PrometheusSchema;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.SdConfig;
import io.clymene.config.ConfigException;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One {@code kubernetes_sd_configs} entry, with Prometheus 2.42's keys, defaults and checks. Discovery
 * watches the API server (informers per resource and namespace) and sends a group per object.
 *
 * @param role what is discovered
 * @param apiServer the API server URL, or null for the kubeconfig file or in-cluster access
 * @param kubeconfigFile a kubeconfig file (joined to the configuration's directory), or null
 * @param http the HTTP client settings used with {@code api_server}
 * @param ownNamespace whether the namespace Clymene runs in (in-cluster) is watched too
 * @param namespaces the namespaces to watch; none (and not ownNamespace) means all
 * @param selectors label and field selectors, at most one per role
 * @param attachNodeMetadata whether node name and labels are attached (pod, endpoints, endpointslice roles)
 */
public record KubernetesSdConfig(Role role, String apiServer, String kubeconfigFile, HttpClientConfig http,
                                 boolean ownNamespace, List<String> namespaces, List<Selector> selectors,
                                 boolean attachNodeMetadata) implements SdConfig {

  public KubernetesSdConfig {
    namespaces = List.copyOf(namespaces);
    selectors = List.copyOf(selectors);
  }

  /** The keys of one entry: Prometheus' HTTP client keys and the Kubernetes ones. */
  public static ObjectSchema schema() {
    return PrometheusSchema.httpClient(object())
        .field("role", string())
        .field("api_server", string())
        .field("kubeconfig_file", string())
        .field("namespaces", object()
            .field("own_namespace", bool())
            .field("names", listOf(string())))
        .field("selectors", listOf(object()
            .field("role", string())
            .field("label", string())
            .field("field", string())))
        .field("attach_metadata", object()
            .field("node", bool()));
  }

  /** Reads and checks an entry as Prometheus 2.42 does; errors name the key path. */
  public static KubernetesSdConfig parse(JsonObject raw, String path, Path baseDir) {
    // normalizing twice is harmless and makes this safe to call on an entry not yet checked
    JsonObject s = (JsonObject) schema().normalize(raw, path, new ArrayList<>());
    String roleName = s.getString("role");
    if (roleName == null || roleName.isEmpty()) {
      throw new ConfigException(null, path + ".role", "role missing (one of: " + Role.NAMES + ")");
    }
    Role role = role(roleName, path + ".role");
    HttpClientConfig http = HttpClientConfig.parse(s, path, baseDir);
    String apiServer = s.getString("api_server");
    if (apiServer != null && apiServer.isEmpty()) {
      apiServer = null;
    }
    if (apiServer != null) {
      apiServer = apiServer(apiServer, path + ".api_server");
    }
    String kubeconfig = s.getString("kubeconfig_file");
    if (kubeconfig != null && kubeconfig.isEmpty()) {
      kubeconfig = null;
    }
    if (kubeconfig != null && baseDir != null) {
      kubeconfig = baseDir.resolve(kubeconfig).normalize().toString();
    }
    boolean customHttp = !http.equals(HttpClientConfig.parse(new JsonObject(), path))
        || Boolean.FALSE.equals(s.getBoolean("enable_http2"))
        || !s.getJsonObject("proxy_connect_header", new JsonObject()).isEmpty();
    if (apiServer != null && kubeconfig != null) {
      throw new ConfigException(null, path + ".kubeconfig_file",
          "cannot use 'kubeconfig_file' and 'api_server' simultaneously");
    }
    if (kubeconfig != null && customHttp) {
      throw new ConfigException(null, path + ".kubeconfig_file",
          "cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
    }
    if (apiServer == null && customHttp) {
      throw new ConfigException(null, path + ".api_server",
          "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
    }
    JsonObject ns = s.getJsonObject("namespaces", new JsonObject());
    boolean own = ns.getBoolean("own_namespace", false);
    if (own && apiServer != null) {
      throw new ConfigException(null, path + ".namespaces.own_namespace",
          "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
    }
    if (own && kubeconfig != null) {
      throw new ConfigException(null, path + ".namespaces.own_namespace",
          "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
    }
    Set<String> names = new LinkedHashSet<>();
    ns.getJsonArray("names", new JsonArray()).forEach(n -> names.add((String) n));
    List<Selector> selectors = selectors(s.getJsonArray("selectors", new JsonArray()), role, path + ".selectors");
    boolean attach = s.getJsonObject("attach_metadata", new JsonObject()).getBoolean("node", false);
    return new KubernetesSdConfig(role, apiServer, kubeconfig, http, own, List.copyOf(names), selectors, attach);
  }

  private static Role role(String name, String path) {
    Role role = Role.byName(name);
    if (role == null) {
      throw new ConfigException(null, path, "unknown Kubernetes SD role \"" + name + "\" (expected one of: "
          + Role.NAMES + ")");
    }
    return role;
  }

  /** A URL; like client-go, a bare host:port means plain HTTP. */
  private static String apiServer(String value, String path) {
    String url = value.contains("://") ? value : "http://" + value;
    try {
      URI u = new URI(url);
      if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
        throw new URISyntaxException(value, "no http(s) host");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException(null, path, "expected a URL such as https://kubernetes.example:6443, got '"
          + value + "'");
    }
    return url;
  }

  private static List<Selector> selectors(JsonArray list, Role role, String path) {
    List<Selector> out = new ArrayList<>();
    Set<Role> seen = EnumSet.noneOf(Role.class);
    Set<String> seenNames = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonObject sel = list.getJsonObject(i);
      String p = path + "[" + i + "]";
      String name = sel.getString("role", "");
      Role r = name.isEmpty() ? null : role(name, p + ".role");
      if (!seenNames.add(name) || (r != null && !seen.add(r))) {
        throw new ConfigException(null, p + ".role", "duplicated selector role: " + name);
      }
      if (r == null || !role.allowedSelectors().contains(r)) {
        throw new ConfigException(null, p + ".role", role + " role supports only " + role.allowedSelectors()
            .stream().map(Role::configName).collect(Collectors.joining(", ")) + " selectors, got '" + name + "'");
      }
      String field = sel.getString("field", "");
      String label = sel.getString("label", "");
      try {
        SelectorSyntax.fieldTerms(field);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(null, p + ".field", e.getMessage());
      }
      try {
        SelectorSyntax.checkLabels(label);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(null, p + ".label", e.getMessage());
      }
      out.add(new Selector(r, label, field));
    }
    return out;
  }

  /** The selector for a role's resources, or null. */
  Selector selector(Role r) {
    for (Selector s : selectors) {
      if (s.role() == r) {
        return s;
      }
    }
    return null;
  }

  @Override
  public String mechanism() {
    return "kubernetes";
  }

  @Override
  public Discoverer create(DiscoveryContext context) {
    return new KubernetesDiscoverer(this, context, InCluster.fromEnvironment());
  }
}
