package io.clymene.storage;

import io.clymene.config.ConfigException;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** The storage backends of this build, found with {@link ServiceLoader}. */
public final class StorageProviders {
  private final Map<String, StorageProvider> byType = new TreeMap<>();

  private StorageProviders() {
  }

  /** Every provider on the class path. */
  public static StorageProviders load() {
    StorageProviders p = new StorageProviders();
    for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
      p.byType.put(provider.type(), provider);
    }
    return p;
  }

  /** The provider of a type, or null. */
  public StorageProvider get(String type) {
    return byType.get(type);
  }

  /** Each type's own keys, for the config schema. */
  public Map<String, ObjectSchema> schemas() {
    Map<String, ObjectSchema> schemas = new TreeMap<>();
    byType.forEach((type, provider) -> schemas.put(type, provider.schema()));
    return schemas;
  }

  /**
   * Turns normalized entries into checked {@link StorageEntry}s with unique names: an entry without a
   * name is called by its type, or {@code type-N} when its type appears more than once.
   *
   * @param entries the entries
   * @param pathOf the config key path of entry i, for messages
   */
  public List<StorageEntry> entries(List<JsonObject> entries, java.util.function.IntFunction<String> pathOf) {
    Map<String, Integer> typeCount = new HashMap<>();
    entries.forEach(e -> typeCount.merge(e.getString("type"), 1, Integer::sum));
    Set<String> names = new HashSet<>();
    List<StorageEntry> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.get(i);
      String path = pathOf.apply(i);
      String type = e.getString("type");
      StorageProvider provider = byType.get(type);
      if (provider == null) {
        throw new ConfigException(null, path + ".type", "expected one of " + String.join(", ", byType.keySet())
            + ", got '" + type + "'");
      }
      String defaultName = typeCount.get(type) > 1 ? type + "-" + i : type;
      StorageEntry entry = StorageEntry.from(e, path, defaultName, provider.defaultQueueOptions());
      if (!names.add(entry.name())) {
        throw new ConfigException(null, path + ".name", "duplicate writer name '" + entry.name()
            + "'; give each storage entry its own name");
      }
      provider.check(entry);
      out.add(entry);
    }
    return out;
  }
}
