package io.clymene.agent.discovery.kubernetes;

import io.clymene.agent.config.HttpClientConfig;
import io.clymene.agent.scrape.ScrapeClient;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A fabric8 client for one kubernetes_sd_configs entry, built the way Prometheus builds its client-go
 * config: from the kubeconfig file, from {@code api_server} with the HTTP client settings, or in-cluster from
 * the pod's service account. The client runs on the agent's Vert.x through fabric8's Vert.x 5 HTTP client.
 * {@link #open} blocks (it reads files) and must run on a worker thread.
 */
final class ApiConnection {
  private static final String USER_AGENT = "Clymene";
  private static final int REQUEST_TIMEOUT_MILLIS = 60_000;

  final KubernetesClient client;
  /** The API server, for messages. */
  final String url;
  /** The namespace Clymene runs in, when own_namespace asked for it; else null. */
  final String ownNamespace;
  private final ScrapeClient auth;
  private final AuthHeaders headers;
  private final boolean headersChange;

  private ApiConnection(KubernetesClient client, String url, String ownNamespace, ScrapeClient auth,
                        AuthHeaders headers, boolean headersChange) {
    this.client = client;
    this.url = url;
    this.ownNamespace = ownNamespace;
    this.auth = auth;
    this.headers = headers;
    this.headersChange = headersChange;
  }

  /** Where and how to reach the API server with Prometheus' HTTP client settings. */
  private record Target(String url, HttpClientConfig http, String ownNamespace) {
  }

  /** Builds the client; blocking. */
  static ApiConnection open(KubernetesSdConfig config, Vertx vertx, InCluster env) throws IOException {
    Vertx5HttpClientFactory factory = new Vertx5HttpClientFactory(vertx);
    if (config.kubeconfigFile() != null) {
      return fromKubeconfig(Path.of(config.kubeconfigFile()), factory);
    }
    Target target = config.apiServer() != null ? new Target(config.apiServer(), config.http(), null)
        : inCluster(env, config.ownNamespace());
    HttpClientConfig http = target.http();
    boolean needsHeaders = http.basicAuth() != null || http.authorization() != null || http.oauth2() != null
        || !http.headers().isEmpty();
    ScrapeClient auth = needsHeaders
        ? new ScrapeClient(vertx, http, target.url().startsWith("https") ? "https" : "http") : null;
    AuthHeaders headers = needsHeaders ? new AuthHeaders() : null;
    boolean follow = http.followRedirects();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config(target.url(), http))
        .withHttpClientFactory(factory)
        .withHttpClientBuilderConsumer(b -> {
          if (follow) {
            b.followAllRedirects();
          }
          if (headers != null) {
            b.addOrReplaceInterceptor("CLYMENE_AUTH", headers);
          }
        }).build();
    return new ApiConnection(client, target.url(), target.ownNamespace(), auth, headers,
        http.oauth2() != null || hasFile(http));
  }

  /** Everything from the kubeconfig file (current context), as client-go's BuildConfigFromFlags. */
  private static ApiConnection fromKubeconfig(Path file, Vertx5HttpClientFactory factory) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException("cannot read kubeconfig_file " + file);
    }
    Config cfg = Config.fromKubeconfig(file.toFile());
    cfg.setUserAgent(USER_AGENT);
    cfg.setRequestRetryBackoffLimit(0);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).withHttpClientFactory(factory)
        .withHttpClientBuilderConsumer(b -> b.followAllRedirects()).build();
    return new ApiConnection(client, cfg.getMasterUrl(), null, null, null, false);
  }

  /** The pod's service account, as client-go's InClusterConfig; the token file is read again as it rotates. */
  private static Target inCluster(InCluster env, boolean ownNamespace) throws IOException {
    if (isEmpty(env.host()) || isEmpty(env.port())) {
      throw new IOException("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
          + "KUBERNETES_SERVICE_PORT must be defined (or set api_server or kubeconfig_file)");
    }
    Path token = env.serviceAccountDir().resolve("token");
    Path ca = env.serviceAccountDir().resolve("ca.crt");
    if (!Files.isReadable(token)) {
      throw new IOException("cannot read the service account token " + token);
    }
    JsonObject settings = new JsonObject()
        .put("authorization", new JsonObject().put("credentials_file", token.toString()));
    if (Files.isReadable(ca)) {
      settings.put("tls_config", new JsonObject().put("ca_file", ca.toString()));
    }
    String namespace = null;
    if (ownNamespace) {
      Path file = env.serviceAccountDir().resolve("namespace");
      try {
        namespace = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IOException("could not determine the pod's namespace: cannot read " + file + ": " + e, e);
      }
      if (namespace.isEmpty()) {
        throw new IOException("could not read own namespace name (empty file " + file + ")");
      }
    }
    return new Target("https://" + Meta.joinHostPort(env.host(), env.port()),
        HttpClientConfig.parse(settings, "in-cluster"), namespace);
  }

  private static Config config(String url, HttpClientConfig http) {
    ConfigBuilder b = new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withUserAgent(USER_AGENT)
        .withRequestTimeout(REQUEST_TIMEOUT_MILLIS)
        // the informers retry a failed list or watch with their own backoff, and report each failure
        .withRequestRetryBackoffLimit(0);
    HttpClientConfig.TlsConfig tls = http.tls();
    if (tls.caFile() != null) {
      b.withCaCertFile(tls.caFile());
    } else if (tls.ca() != null) {
      b.withCaCertData(base64(tls.ca()));
    }
    if (tls.certFile() != null) {
      b.withClientCertFile(tls.certFile());
    } else if (tls.cert() != null) {
      b.withClientCertData(base64(tls.cert()));
    }
    if (tls.keyFile() != null) {
      b.withClientKeyFile(tls.keyFile());
    } else if (tls.key() != null) {
      b.withClientKeyData(base64(tls.key()));
    }
    if (tls.insecureSkipVerify()) {
      b.withTrustCerts(true).withDisableHostnameVerification(true);
    }
    if (tls.serverName() != null) {
      b.withTlsServerName(tls.serverName());
    }
    if (tls.minVersion() != null || tls.maxVersion() != null) {
      b.withTlsVersions(tlsVersions(tls.minVersion(), tls.maxVersion()));
    }
    String proxy = http.proxyUrl();
    String noProxy = http.noProxy();
    if (proxy == null && http.proxyFromEnvironment()) {
      proxy = env(url.startsWith("https") ? "HTTPS_PROXY" : "HTTP_PROXY");
      noProxy = env("NO_PROXY");
    }
    if (proxy != null && !proxy.isEmpty()) {
      b.withHttpProxy(proxy).withHttpsProxy(proxy);
      if (noProxy != null && !noProxy.isBlank()) {
        b.withNoProxy(noProxy.split("\\s*,\\s*"));
      }
    }
    return b.build();
  }

  private static TlsVersion[] tlsVersions(String min, String max) {
    List<String> all = List.of("TLS10", "TLS11", "TLS12", "TLS13");
    List<String> javaNames = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    int lo = min == null ? 2 : all.indexOf(min);
    int hi = max == null ? 3 : all.indexOf(max);
    List<TlsVersion> out = new ArrayList<>();
    for (int i = hi; i >= lo; i--) {
      out.add(TlsVersion.forJavaName(javaNames.get(i)));
    }
    return out.toArray(new TlsVersion[0]);
  }

  private static boolean hasFile(HttpClientConfig http) {
    return (http.basicAuth() != null && (http.basicAuth().usernameFile() != null
        || http.basicAuth().passwordFile() != null))
        || (http.authorization() != null && http.authorization().credentialsFile() != null);
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v != null ? v : System.getenv(name.toLowerCase(Locale.ROOT));
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  /** Whether the auth headers can change (secret files, OAuth 2.0 tokens) and need refreshing. */
  boolean headersChange() {
    return headersChange;
  }

  /** Reads the secret files or fetches a token and puts the headers on later requests; not blocking. */
  Future<Void> refreshHeaders() {
    if (auth == null) {
      return Future.succeededFuture();
    }
    return auth.prepare(new RequestOptions()).map(req -> {
      if (req.getHeaders() != null) {
        headers.set(req.getHeaders());
      }
      return null;
    });
  }

  /** Closes the client; blocking. */
  void close() {
    client.close();
    if (auth != null) {
      auth.close();
    }
  }
}
