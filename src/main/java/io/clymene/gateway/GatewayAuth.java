package io.clymene.gateway;

import io.clymene.config.ConfigException;
import io.clymene.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials the gateway accepts, from a YAML file that is read again when it changes:
 *
 * <pre>
 * bearer_tokens: [ "token-a", "token-b" ]
 * basic_auth_users: { agent-1: "password" }
 * </pre>
 *
 * A new file that cannot be read or parsed is refused with a log line and the previous credentials stay in
 * force. Thread-safe: the receivers of every event loop share one instance.
 */
public final class GatewayAuth {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayAuth.class);
  /** How often the file is checked for changes by default. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final String file;
  private volatile Credentials credentials = new Credentials(List.of(), List.of());
  private volatile long lastModified = -1;
  private volatile long lastSize = -1;
  private long timer = -1;

  /** The accepted values of the Authorization header, as bytes for constant-time comparison. */
  private record Credentials(List<byte[]> bearer, List<byte[]> basic) {
  }

  private GatewayAuth(Vertx vertx, String file) {
    this.vertx = vertx;
    this.file = file;
  }

  /**
   * Reads the file and starts watching it.
   *
   * @return the credentials, or a {@link ConfigException} naming the file and what is wrong with it
   */
  public static Future<GatewayAuth> open(Vertx vertx, String file, Duration checkInterval) {
    GatewayAuth auth = new GatewayAuth(vertx, file);
    return auth.load().recover(err -> Future.failedFuture(new ConfigException(null, "gateway.auth.credentials_file",
        file + ": " + err.getMessage()))).map(v -> {
          auth.timer = vertx.setPeriodic(Math.max(100, checkInterval.toMillis()), t -> auth.check());
          return auth;
        });
  }

  /** Whether a request carrying this {@code Authorization} header (maybe null) may write. */
  public boolean allows(String authorization) {
    if (authorization == null) {
      return false;
    }
    Credentials c = credentials;
    String a = authorization.trim();
    List<byte[]> candidates;
    byte[] given;
    if (startsWithIgnoreCase(a, "Bearer ")) {
      candidates = c.bearer;
      given = ("Bearer " + a.substring(7).trim()).getBytes(StandardCharsets.UTF_8);
    } else if (startsWithIgnoreCase(a, "Basic ")) {
      candidates = c.basic;
      given = ("Basic " + a.substring(6).trim()).getBytes(StandardCharsets.UTF_8);
    } else {
      return false;
    }
    boolean ok = false;
    for (byte[] want : candidates) {
      ok |= MessageDigest.isEqual(want, given);
    }
    return ok;
  }

  /** Stops watching the file. */
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private static boolean startsWithIgnoreCase(String s, String prefix) {
    return s.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private void check() {
    vertx.fileSystem().props(file).onSuccess(p -> {
      if (p.lastModifiedTime() != lastModified || p.size() != lastSize) {
        // remembered before reading, so a broken file is reported once, not at every check
        lastModified = p.lastModifiedTime();
        lastSize = p.size();
        load().onSuccess(v -> LOG.info("gateway credentials reloaded from {}", file))
            .onFailure(err -> LOG.error("gateway credentials file {} not reloaded, keeping the previous "
                + "credentials: {}", file, err.getMessage()));
      }
    }).onFailure(err -> {
      if (lastSize != -2) {
        lastSize = -2;
        LOG.error("gateway credentials file {} cannot be read, keeping the previous credentials: {}", file,
            err.getMessage());
      }
    });
  }

  private Future<Void> load() {
    return vertx.fileSystem().props(file).compose(p -> ConfigLoader.readYaml(vertx, file).map(tree -> {
      credentials = parse(tree);
      lastModified = p.lastModifiedTime();
      lastSize = p.size();
      return null;
    }));
  }

  private static Credentials parse(JsonObject tree) {
    List<byte[]> bearer = new ArrayList<>();
    List<byte[]> basic = new ArrayList<>();
    for (String key : tree.fieldNames()) {
      if (!key.equals("bearer_tokens") && !key.equals("basic_auth_users")) {
        throw new IllegalArgumentException("unknown key '" + key + "' (expected bearer_tokens, basic_auth_users)");
      }
    }
    Object tokens = tree.getValue("bearer_tokens");
    if (tokens != null) {
      if (!(tokens instanceof JsonArray list)) {
        throw new IllegalArgumentException("bearer_tokens: expected a list of strings");
      }
      for (int i = 0; i < list.size(); i++) {
        Object t = list.getValue(i);
        if (!(t instanceof String s) || s.isBlank()) {
          throw new IllegalArgumentException("bearer_tokens[" + i + "]: expected a non-empty string");
        }
        bearer.add(("Bearer " + s.trim()).getBytes(StandardCharsets.UTF_8));
      }
    }
    Object users = tree.getValue("basic_auth_users");
    if (users != null) {
      if (!(users instanceof JsonObject map)) {
        throw new IllegalArgumentException("basic_auth_users: expected a map of user name to password");
      }
      for (String user : map.fieldNames()) {
        Object pw = map.getValue(user);
        if (!(pw instanceof String s)) {
          throw new IllegalArgumentException("basic_auth_users." + user + ": expected a password string");
        }
        String token = Base64.getEncoder().encodeToString((user + ":" + s).getBytes(StandardCharsets.UTF_8));
        basic.add(("Basic " + token).getBytes(StandardCharsets.UTF_8));
      }
    }
    if (bearer.isEmpty() && basic.isEmpty()) {
      throw new IllegalArgumentException("no credentials (expected bearer_tokens or basic_auth_users); "
          + "remove gateway.auth to accept anyone");
    }
    return new Credentials(List.copyOf(bearer), List.copyOf(basic));
  }
}
