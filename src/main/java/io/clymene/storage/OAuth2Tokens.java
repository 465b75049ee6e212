package io.clymene.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OAuth 2.0 client-credentials tokens for a writer ({@code oauth2}: {@code client_id},
 * {@code client_secret} or {@code client_secret_file}, {@code scopes}, {@code token_url},
 * {@code endpoint_params}), fetched asynchronously and cached until shortly before they expire, as
 * golang.org/x/oauth2 (and so Prometheus) does. The secret file is read again for every new token.
 */
public final class OAuth2Tokens {
  private final Vertx vertx;
  private final HttpClient client;
  private final boolean ownsClient;
  private final String clientId;
  private final String clientSecret;
  private final String clientSecretFile;
  private final List<String> scopes;
  private final String tokenUrl;
  private final Map<String, String> endpointParams;
  private String token;
  private long expiresAtMillis;
  private Future<String> pending;

  /**
   * Tokens for a writer, with a client of their own.
   *
   * @param vertx the writer's Vert.x
   * @param config the {@code oauth2} object of a storage entry
   */
  public OAuth2Tokens(Vertx vertx, JsonObject config) {
    this(vertx, vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)), true,
        config.getString("client_id", ""), config.getString("client_secret"), config.getString("client_secret_file"),
        strings(config.getJsonArray("scopes", new JsonArray())), config.getString("token_url"),
        params(config.getJsonObject("endpoint_params", new JsonObject())));
  }

  /**
   * Tokens fetched through an existing client (a scrape job's, with its TLS and proxy settings).
   *
   * @param vertx the Vert.x instance (to read the secret file)
   * @param client the client for token requests; not closed by {@link #close()}
   * @param clientId the client id
   * @param clientSecret the secret, or null
   * @param clientSecretFile the file holding the secret, or null
   * @param scopes the scopes asked for
   * @param tokenUrl the token endpoint
   * @param endpointParams extra form parameters
   */
  public OAuth2Tokens(Vertx vertx, HttpClient client, String clientId, String clientSecret, String clientSecretFile,
                      List<String> scopes, String tokenUrl, Map<String, String> endpointParams) {
    this(vertx, client, false, clientId, clientSecret, clientSecretFile, scopes, tokenUrl, endpointParams);
  }

  private OAuth2Tokens(Vertx vertx, HttpClient client, boolean ownsClient, String clientId, String clientSecret,
                       String clientSecretFile, List<String> scopes, String tokenUrl,
                       Map<String, String> endpointParams) {
    this.vertx = vertx;
    this.client = client;
    this.ownsClient = ownsClient;
    this.clientId = clientId == null ? "" : clientId;
    this.clientSecret = clientSecret;
    this.clientSecretFile = clientSecretFile;
    this.scopes = List.copyOf(scopes);
    this.tokenUrl = tokenUrl;
    this.endpointParams = new LinkedHashMap<>(endpointParams);
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(String.valueOf(x)));
    return out;
  }

  private static Map<String, String> params(JsonObject o) {
    Map<String, String> out = new LinkedHashMap<>();
    o.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    return out;
  }

  /** A valid token; call on one context (the writer's or the scrape job's). */
  public Future<String> token() {
    if (token != null && System.currentTimeMillis() < expiresAtMillis) {
      return Future.succeededFuture(token);
    }
    if (pending == null) {
      pending = fetch().andThen(ar -> pending = null);
    }
    return pending;
  }

  private Future<String> fetch() {
    Future<String> secret = clientSecretFile == null
        ? Future.succeededFuture(clientSecret == null ? "" : clientSecret)
        : vertx.fileSystem().readFile(clientSecretFile).map(b -> b.toString(StandardCharsets.UTF_8).trim())
            .recover(err -> Future.failedFuture("cannot read " + clientSecretFile + ": " + err.getMessage()));
    return secret.compose(s -> {
      StringBuilder form = new StringBuilder("grant_type=client_credentials");
      if (!scopes.isEmpty()) {
        form.append("&scope=").append(enc(String.join(" ", scopes)));
      }
      endpointParams.forEach((k, v) -> form.append('&').append(enc(k)).append('=').append(enc(v)));
      String basic = Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(s))
          .getBytes(StandardCharsets.UTF_8));
      RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(tokenUrl)
          .putHeader("Content-Type", "application/x-www-form-urlencoded")
          .putHeader("Authorization", "Basic " + basic);
      return client.request(req).compose(r -> r.send(Buffer.buffer(form.toString())))
          .compose(resp -> resp.body().compose(body -> {
            if (resp.statusCode() / 100 != 2) {
              return Future.failedFuture("oauth2 token request to " + tokenUrl + " answered " + resp.statusCode()
                  + ": " + body.toString().trim());
            }
            JsonObject json;
            try {
              json = new JsonObject(body);
            } catch (RuntimeException e) {
              return Future.failedFuture("oauth2 token answer from " + tokenUrl + " is not JSON");
            }
            String t = json.getString("access_token");
            if (t == null || t.isEmpty()) {
              return Future.failedFuture("oauth2 token answer from " + tokenUrl + " has no access_token");
            }
            token = t;
            // refresh a little early, like golang.org/x/oauth2 (10 s before expiry)
            expiresAtMillis = System.currentTimeMillis() + Math.max(0, json.getLong("expires_in", 3600L) - 10) * 1000;
            return Future.succeededFuture(t);
          }));
    });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Closes the token client when it is this object's own. */
  public Future<Void> close() {
    return ownsClient ? client.close() : Future.succeededFuture();
  }
}
