package io.clymene.agent.scrape;

import io.clymene.agent.config.HttpClientConfig;
import io.clymene.agent.config.ScrapeConfig;
import io.clymene.storage.OAuth2Tokens;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP side of a job's scrapes: one Vert.x client with the job's TLS and proxy settings, and the
 * per-request headers its auth settings call for (basic, authorization, bearer token, OAuth 2.0 client
 * credentials with a cached token, http_headers). Secret files are read asynchronously on every request,
 * so rotated secrets apply at once, as in Prometheus. Service discovery mechanisms that speak HTTP use it
 * too, with their own {@link HttpClientConfig}.
 */
public final class ScrapeClient {
  private final Vertx vertx;
  private final HttpClientConfig http;
  private final HttpClient client;
  private final OAuth2Tokens oauth;

  ScrapeClient(Vertx vertx, ScrapeConfig config) {
    this(vertx, config.http(), config.scheme());
  }

  /**
   * @param vertx the Vert.x instance
   * @param http the HTTP client settings
   * @param scheme the scheme requests mostly use, to pick the proxy from the environment
   */
  public ScrapeClient(Vertx vertx, HttpClientConfig http, String scheme) {
    this.vertx = vertx;
    this.http = http;
    HttpClientOptions options = new HttpClientOptions()
        .setDecompressionSupported(true)
        .setKeepAlive(true)
        .setMaxRedirects(10);
    applyTls(options, http.tls());
    ProxyOptions proxy = proxy(http, scheme);
    if (proxy != null) {
      options.setProxyOptions(proxy);
      if (http.noProxy() != null) {
        List<String> hosts = new ArrayList<>();
        for (String h : http.noProxy().split(",")) {
          if (!h.isBlank()) {
            hosts.add(h.trim());
          }
        }
        options.setNonProxyHosts(hosts);
      }
    }
    this.client = vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(2)).build();
    HttpClientConfig.OAuth2 o = http.oauth2();
    this.oauth = o == null ? null : new OAuth2Tokens(vertx, client, o.clientId(), o.clientSecret(),
        o.clientSecretFile(), o.scopes(), o.tokenUrl(), o.endpointParams());
  }

  /** The underlying client. */
  public HttpClient client() {
    return client;
  }

  /** TLS server name to verify instead of the target's host, or null. */
  String serverName() {
    return http.tls().serverName();
  }

  boolean followRedirects() {
    return http.followRedirects();
  }

  /** Adds the auth and extra headers to a request; fails when a secret file cannot be read. */
  public Future<RequestOptions> prepare(RequestOptions req) {
    http.headers().forEach((name, values) -> values.forEach(v -> req.addHeader(name, v)));
    HttpClientConfig.BasicAuth basic = http.basicAuth();
    if (basic != null) {
      return Future.all(secret(basic.username(), basic.usernameFile()), secret(basic.password(), basic.passwordFile()))
          .map(cf -> {
            String user = cf.resultAt(0);
            String pass = cf.resultAt(1);
            req.putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
            return req;
          });
    }
    HttpClientConfig.Authorization authz = http.authorization();
    if (authz != null) {
      return secret(authz.credentials(), authz.credentialsFile()).map(c -> {
        req.putHeader("Authorization", authz.type() + " " + c);
        return req;
      });
    }
    if (http.oauth2() != null) {
      return oauth.token().map(token -> {
        req.putHeader("Authorization", "Bearer " + token);
        return req;
      });
    }
    return Future.succeededFuture(req);
  }

  private Future<String> secret(String inline, String file) {
    if (file == null) {
      return Future.succeededFuture(inline == null ? "" : inline);
    }
    return vertx.fileSystem().readFile(file)
        .map(b -> b.toString(StandardCharsets.UTF_8).trim())
        .recover(err -> Future.failedFuture("cannot read " + file + ": " + err.getMessage()));
  }

  static void applyTls(HttpClientOptions options, HttpClientConfig.TlsConfig tls) {
    if (tls.caFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
    } else if (tls.ca() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(tls.ca())));
    }
    if (tls.certFile() != null || tls.cert() != null) {
      PemKeyCertOptions kc = new PemKeyCertOptions();
      if (tls.certFile() != null) {
        kc.setCertPath(tls.certFile());
      } else {
        kc.setCertValue(Buffer.buffer(tls.cert()));
      }
      if (tls.keyFile() != null) {
        kc.setKeyPath(tls.keyFile());
      } else {
        kc.setKeyValue(Buffer.buffer(tls.key()));
      }
      options.setKeyCertOptions(kc);
    }
    if (tls.insecureSkipVerify()) {
      options.setTrustAll(true).setVerifyHost(false);
    }
    if (tls.minVersion() != null || tls.maxVersion() != null) {
      List<String> all = List.of("TLS10", "TLS11", "TLS12", "TLS13");
      int lo = tls.minVersion() == null ? 2 : all.indexOf(tls.minVersion());
      int hi = tls.maxVersion() == null ? 3 : all.indexOf(tls.maxVersion());
      Set<String> enabled = new LinkedHashSet<>();
      for (int i = lo; i <= hi; i++) {
        enabled.add(List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3").get(i));
      }
      options.setEnabledSecureTransportProtocols(enabled);
    }
  }

  static ProxyOptions proxy(HttpClientConfig http, String scheme) {
    String url = http.proxyUrl();
    if (url == null && http.proxyFromEnvironment()) {
      url = env(scheme.equals("https") ? "HTTPS_PROXY" : "HTTP_PROXY");
    }
    if (url == null || url.isEmpty()) {
      return null;
    }
    URI u = URI.create(url);
    ProxyOptions p = new ProxyOptions().setHost(u.getHost())
        .setType(u.getScheme() != null && u.getScheme().startsWith("socks5") ? ProxyType.SOCKS5 : ProxyType.HTTP)
        .setPort(u.getPort() > 0 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 80));
    if (u.getUserInfo() != null) {
      String[] up = u.getUserInfo().split(":", 2);
      p.setUsername(up[0]).setPassword(up.length > 1 ? up[1] : "");
    }
    return p;
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v != null ? v : System.getenv(name.toLowerCase(java.util.Locale.ROOT));
  }

  /** Closes the client. */
  public Future<Void> close() {
    return client.close();
  }
}
