package io.clymene.agent.discovery.file;

import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.listOf;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.SdConfig;
import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code file_sd_configs} entry: JSON or YAML files of target groups, named by paths whose last element
 * may hold a {@code *} glob, read again whenever their directory changes and every
 * {@code refresh_interval} (default 5m). Relative paths are taken from the configuration file's
 * directory.
 *
 * @param files the path patterns, resolved
 * @param refreshInterval how often every file is read again even without a change event
 */
public record FileSdConfig(List<String> files, Duration refreshInterval) implements SdConfig {
  /** Prometheus' rule for file names: one glob at most, in the last element, and a known extension. */
  private static final Pattern NAME = Pattern.compile("^[^*]*(\\*[^/]*)?\\.(json|yml|yaml|JSON|YML|YAML)$");
  static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);

  public FileSdConfig {
    files = List.copyOf(files);
  }

  /** The keys of one entry. */
  public static ObjectSchema schema() {
    return object()
        .field("files", listOf(string()))
        .field("refresh_interval", duration());
  }

  /** Parses one entry; paths are resolved against {@code baseDir}. */
  public static FileSdConfig parse(JsonObject raw, String path, Path baseDir) {
    JsonArray names = raw.getJsonArray("files", new JsonArray());
    if (names.isEmpty()) {
      throw new ConfigException(null, path + ".files",
          "file service discovery config must contain at least one path name");
    }
    List<String> files = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.getString(i);
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(null, path + ".files[" + i + "]", "path name \"" + name
            + "\" is not valid for file discovery (expected a .json, .yml or .yaml file, with at most one '*' "
            + "in its last path element)");
      }
      Path p = Path.of(name);
      files.add(p.isAbsolute() || baseDir == null ? p.normalize().toString()
          : baseDir.resolve(p).normalize().toString());
    }
    Duration refresh = DEFAULT_REFRESH;
    if (raw.containsKey("refresh_interval")) {
      refresh = Durations.parse(raw.getString("refresh_interval"));
      if (refresh.isZero()) {
        throw new ConfigException(null, path + ".refresh_interval", "must be greater than 0");
      }
    }
    return new FileSdConfig(files, refresh);
  }

  @Override
  public String mechanism() {
    return "file";
  }

  @Override
  public Discoverer create(DiscoveryContext context) {
    return new FileDiscoverer(this, context);
  }
}
