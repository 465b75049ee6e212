package io.clymene.storage;

import io.clymene.config.Durations;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * One {@code storage} entry: its type, a unique name (for metrics and logs), its key path (for
 * messages), queue and HTTP settings, and the normalized entry for the backend's own keys.
 *
 * @param type the backend type
 * @param name the unique writer name
 * @param path the config key path, e.g. {@code storage[1]}
 * @param queue the queue settings (backend defaults, then the entry's)
 * @param http headers, auth, TLS and timeout
 * @param config the whole normalized entry
 */
public record StorageEntry(String type, String name, String path, QueueOptions queue, HttpSettings http,
                           JsonObject config) {

  /** The default time a request to a backend may take. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Reads an entry; {@code defaultName} is used when it has no {@code name}. */
  public static StorageEntry from(JsonObject entry, String path, String defaultName, QueueOptions defaults) {
    String type = entry.getString("type");
    String name = entry.getString("name", defaultName);
    Duration timeout = entry.containsKey("timeout") ? Durations.parse(entry.getString("timeout")) : DEFAULT_TIMEOUT;
    return new StorageEntry(type, name, path, defaults.apply(entry.getJsonObject("queue")),
        HttpSettings.from(entry, timeout), entry.copy());
  }

  /** Type, name and key path only: the entry's keys may hold secrets (passwords, tokens, API keys). */
  @Override
  public String toString() {
    return "StorageEntry[type=" + type + ", name=" + name + ", path=" + path + "]";
  }
}
