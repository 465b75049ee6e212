package io.clymene.agent.config;

import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus' common HTTP client settings (basic_auth, authorization, oauth2, bearer_token(_file),
 * tls_config, proxy, follow_redirects, http_headers) with Prometheus' checks. Secrets are kept as given
 * and never printed; files are re-read on every request, as Prometheus does.
 */
public final class HttpClientConfig {
  /** Basic credentials; the password (or username) may come from a file. */
  public record BasicAuth(String username, String usernameFile, String password, String passwordFile) {
    @Override
    public String toString() {
      return "BasicAuth[" + (username != null ? username : "<file>") + "]";
    }
  }

  /** An Authorization header: type (default Bearer) and credentials, possibly from a file. */
  public record Authorization(String type, String credentials, String credentialsFile) {
    @Override
    public String toString() {
      return "Authorization[" + type + "]";
    }
  }

  /** OAuth 2.0 client credentials. */
  public record OAuth2(String clientId, String clientSecret, String clientSecretFile, List<String> scopes,
                       String tokenUrl, Map<String, String> endpointParams, TlsConfig tls, String proxyUrl) {
    @Override
    public String toString() {
      return "OAuth2[" + clientId + " @ " + tokenUrl + "]";
    }
  }

  /** TLS client settings: CA, client certificate, server name, verification, protocol versions. */
  public record TlsConfig(String ca, String caFile, String cert, String certFile, String key, String keyFile,
                          String serverName, boolean insecureSkipVerify, String minVersion, String maxVersion) {
    static final TlsConfig NONE = new TlsConfig(null, null, null, null, null, null, null, false, null, null);

    @Override
    public String toString() {
      return "TlsConfig[caFile=" + caFile + ", certFile=" + certFile + ", serverName=" + serverName
          + ", insecureSkipVerify=" + insecureSkipVerify + "]";
    }
  }

  private final BasicAuth basicAuth;
  private final Authorization authorization;
  private final OAuth2 oauth2;
  private final TlsConfig tls;
  private final String proxyUrl;
  private final String noProxy;
  private final boolean proxyFromEnvironment;
  private final boolean followRedirects;
  private final Map<String, List<String>> headers;

  private HttpClientConfig(BasicAuth basicAuth, Authorization authorization, OAuth2 oauth2, TlsConfig tls,
                           String proxyUrl, String noProxy, boolean proxyFromEnvironment, boolean followRedirects,
                           Map<String, List<String>> headers) {
    this.basicAuth = basicAuth;
    this.authorization = authorization;
    this.oauth2 = oauth2;
    this.tls = tls;
    this.proxyUrl = proxyUrl;
    this.noProxy = noProxy;
    this.proxyFromEnvironment = proxyFromEnvironment;
    this.followRedirects = followRedirects;
    this.headers = headers;
  }

  /**
   * Reads the HTTP client keys of a normalized section, with relative file names (secrets, certificates)
   * taken from {@code baseDir}, the directory of the configuration file, as Prometheus does.
   */
  public static HttpClientConfig parse(JsonObject s, String path, java.nio.file.Path baseDir) {
    if (baseDir == null) {
      return parse(s, path);
    }
    JsonObject c = s.copy();
    resolve(c, baseDir, "bearer_token_file");
    resolve(c.getJsonObject("basic_auth"), baseDir, "username_file", "password_file");
    resolve(c.getJsonObject("authorization"), baseDir, "credentials_file");
    JsonObject o = c.getJsonObject("oauth2");
    resolve(o, baseDir, "client_secret_file");
    if (o != null) {
      resolve(o.getJsonObject("tls_config"), baseDir, "ca_file", "cert_file", "key_file");
    }
    resolve(c.getJsonObject("tls_config"), baseDir, "ca_file", "cert_file", "key_file");
    return parse(c, path);
  }

  private static void resolve(JsonObject o, java.nio.file.Path baseDir, String... keys) {
    if (o == null) {
      return;
    }
    for (String k : keys) {
      String v = o.getString(k);
      if (v != null && !v.isEmpty() && !java.nio.file.Path.of(v).isAbsolute()) {
        o.put(k, baseDir.resolve(v).normalize().toString());
      }
    }
  }

