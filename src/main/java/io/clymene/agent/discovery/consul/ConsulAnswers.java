package io.clymene.agent.discovery.consul;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Consul's answers: the agent's datacenter ({@code /v1/agent/self}), the catalog's services
 * ({@code /v1/catalog/services}) and a service's instances ({@code /v1/health/service/<name>}), turned
 * into a target group with Prometheus' {@code __meta_consul_*} labels. Absent or null fields read as
 * empty, as Go's JSON decoding leaves them; a field of the wrong type fails the answer.
 */
final class ConsulAnswers {
  static final String ADDRESS = "__address__";
  static final String META = "__meta_consul_";

  private ConsulAnswers() {
  }

  /** {@code Config.Datacenter} of {@code /v1/agent/self}. */
  static String datacenter(Buffer body) {
    Object root = decode(body);
    Object config = root instanceof JsonObject o ? o.getValue("Config") : null;
    Object dc = config instanceof JsonObject c ? c.getValue("Datacenter") : null;
    if (!(dc instanceof String s)) {
      throw new ConsulException("invalid value '" + (dc == null ? "<nil>" : dc) + "' for Config.Datacenter");
    }
    return s;
  }

  /** The catalog's services and their tags, in Consul's order. */
  static Map<String, List<String>> services(Buffer body) {
    Object root = decode(body);
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (root == null) {
      return out;
    }
    if (!(root instanceof JsonObject o)) {
      throw new ConsulException("expected an object of service names to tags, got " + kind(root));
    }
    for (Map.Entry<String, Object> e : o) {
      out.put(e.getKey(), strings(e.getValue(), e.getKey()));
    }
    return out;
  }

  /**
   * A service's instances as a group: {@code __meta_consul_service} and {@code __meta_consul_dc} for the
   * group, the rest per target.
   */
  static TargetGroup group(String source, String service, String datacenter, String tagSeparator,
                           Buffer body) {
    Object root = decode(body);
    List<Labels> targets = new ArrayList<>();
    if (root != null && !(root instanceof JsonArray)) {
      throw new ConsulException("expected a list of service entries, got " + kind(root));
    }
    if (root instanceof JsonArray entries) {
      for (int i = 0; i < entries.size(); i++) {
        JsonObject entry = object(entries.getValue(i), "[" + i + "]");
        targets.add(target(entry, tagSeparator, "[" + i + "]"));
      }
    }
    return new TargetGroup(source, targets, Labels.of(META + "service", service, META + "dc", datacenter));
  }

  private static Labels target(JsonObject entry, String sep, String at) {
    JsonObject node = object(entry.getValue("Node"), at + ".Node");
    JsonObject svc = object(entry.getValue("Service"), at + ".Service");
    String nodeAddress = string(node, "Address", at + ".Node");
    String serviceAddress = string(svc, "Address", at + ".Service");
    long port = port(svc.getValue("Port"), at + ".Service.Port");
    // the tags are surrounded by the separator too, so relabeling regexes need not care about position
    String tags = sep + String.join(sep, strings(svc.getValue("Tags"), at + ".Service.Tags")) + sep;
    Map<String, String> l = new LinkedHashMap<>();
    // a service registered through another node carries its own address, which then wins
    String host = serviceAddress.isEmpty() ? nodeAddress : serviceAddress;
    l.put(ADDRESS, ConsulEndpoint.joinHostPort(host, port));
    l.put(META + "address", nodeAddress);
    l.put(META + "node", string(node, "Node", at + ".Node"));
    l.put(META + "namespace", string(svc, "Namespace", at + ".Service"));
    l.put(META + "partition", string(svc, "Partition", at + ".Service"));
    l.put(META + "tags", tags);
    l.put(META + "service_address", serviceAddress);
    l.put(META + "service_port", Long.toString(port));
    l.put(META + "service_id", string(svc, "ID", at + ".Service"));
    l.put(META + "health", health(entry.getValue("Checks"), at + ".Checks"));
    addAll(l, META + "metadata_", node.getValue("Meta"), at + ".Node.Meta");
    addAll(l, META + "service_metadata_", svc.getValue("Meta"), at + ".Service.Meta");
    addAll(l, META + "tagged_address_", node.getValue("TaggedAddresses"), at + ".Node.TaggedAddresses");
    return Labels.of(l);
  }

  /**
   * The status that represents an instance's checks, as Consul's Go client aggregates them: maintenance,
   * then critical, then warning, then passing; "" when a check has another status.
   */
  static String health(Object checks, String at) {
    boolean passing = false;
    boolean warning = false;
    boolean critical = false;
    boolean maintenance = false;
    if (checks != null && !(checks instanceof JsonArray)) {
      throw new ConsulException("expected a list at " + at + ", got " + kind(checks));
    }
    if (checks instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        JsonObject check = object(list.getValue(i), at + "[" + i + "]");
        String id = string(check, "CheckID", at + "[" + i + "]");
        if (id.equals("_node_maintenance") || id.startsWith("_service_maintenance:")) {
          maintenance = true;
          continue;
        }
        switch (string(check, "Status", at + "[" + i + "]")) {
          case "passing" -> passing = true;
          case "warning" -> warning = true;
          case "critical" -> critical = true;
          default -> {
            return "";
          }
        }
      }
    }
    if (maintenance) {
      return "maintenance";
    }
    if (critical) {
      return "critical";
    }
    if (warning) {
      return "warning";
    }
    return "passing";
  }

  /** Prometheus' label name sanitising: every character outside [a-zA-Z0-9_] becomes '_'. */
  static String sanitize(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  private static void addAll(Map<String, String> labels, String prefix, Object map, String at) {
    if (map == null) {
      return;
    }
    if (!(map instanceof JsonObject o)) {
      throw new ConsulException("expected an object at " + at + ", got " + kind(map));
    }
    for (Map.Entry<String, Object> e : o) {
      labels.put(prefix + sanitize(e.getKey()), value(e.getValue(), at + "." + e.getKey()));
    }
  }

  private static Object decode(Buffer body) {
    try {
      return Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new ConsulException("answer is not JSON: " + e.getMessage());
    }
  }

  private static JsonObject object(Object v, String at) {
    if (v == null) {
      return new JsonObject();
    }
    if (!(v instanceof JsonObject o)) {
      throw new ConsulException("expected an object at " + at + ", got " + kind(v));
    }
    return o;
  }

  private static String string(JsonObject o, String key, String at) {
    return value(o.getValue(key), at + "." + key);
  }

  private static String value(Object v, String at) {
    if (v == null) {
      return "";
    }
    if (!(v instanceof String s)) {
      throw new ConsulException("expected a string at " + at + ", got " + kind(v));
    }
    return s;
  }

  private static List<String> strings(Object v, String at) {
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonArray a)) {
      throw new ConsulException("expected a list of strings at " + at + ", got " + kind(v));
    }
    for (int i = 0; i < a.size(); i++) {
      out.add(value(a.getValue(i), at + "[" + i + "]"));
    }
    return out;
  }

  private static long port(Object v, String at) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw new ConsulException("expected a port number at " + at + ", got " + kind(v));
  }

  private static String kind(Object v) {
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "a list";
    }
    return v instanceof String ? "the string \"" + v + "\"" : String.valueOf(v);
  }
}
