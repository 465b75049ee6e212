package io.clymene.config;

import io.vertx.core.json.JsonObject;

/**
 * Where a server listens, and the config key it came from (for "port in use" messages).
 *
 * @param host the bind address
 * @param port the port; 0 lets the system choose
 * @param keyPath the config key path of this address, e.g. {@code admin}
 */
public record ServerAddress(String host, int port, String keyPath) {

  /** Reads {@code host} and {@code port} from a normalized section, with defaults. */
  public static ServerAddress from(JsonObject section, String keyPath, String defaultHost, int defaultPort) {
    JsonObject s = section == null ? new JsonObject() : section;
    return new ServerAddress(s.getString("host", defaultHost), s.getInteger("port", defaultPort), keyPath);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
