package io.clymene.config;

import io.clymene.config.Schema.ObjectSchema;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads YAML files through vertx-config and checks them against a {@link Schema}. Every failure is a
 * {@link ConfigException} naming the file (or flag, or variable), the key path and what was expected.
 */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  /** Reads a YAML file into a tree; a missing, unreadable or malformed file fails with one clear line. */
  public static Future<JsonObject> readYaml(Vertx vertx, String file) {
    Path path = Path.of(file);
    if (!Files.exists(path)) {
      return Future.failedFuture(new ConfigException(file, "", "cannot read the file: it does not exist"));
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      return Future.failedFuture(new ConfigException(file, "", "cannot read the file: not a readable file"));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
            .setConfig(new JsonObject().put("path", path.toAbsolutePath().toString()))));
    return retriever.getConfig()
        .transform(ar -> {
          retriever.close();
          if (ar.failed()) {
            return Future.failedFuture(new ConfigException(file, "", "not valid YAML: " + yamlReason(ar.cause())));
          }
          return Future.succeededFuture(ar.result() == null ? new JsonObject() : ar.result());
        });
  }

  /**
   * Loads {@code clymene.yaml} (or only defaults when {@code file} is null), applies overrides and
   * checks the result.
   */
  public static Future<ClymeneOptions> loadClymene(Vertx vertx, Role role, String file,
                                                  ConfigOverrides overrides, ObjectSchema schema,
                                                  List<String> warnings) {
    Future<JsonObject> tree = file == null ? Future.succeededFuture(new JsonObject()) : readYaml(vertx, file);
    String source = file == null ? "defaults" : file;
    return tree.compose(t -> {
      try {
        return Future.succeededFuture(new ClymeneOptions(role, source,
            validate(t, schema, source, overrides, warnings)));
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
    });
  }

  /** Applies overrides and normalizes; errors are attributed to the override that set the bad value. */
  public static JsonObject validate(JsonObject tree, ObjectSchema schema, String source,
                                    ConfigOverrides overrides, List<String> warnings) {
    JsonObject t = tree.copy();
    try {
      overrides.applyTo(t);
      return (JsonObject) schema.normalize(t, "", warnings);
    } catch (ConfigException e) {
      if (e.source() != null) {
        throw e;
      }
      ConfigOverrides.Entry from = overrides.sourceOf(e.path());
      throw e.withSource(from != null ? from.source() : source);
    }
  }

  /**
   * The source to name for a value at {@code path}: the flag or variable that set it, else the file.
   */
  public static String sourceOf(ConfigOverrides overrides, String path, String file) {
    ConfigOverrides.Entry e = overrides.sourceOf(path);
    return e != null ? e.source() : file;
  }

  private static String yamlReason(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String msg = c.getMessage() == null ? c.toString() : c.getMessage();
    return msg.replaceAll("\\s*\\n\\s*", " ").trim();
  }
}
