package io.clymene.config;

import io.clymene.config.Schema.ListSchema;
import io.clymene.config.Schema.MapSchema;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Settings given outside the file: {@code --dotted.key=value} flags and {@code CLYMENE_*} environment
 * variables. Values are read as YAML scalars ({@code 8080} is a number, {@code true} a boolean,
 * {@code [a, b]} a list). Environment names are matched against the schema, so
 * {@code CLYMENE_AGENT_CONFIG_FILE} finds {@code agent.config_file}.
 */
public final class ConfigOverrides {
  /** Prefix of environment overrides. */
  public static final String ENV_PREFIX = "CLYMENE_";
  /** Environment variables with this prefix that belong to the scripts, not to the config. */
  public static final List<String> RESERVED_ENV = List.of("CLYMENE_JAVA_OPTS", "CLYMENE_HEAP", "CLYMENE_JAR");

  private final List<Entry> entries = new ArrayList<>();

  /**
   * One override.
   *
   * @param path the normalized key path, e.g. {@code storage[0].url}
   * @param segments the path as names and list indices
   * @param value the parsed value
   * @param source the flag or variable it came from
   */
  public record Entry(String path, List<Object> segments, Object value, String source) {
  }

  /** Adds a {@code --key=value} flag. */
  public ConfigOverrides flag(String key, String rawValue) {
    return flag(key, rawValue, "--" + key);
  }

  /** Adds a flag that sets {@code key} under another name, e.g. {@code --config.file}. */
  public ConfigOverrides flag(String key, String rawValue, String flagName) {
    List<Object> segments = parsePath(key, flagName);
    entries.add(new Entry(formatPath(segments), segments, parseValue(rawValue), flagName));
    return this;
  }

  /** Adds a flag whose value is taken as a plain string (file names). */
  public ConfigOverrides stringFlag(String key, String value, String flagName) {
    List<Object> segments = parsePath(key, flagName);
    entries.add(new Entry(formatPath(segments), segments, value, flagName));
    return this;
  }

  /**
   * Adds every {@code CLYMENE_*} variable of the environment, mapped through the schema. A variable that
   * names no setting is reported in {@code warnings} and ignored: other tools share the prefix.
   */
  public ConfigOverrides environment(Map<String, String> env, ObjectSchema schema, List<String> warnings) {
    env.keySet().stream().filter(k -> k.startsWith(ENV_PREFIX) && !RESERVED_ENV.contains(k)).sorted()
        .forEach(name -> {
          List<String> tokens = Arrays.asList(name.substring(ENV_PREFIX.length()).split("_"));
          List<Object> segments = new ArrayList<>();
          if (!match(schema, tokens, 0, segments)) {
            warnings.add(name + ": ignored, not a Clymene setting (settings are CLYMENE_ followed by a key path "
                + "in upper snake case, e.g. CLYMENE_ADMIN_PORT)");
            return;
          }
          entries.add(new Entry(formatPath(segments), segments, parseValue(env.get(name)), name));
        });
    return this;
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Writes every override into the tree, environment first so that flags win. */
  public void applyTo(JsonObject tree) {
    entries.stream().filter(e -> !e.source().startsWith("--")).forEach(e -> set(tree, e));
    entries.stream().filter(e -> e.source().startsWith("--")).forEach(e -> set(tree, e));
  }

  /** The override that set {@code path} or a parent of it, or null. */
  public Entry sourceOf(String path) {
    Entry best = null;
    for (Entry e : entries) {
      String p = e.path();
      boolean covers = path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "[");
      if (covers && (best == null || p.length() > best.path().length()
          || (p.length() == best.path().length() && e.source().startsWith("--")))) {
        best = e;
      }
    }
    return best;
  }

