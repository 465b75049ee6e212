package io.clymene.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;

/** The {@code __meta_kubernetes_*} label names and the helpers every role's group builder shares. */
final class Meta {
  static final String PREFIX = "__meta_kubernetes_";
  static final String NAMESPACE = PREFIX + "namespace";
  static final String ADDRESS = "__address__";
  static final String TRUE = "true";

  private Meta() {
  }

  /** Prometheus' strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes '_'. */
  static String sanitize(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    name.codePoints().forEach(c -> sb.append(
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? (char) c : '_'));
    return sb.toString();
  }

  /** Adds {@code <kind>_label_<name>} and {@code <kind>_labelpresent_<name>} for each label. */
  static void labels(Map<String, String> out, String kind, Map<String, String> labels) {
    each(out, kind + "_label_", kind + "_labelpresent_", labels);
  }

  /** Adds {@code <kind>_annotation_<name>} and {@code <kind>_annotationpresent_<name>} for each annotation. */
  static void annotations(Map<String, String> out, String kind, Map<String, String> annotations) {
    each(out, kind + "_annotation_", kind + "_annotationpresent_", annotations);
  }

  private static void each(Map<String, String> out, String value, String present, Map<String, String> m) {
    if (m == null) {
      return;
    }
    m.forEach((k, v) -> {
      String name = sanitize(k);
      out.put(PREFIX + value + name, v);
      out.put(PREFIX + present + name, TRUE);
    });
  }

  /** The node's name and labels, added to a target or group when attach_metadata.node is set. */
  static void nodeLabels(Map<String, String> out, Node node) {
    if (node == null) {
      return;
    }
    out.put(PREFIX + "node_name", node.getMetadata().getName());
    labels(out, "node", node.getMetadata().getLabels());
  }

  /** Go's net.JoinHostPort. */
  static String joinHostPort(String host, Object port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Null as Go's zero value. */
  static String str(String s) {
    return s == null ? "" : s;
  }

  static int num(Integer i) {
    return i == null ? 0 : i;
  }

  /** The informer cache key of an object in a namespace, as fabric8 and client-go build it. */
  static String key(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
  }

  static String key(ObjectMeta meta) {
    return key(meta.getNamespace(), meta.getName());
  }
}
