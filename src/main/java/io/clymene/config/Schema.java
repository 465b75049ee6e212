package io.clymene.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The expected shape of a YAML configuration tree. {@link #normalize} checks a value and returns it in
 * canonical form (strings for scalar strings, {@link JsonObject} and {@link JsonArray} for containers);
 * a mismatch throws a {@link ConfigException} naming the key path and what was expected. Unknown keys
 * are errors unless a schema says otherwise.
 */
public abstract class Schema {

  /** What this schema expects, for error messages ("a port number (1-65535)"). */
  public abstract String expected();

  /**
   * Checks and normalizes a value.
   *
   * @param value the parsed YAML value (never null; absent keys are not checked)
   * @param path the key path, for messages
   * @param warnings where accepted-but-ignored settings are reported
   */
  public abstract Object normalize(Object value, String path, List<String> warnings);

  /** A string; other scalars (numbers, booleans) are accepted and turned into strings, as YAML allows. */
  public static Schema string() {
    return new Scalar("a string") {
      @Override
      Object check(Object v) {
        return v instanceof String || v instanceof Number || v instanceof Boolean ? v.toString() : null;
      }
    };
  }

  /** {@code true} or {@code false}. */
  public static Schema bool() {
    return new Scalar("true or false") {
      @Override
      Object check(Object v) {
        return v instanceof Boolean ? v : null;
      }
    };
  }

  /** An integer within bounds. */
  public static Schema integer(long min, long max) {
    String what = max == Long.MAX_VALUE ? "an integer >= " + min : "an integer between " + min + " and " + max;
    return new Scalar(what) {
      @Override
      Object check(Object v) {
        if (v instanceof Integer || v instanceof Long) {
          long n = ((Number) v).longValue();
          return n >= min && n <= max ? n : null;
        }
        return null;
      }
    };
  }

  /** A TCP port; 0 lets the system choose. */
  public static Schema port() {
    return new Scalar("a port number (0-65535)") {
      @Override
      Object check(Object v) {
        if (v instanceof Integer || v instanceof Long) {
          long n = ((Number) v).longValue();
          return n >= 0 && n <= 65535 ? (int) n : null;
        }
        return null;
      }
    };
  }

  /** A Prometheus duration such as {@code 15s} or {@code 1m30s}; normalized to its text. */
  public static Schema duration() {
    return new Scalar("a duration such as 500ms, 15s or 1m30s") {
      @Override
      Object check(Object v) {
        if (v instanceof Number && ((Number) v).longValue() == 0) {
          return "0";
        }
        if (v instanceof String) {
          try {
            Durations.parse((String) v);
            return v;
          } catch (IllegalArgumentException | ArithmeticException e) {
            return null;
          }
        }
        return null;
      }
    };
  }

  /** A byte size such as {@code 10MB} or a plain number of bytes; normalized to a long. */
  public static Schema byteSize() {
    return new Scalar("a byte size such as 512, 64KiB or 10MB") {
      @Override
      Object check(Object v) {
        if (v instanceof Integer || v instanceof Long) {
          return ((Number) v).longValue() >= 0 ? ((Number) v).longValue() : null;
        }
        if (v instanceof String) {
          try {
            return ByteSizes.parse((String) v);
          } catch (IllegalArgumentException | ArithmeticException e) {
            return null;
          }
        }
        return null;
      }
    };
  }

  /** One of fixed strings. */
  public static Schema oneOf(String... allowed) {
    List<String> list = Arrays.asList(allowed);
    return new Scalar("one of " + String.join(", ", allowed)) {
      @Override
      Object check(Object v) {
        return v instanceof String && list.contains(v) ? v : null;
      }
    };
  }

  /** Anything; kept as parsed. */
  public static Schema any() {
    return new Schema() {
      @Override
      public String expected() {
        return "any value";
      }

      @Override
      public Object normalize(Object value, String path, List<String> warnings) {
        return value;
      }
    };
  }

  /** A list of items. */
  public static ListSchema listOf(Schema item) {
    return new ListSchema(item);
  }

  /** A map with free string keys and values of one schema (headers, labels, params). */
  public static MapSchema mapOf(Schema value) {
    return new MapSchema(value);
  }

  /** An object with known keys. */
  public static ObjectSchema object() {
    return new ObjectSchema();
  }

  /** Describes a value for a message: its text for scalars, its kind for containers. */
  static String describe(Object v) {
    if (v instanceof Map || v instanceof JsonObject) {
      return "a map";
    }
    if (v instanceof List || v instanceof JsonArray) {
      return "a list";
    }
    if (v instanceof String) {
      return "'" + v + "'";
    }
    return String.valueOf(v);
  }

  /** A scalar checked by a predicate that returns the normalized value or null. */
  abstract static class Scalar extends Schema {
    private final String expected;

    Scalar(String expected) {
      this.expected = expected;
    }

    abstract Object check(Object value);

    @Override
    public String expected() {
      return expected;
    }

    @Override
    public Object normalize(Object value, String path, List<String> warnings) {
      Object normalized = check(value);
      if (normalized == null) {
        throw new ConfigException(null, path, "expected " + expected + ", got " + describe(value));
      }
      return normalized;
    }
  }

  /** A list of items of one schema; a single scalar is not a list. */
  public static final class ListSchema extends Schema {
    private final Schema item;

    ListSchema(Schema item) {
      this.item = item;
    }

    public Schema item() {
      return item;
    }

    @Override
    public String expected() {
      return "a list of " + item.expected();
    }

    @Override
    public Object normalize(Object value, String path, List<String> warnings) {
      List<?> list = asList(value);
      if (list == null) {
        throw new ConfigException(null, path, "expected " + expected() + ", got " + describe(value));
      }
      JsonArray out = new JsonArray();
      for (int i = 0; i < list.size(); i++) {
        Object v = list.get(i);
        String p = path + "[" + i + "]";
        if (v == null) {
          throw new ConfigException(null, p, "expected " + item.expected() + ", got nothing");
        }
        out.add(item.normalize(v, p, warnings));
      }
      return out;
    }
  }

  /** A map with free keys. */
  public static final class MapSchema extends Schema {
    private final Schema value;

    MapSchema(Schema value) {
      this.value = value;
    }

    public Schema valueSchema() {
      return value;
    }

    @Override
    public String expected() {
      return "a map of names to " + value.expected();
    }

    @Override
    public Object normalize(Object v, String path, List<String> warnings) {
      Map<String, Object> map = asMap(v);
      if (map == null) {
        throw new ConfigException(null, path, "expected " + expected() + ", got " + describe(v));
      }
      JsonObject out = new JsonObject();
      for (Map.Entry<String, Object> e : map.entrySet()) {
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (e.getValue() == null) {
          out.put(e.getKey(), null);
        } else {
          out.put(e.getKey(), value.normalize(e.getValue(), p, warnings));
        }
      }
      return out;
    }
  }

  /**
   * An object with known keys. Keys may be ignored with a warning (accepted for compatibility), and the
   * allowed keys may depend on a discriminating key such as {@code type}.
   */
  public static final class ObjectSchema extends Schema {
    private final Map<String, Schema> fields = new LinkedHashMap<>();
    private final Map<String, String> ignored = new LinkedHashMap<>();
    private String discriminator;
    private Function<String, ObjectSchema> variants;
    private Collection<String> variantNames;

    /** Adds a known key. */
    public ObjectSchema field(String name, Schema schema) {
      fields.put(name, schema);
      return this;
    }

    /** Accepts a key without using it, warning with {@code reason}. */
    public ObjectSchema ignore(String name, String reason) {
      ignored.put(name, reason);
      return this;
    }

    /** Makes the other keys depend on the value of {@code key}. */
    public ObjectSchema variants(String key, Collection<String> names, Function<String, ObjectSchema> byName) {
      this.discriminator = key;
      this.variantNames = names;
      this.variants = byName;
      return this;
    }

    public Map<String, Schema> fields() {
      return fields;
    }

    /** The keys of this object and of every variant, for mapping environment names to paths. */
    public Map<String, Schema> allFields() {
      Map<String, Schema> all = new LinkedHashMap<>(fields);
      if (variants != null) {
        for (String name : variantNames) {
          variants.apply(name).fields.forEach(all::putIfAbsent);
        }
      }
      return all;
    }

    @Override
    public String expected() {
      return "a map";
    }

    @Override
    public Object normalize(Object value, String path, List<String> warnings) {
      Map<String, Object> map = asMap(value);
      if (map == null) {
        throw new ConfigException(null, path, "expected a map, got " + describe(value));
      }
      ObjectSchema effective = this;
      if (discriminator != null) {
        Object kind = map.get(discriminator);
        String p = join(path, discriminator);
        if (kind == null) {
          throw new ConfigException(null, p, "missing; expected one of " + String.join(", ", variantNames));
        }
        if (!(kind instanceof String) || !variantNames.contains(kind)) {
          throw new ConfigException(null, p,
              "expected one of " + String.join(", ", variantNames) + ", got " + describe(kind));
        }
        effective = variants.apply((String) kind);
      }
      JsonObject out = new JsonObject();
      for (Map.Entry<String, Object> e : map.entrySet()) {
        String key = e.getKey();
        String p = join(path, key);
        Schema s = effective.fields.get(key);
        if (s == null && effective != this) {
          s = fields.get(key);
        }
        if (s == null) {
          String reason = effective.ignored.containsKey(key) ? effective.ignored.get(key) : ignored.get(key);
          if (reason != null) {
            warnings.add(p + ": " + reason);
            continue;
          }
          List<String> known = new ArrayList<>(effective.fields.keySet());
          if (effective != this) {
            for (String k : fields.keySet()) {
              if (!known.contains(k)) {
                known.add(k);
              }
            }
          }
          throw new ConfigException(null, p, "unknown key (expected one of: " + String.join(", ", known) + ")");
        }
        if (e.getValue() == null) {
          continue; // "key:" with no value means the default, as in Prometheus' YAML
        }
        out.put(key, s.normalize(e.getValue(), p, warnings));
      }
      return out;
    }

    static String join(String path, String key) {
      return path.isEmpty() ? key : path + "." + key;
    }
  }

  /** A map view with string keys (YAML allows other key types; they are turned into strings). */
  static Map<String, Object> asMap(Object v) {
    Map<?, ?> raw;
    if (v instanceof JsonObject) {
      raw = ((JsonObject) v).getMap();
    } else if (v instanceof Map) {
      raw = (Map<?, ?>) v;
    } else {
      return null;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : raw.entrySet()) {
      map.put(String.valueOf(e.getKey()), e.getValue());
    }
    return map;
  }

  static List<?> asList(Object v) {
    if (v instanceof JsonArray) {
      return ((JsonArray) v).getList();
    }
    if (v instanceof List) {
      return (List<?>) v;
    }
    return null;
  }
}