  private static void set(JsonObject tree, Entry e) {
    Object node = tree;
    List<Object> seg = e.segments();
    for (int i = 0; i < seg.size(); i++) {
      boolean last = i == seg.size() - 1;
      Object key = seg.get(i);
      Object next = last ? null : seg.get(i + 1);
      if (node instanceof JsonObject obj && key instanceof String name) {
        if (last) {
          obj.put(name, e.value());
          return;
        }
        Object child = obj.getValue(name);
        if (!(child instanceof JsonObject) && !(child instanceof JsonArray)) {
          child = next instanceof Integer ? new JsonArray() : new JsonObject();
          obj.put(name, child);
        }
        node = child;
      } else if (node instanceof JsonArray arr && key instanceof Integer index) {
        if (index > arr.size()) {
          throw new ConfigException(e.source(), e.path(),
              "list index " + index + " skips entries (the list has " + arr.size() + ")");
        }
        if (last) {
          if (index == arr.size()) {
            arr.add(e.value());
          } else {
            arr.set(index, e.value());
          }
          return;
        }
        if (index == arr.size()) {
          arr.add(new JsonObject());
        }
        node = arr.getValue(index);
      } else {
        throw new ConfigException(e.source(), e.path(), "does not match the shape of the configuration ("
            + (key instanceof Integer ? "not a list" : "not a map") + " at this point)");
      }
    }
  }

  private static boolean match(Schema schema, List<String> tokens, int idx, List<Object> out) {
    if (idx == tokens.size()) {
      return !(schema instanceof ObjectSchema);
    }
    if (schema instanceof ObjectSchema obj) {
      for (Map.Entry<String, Schema> f : allFields(obj).entrySet()) {
        List<String> ft = Arrays.asList(f.getKey().toUpperCase(Locale.ROOT).split("_"));
        if (idx + ft.size() <= tokens.size() && tokens.subList(idx, idx + ft.size()).equals(ft)) {
          out.add(f.getKey());
          if (match(f.getValue(), tokens, idx + ft.size(), out)) {
            return true;
          }
          out.remove(out.size() - 1);
        }
      }
      return false;
    }
    if (schema instanceof ListSchema list) {
      String t = tokens.get(idx);
      if (!t.matches("\\d+")) {
        return false;
      }
      out.add(Integer.parseInt(t));
      if (match(list.item(), tokens, idx + 1, out)) {
        return true;
      }
      out.remove(out.size() - 1);
      return false;
    }
    if (schema instanceof MapSchema) {
      out.add(String.join("_", tokens.subList(idx, tokens.size())).toLowerCase(Locale.ROOT));
      return true;
    }
    return false;
  }

  private static Map<String, Schema> allFields(ObjectSchema obj) {
    return obj.allFields();
  }

  static List<Object> parsePath(String key, String source) {
    List<Object> segments = new ArrayList<>();
    for (String part : key.split("\\.")) {
      String p = part;
      if (p.isEmpty()) {
        throw new ConfigException(source, key, "empty key segment");
      }
      int bracket = p.indexOf('[');
      String name = bracket >= 0 ? p.substring(0, bracket) : p;
      if (!name.isEmpty()) {
        segments.add(name.matches("\\d+") ? (Object) Integer.parseInt(name) : name);
      }
      while (bracket >= 0) {
        int close = p.indexOf(']', bracket);
        if (close < 0 || !p.substring(bracket + 1, close).matches("\\d+")) {
          throw new ConfigException(source, key, "bad list index (expected key[0])");
        }
        segments.add(Integer.parseInt(p.substring(bracket + 1, close)));
        p = p.substring(close + 1);
        bracket = p.indexOf('[');
      }
    }
    return segments;
  }

  static String formatPath(List<Object> segments) {
    StringBuilder sb = new StringBuilder();
    for (Object s : segments) {
      if (s instanceof Integer) {
        sb.append('[').append(s).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(s);
      }
    }
    return sb.toString();
  }

  /** Reads a value as a YAML scalar or flow collection; plain text stays a string. */
  static Object parseValue(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    try {
      Object v = new Yaml(new SafeConstructor(new LoaderOptions())).load(raw);
      return v == null ? "" : v;
    } catch (RuntimeException e) {
      return raw;
    }
  }
}
