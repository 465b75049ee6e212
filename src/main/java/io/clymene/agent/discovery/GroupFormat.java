package io.clymene.agent.discovery;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.LabelNames;
import io.clymene.model.Labels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The target group format file and HTTP discovery share: a list of {@code {"targets": [...],
 * "labels": {...}}} objects. Group {@code i} of origin {@code o} gets source {@code o:i} and the label
 * {@code metaLabel=o}. Unknown fields, bad label names and non-string values are errors, as in Prometheus.
 */
public final class GroupFormat {
  private GroupFormat() {
  }

  /**
   * The groups of a parsed document.
   *
   * @param items the list's items (Vert.x JSON or SnakeYAML values)
   * @param origin the file or URL
   * @param metaLabel the label naming the origin
   * @param json whether the document was JSON (YAML also takes numbers and booleans as strings)
   * @throws IllegalArgumentException naming the bad group and what is wrong
   */
  public static List<TargetGroup> groups(List<?> items, String origin, String metaLabel, boolean json) {
    List<TargetGroup> groups = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      groups.add(group(origin, i, items.get(i), metaLabel, json));
    }
    return groups;
  }

  /** The source of group {@code index} of an origin. */
  public static String source(String origin, int index) {
    return origin + ":" + index;
  }

  @SuppressWarnings("unchecked")
  private static TargetGroup group(String origin, int index, Object item, String metaLabel, boolean json) {
    String where = "group " + index;
    if (item == null) {
      throw new IllegalArgumentException(where + ": nil target group item found");
    }
    Map<String, Object> map;
    if (item instanceof JsonObject o) {
      map = o.getMap();
    } else if (item instanceof Map<?, ?> m) {
      map = (Map<String, Object>) m;
    } else {
      throw new IllegalArgumentException(where + ": expected an object with targets and labels");
    }
    for (Object key : map.keySet()) {
      if (!"targets".equals(key) && !"labels".equals(key)) {
        throw new IllegalArgumentException(where + ": unknown field \"" + key + "\" (expected targets, labels)");
      }
    }
    List<String> addresses = new ArrayList<>();
    Object targets = map.get("targets");
    if (targets != null) {
      List<?> list = targets instanceof JsonArray a ? a.getList() : targets instanceof List<?> l ? l : null;
      if (list == null) {
        throw new IllegalArgumentException(where + ": targets must be a list of strings");
      }
      for (Object t : list) {
        addresses.add(scalar(t, where + ": target", json));
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    Object l = map.get("labels");
    if (l != null) {
      Map<?, ?> lm = l instanceof JsonObject o ? o.getMap() : l instanceof Map<?, ?> m ? m : null;
      if (lm == null) {
        throw new IllegalArgumentException(where + ": labels must be a map of strings");
      }
      for (Map.Entry<?, ?> e : lm.entrySet()) {
        String name = String.valueOf(e.getKey());
        if (!LabelNames.isValidLabelName(name)) {
          throw new IllegalArgumentException(where + ": \"" + name + "\" is not a valid label name");
        }
        labels.put(name, scalar(e.getValue(), where + ": label " + name, json));
      }
    }
    labels.put(metaLabel, origin);
    return TargetGroup.ofAddresses(source(origin, index), addresses, Labels.of(labels));
  }

  private static String scalar(Object v, String what, boolean json) {
    if (v instanceof String s) {
      return s;
    }
    if (v == null) {
      return "";
    }
    if (!json && (v instanceof Number || v instanceof Boolean)) {
      return String.valueOf(v);
    }
    throw new IllegalArgumentException(what + " must be a string, got " + v);
  }
}