  /** Reads the HTTP client keys of a normalized section (scrape config, SD config, remote write). */
  public static HttpClientConfig parse(JsonObject s, String path) {
    BasicAuth basic = null;
    JsonObject b = s.getJsonObject("basic_auth");
    if (b != null) {
      if (b.containsKey("username") && b.containsKey("username_file")) {
        throw new ConfigException(null, path + ".basic_auth", "at most one of basic_auth username & username_file"
            + " must be configured");
      }
      if (b.containsKey("password") && b.containsKey("password_file")) {
        throw new ConfigException(null, path + ".basic_auth", "at most one of basic_auth password & password_file"
            + " must be configured");
      }
      basic = new BasicAuth(b.getString("username"), b.getString("username_file"), b.getString("password"),
          b.getString("password_file"));
    }
    Authorization authz = null;
    JsonObject a = s.getJsonObject("authorization");
    String bearer = s.getString("bearer_token");
    String bearerFile = s.getString("bearer_token_file");
    if (bearer != null && bearerFile != null) {
      throw new ConfigException(null, path, "at most one of bearer_token & bearer_token_file must be configured");
    }
    if (a != null) {
      if (bearer != null || bearerFile != null) {
        throw new ConfigException(null, path, "authorization is not compatible with bearer_token & bearer_token_file");
      }
      String type = a.getString("type", "Bearer");
      if (type.equalsIgnoreCase("basic")) {
        throw new ConfigException(null, path + ".authorization.type",
            "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
      }
      if (a.containsKey("credentials") && a.containsKey("credentials_file")) {
        throw new ConfigException(null, path + ".authorization",
            "at most one of authorization credentials & credentials_file must be configured");
      }
      authz = new Authorization(type, a.getString("credentials"), a.getString("credentials_file"));
    } else if (bearer != null || bearerFile != null) {
      authz = new Authorization("Bearer", bearer, bearerFile);
    }
    OAuth2 oauth = null;
    JsonObject o = s.getJsonObject("oauth2");
    if (o != null) {
      if (!o.containsKey("token_url")) {
        throw new ConfigException(null, path + ".oauth2.token_url", "missing; oauth2 needs the token endpoint");
      }
      if (o.containsKey("client_secret") && o.containsKey("client_secret_file")) {
        throw new ConfigException(null, path + ".oauth2",
            "at most one of oauth2 client_secret & client_secret_file must be configured");
      }
      List<String> scopes = new ArrayList<>();
      o.getJsonArray("scopes", new JsonArray()).forEach(x -> scopes.add(String.valueOf(x)));
      Map<String, String> params = new LinkedHashMap<>();
      o.getJsonObject("endpoint_params", new JsonObject()).forEach(e -> params.put(e.getKey(), String.valueOf(e.getValue())));
      oauth = new OAuth2(o.getString("client_id", ""), o.getString("client_secret"), o.getString("client_secret_file"),
          List.copyOf(scopes), o.getString("token_url"), Map.copyOf(params),
          tls(o.getJsonObject("tls_config"), path + ".oauth2.tls_config"), o.getString("proxy_url"));
    }
    int auths = (basic != null ? 1 : 0) + (authz != null ? 1 : 0) + (oauth != null ? 1 : 0);
    if (auths > 1) {
      throw new ConfigException(null, path, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file "
          + "(or authorization) must be configured");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    JsonObject h = s.getJsonObject("http_headers", new JsonObject());
    for (String name : h.fieldNames()) {
      Object v = h.getValue(name);
      List<String> values = new ArrayList<>();
      if (v instanceof JsonObject ho) {
        ho.getJsonArray("values", new JsonArray()).forEach(x -> values.add(String.valueOf(x)));
        ho.getJsonArray("secrets", new JsonArray()).forEach(x -> values.add(String.valueOf(x)));
      } else if (v != null) {
        values.add(String.valueOf(v));
      }
      headers.put(name, List.copyOf(values));
    }
    String proxy = s.getString("proxy_url");
    boolean fromEnv = s.getBoolean("proxy_from_environment", false);
    if (proxy != null && fromEnv) {
      throw new ConfigException(null, path, "if proxy_from_environment is configured, proxy_url must not be configured");
    }
    if (proxy != null) {
      try {
        java.net.URI u = new java.net.URI(proxy);
        if (u.getHost() == null) {
          throw new java.net.URISyntaxException(proxy, "no host");
        }
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException(null, path + ".proxy_url", "expected a URL such as http://proxy:3128, got '"
            + proxy + "'");
      }
    }
    return new HttpClientConfig(basic, authz, oauth, tls(s.getJsonObject("tls_config"), path + ".tls_config"),
        proxy, s.getString("no_proxy"), fromEnv, s.getBoolean("follow_redirects", true), Map.copyOf(headers));
  }

  private static TlsConfig tls(JsonObject t, String path) {
    if (t == null) {
      return TlsConfig.NONE;
    }
    if (t.containsKey("ca") && t.containsKey("ca_file")) {
      throw new ConfigException(null, path, "at most one of ca and ca_file must be configured");
    }
    if (t.containsKey("cert") && t.containsKey("cert_file")) {
      throw new ConfigException(null, path, "at most one of cert and cert_file must be configured");
    }
    if (t.containsKey("key") && t.containsKey("key_file")) {
      throw new ConfigException(null, path, "at most one of key and key_file must be configured");
    }
    boolean hasCert = t.containsKey("cert") || t.containsKey("cert_file");
    boolean hasKey = t.containsKey("key") || t.containsKey("key_file");
    if (hasCert != hasKey) {
      throw new ConfigException(null, path, "exactly one of key or key_file must be configured when a client "
          + "certificate is configured (and the other way round)");
    }
    for (String k : List.of("min_version", "max_version")) {
      String v = t.getString(k);
      if (v != null && !List.of("TLS10", "TLS11", "TLS12", "TLS13").contains(v)) {
        throw new ConfigException(null, path + "." + k, "expected one of TLS10, TLS11, TLS12, TLS13, got '" + v + "'");
      }
    }
    return new TlsConfig(t.getString("ca"), t.getString("ca_file"), t.getString("cert"), t.getString("cert_file"),
        t.getString("key"), t.getString("key_file"), t.getString("server_name"),
        t.getBoolean("insecure_skip_verify", false), t.getString("min_version"), t.getString("max_version"));
  }

  public BasicAuth basicAuth() {
    return basicAuth;
  }

  public Authorization authorization() {
    return authorization;
  }

  public OAuth2 oauth2() {
    return oauth2;
  }

  public TlsConfig tls() {
    return tls;
  }

  public String proxyUrl() {
    return proxyUrl;
  }

  public String noProxy() {
    return noProxy;
  }

  public boolean proxyFromEnvironment() {
    return proxyFromEnvironment;
  }

  public boolean followRedirects() {
    return followRedirects;
  }

  /** Extra request headers (http_headers values and secrets). */
  public Map<String, List<String>> headers() {
    return headers;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpClientConfig c && java.util.Objects.equals(basicAuth, c.basicAuth)
        && java.util.Objects.equals(authorization, c.authorization) && java.util.Objects.equals(oauth2, c.oauth2)
        && tls.equals(c.tls) && java.util.Objects.equals(proxyUrl, c.proxyUrl)
        && java.util.Objects.equals(noProxy, c.noProxy) && proxyFromEnvironment == c.proxyFromEnvironment
        && followRedirects == c.followRedirects && headers.equals(c.headers);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(basicAuth, authorization, oauth2, tls, proxyUrl, followRedirects, headers);
  }

  @Override
  public String toString() {
    return "HttpClientConfig[auth=" + (basicAuth != null ? basicAuth : authorization != null ? authorization
        : oauth2 != null ? oauth2 : "none") + ", tls=" + tls + ", proxy=" + (proxyUrl != null ? "set" : "none")
        + ", followRedirects=" + followRedirects + "]";
  }
}
