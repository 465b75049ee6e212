package io.clymene.storage;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP settings shared by HTTP-based writers: extra headers, basic or bearer auth (inline or from a
 * file, re-read on every request so rotated secrets apply), TLS and a request timeout. {@link #toString()}
 * never shows a secret.
 */
public final class HttpSettings {
  private final Map<String, String> headers;
  private final String username;
  private final String password;
  private final String passwordFile;
  private final String bearerToken;
  private final String bearerTokenFile;
  private final JsonObject tls;
  private final Duration timeout;

  private HttpSettings(Map<String, String> headers, String username, String password, String passwordFile,
                       String bearerToken, String bearerTokenFile, JsonObject tls, Duration timeout) {
    this.headers = Map.copyOf(headers);
    this.username = username;
    this.password = password;
    this.passwordFile = passwordFile;
    this.bearerToken = bearerToken;
    this.bearerTokenFile = bearerTokenFile;
    this.tls = tls;
    this.timeout = timeout;
  }

  /** Reads the common keys of a normalized storage entry. */
  public static HttpSettings from(JsonObject entry, Duration timeout) {
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject h = entry.getJsonObject("headers", new JsonObject());
    h.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    JsonObject basic = entry.getJsonObject("basic_auth");
    return new HttpSettings(headers,
        basic == null ? null : basic.getString("username"),
        basic == null ? null : basic.getString("password"),
        basic == null ? null : basic.getString("password_file"),
        entry.getString("bearer_token"), entry.getString("bearer_token_file"),
        entry.getJsonObject("tls"), timeout);
  }

  public Duration timeout() {
    return timeout;
  }

  /** Whether TLS settings were given. */
  public boolean hasTls() {
    return tls != null;
  }

  /** Applies TLS settings to client options (trust, client certificate, hostname checks). */
  public HttpClientOptions applyTls(HttpClientOptions options) {
    if (tls == null) {
      return options;
    }
    if (tls.containsKey("ca_file")) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.getString("ca_file")));
    }
    if (tls.containsKey("cert_file") && tls.containsKey("key_file")) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.getString("cert_file"))
          .setKeyPath(tls.getString("key_file")));
    }
    if (tls.getBoolean("insecure_skip_verify", false)) {
      options.setTrustAll(true).setVerifyHost(false);
    }
    return options;
  }

  /**
   * Adds the configured headers and credentials to a request's headers.
   *
   * @throws IOException when a password or token file cannot be read
   */
  public void addTo(MultiMap requestHeaders) throws IOException {
    headers.forEach(requestHeaders::set);
    if (username != null) {
      String pw = password != null ? password : passwordFile != null ? readSecret(passwordFile) : "";
      String token = Base64.getEncoder().encodeToString((username + ":" + pw).getBytes(StandardCharsets.UTF_8));
      requestHeaders.set("Authorization", "Basic " + token);
    } else if (bearerToken != null) {
      requestHeaders.set("Authorization", "Bearer " + bearerToken);
    } else if (bearerTokenFile != null) {
      requestHeaders.set("Authorization", "Bearer " + readSecret(bearerTokenFile));
    }
  }

  private static String readSecret(String file) throws IOException {
    return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
  }

  @Override
  public String toString() {
    return "HttpSettings[headers=" + headers.keySet() + ", auth="
        + (username != null ? "basic(" + username + ")" : bearerToken != null || bearerTokenFile != null
        ? "bearer" : "none") + ", tls=" + (tls != null) + ", timeout=" + timeout + "]";
  }
}
