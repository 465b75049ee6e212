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
import java.util.List;

/**
 * OAuth 2.0 client-credentials tokens for a writer ({@code oauth2}: {@code client_id},
 * {@code client_secret} or {@code client_secret_file}, {@code scopes}, {@code token_url},
 * {@code endpoint_params}), fetched asynchronously and cached until shortly before they expire, as
 * golang.org/x/oauth2 (and so Prometheus) does. The secret file is read again for every new token.
 */
public final class OAuth2Tokens {
  private final Vertx vertx;
  private final JsonObject config;
  private final HttpClient client;
  private String token;
  private long expiresAtMillis;
  private Future<String> pending;

  /**
   * @param vertx the writer's Vert.x
   * @param config the {@code oauth2} object of a storage entry
   */
  public OAuth2Tokens(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.config = config.copy();
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  }

  /** A valid token; call on the writer's context. */
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
    String file = config.getString("client_secret_file");
    Future<String> secret = file == null ? Future.succeededFuture(config.getString("client_secret", ""))
        : vertx.fileSystem().readFile(file).map(b -> b.toString(StandardCharsets.UTF_8).trim());
    String tokenUrl = config.getString("token_url");
    return secret.compose(s -> {
      StringBuilder form = new StringBuilder("grant_type=client_credentials");
      List<String> scopes = new ArrayList<>();
      config.getJsonArray("scopes", new JsonArray()).forEach(x -> scopes.add(String.valueOf(x)));
      if (!scopes.isEmpty()) {
        form.append("&scope=").append(enc(String.join(" ", scopes)));
      }
      config.getJsonObject("endpoint_params", new JsonObject())
          .forEach(e -> form.append('&').append(enc(e.getKey())).append('=').append(enc(String.valueOf(e.getValue()))));
      String basic = Base64.getEncoder().encodeToString((enc(config.getString("client_id", "")) + ":" + enc(s))
          .getBytes(StandardCharsets.UTF_8));
      RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(tokenUrl)
          .putHeader("Content-Type", "application/x-www-form-urlencoded")
          .putHeader("Authorization", "Basic " + basic);
      return client.request(req).compose(r -> r.send(Buffer.buffer(form.toString())))
          .compose(resp -> resp.body().compose(body -> {
            if (resp.statusCode() / 100 != 2) {
              return Future.failedFuture("oauth2 token request to " + tokenUrl + " answered " + resp.statusCode());
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
            expiresAtMillis = System.currentTimeMillis() + Math.max(0, json.getLong("expires_in", 3600L) - 10) * 1000;
            return Future.succeededFuture(t);
          }));
    });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Closes the token client. */
  public Future<Void> close() {
    return client.close();
  }
}
