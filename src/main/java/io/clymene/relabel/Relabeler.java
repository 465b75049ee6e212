package io.clymene.relabel;

import com.google.re2j.Matcher;
import io.clymene.model.LabelNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Applies relabel rules to a label set exactly as Prometheus does (model/relabel): rules run in order,
 * each sees the result of the previous one, {@code keep}/{@code drop} rules can drop the whole set,
 * and setting an empty value removes a label. Not thread-safe (it reuses an MD5 digest).
 */
public final class Relabeler {
  private final List<RelabelConfig> rules;
  private final MessageDigest md5;

  public Relabeler(List<RelabelConfig> rules) {
    this.rules = List.copyOf(rules);
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by the JDK", e);
    }
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  public List<RelabelConfig> rules() {
    return rules;
  }

  /**
   * Relabels {@code labels} in place.
   *
   * @param labels a sorted, mutable label map without empty values
   * @return false when the set is dropped (the map's content is then unspecified)
   */
  public boolean process(SortedMap<String, String> labels) {
    for (RelabelConfig rule : rules) {
      if (!apply(rule, labels)) {
        return false;
      }
    }
    return true;
  }

  private boolean apply(RelabelConfig rule, SortedMap<String, String> labels) {
    String val = sourceValue(rule, labels);
    switch (rule.action()) {
      case DROP -> {
        return !rule.regex().matches(val);
      }
      case KEEP -> {
        return rule.regex().matches(val);
      }
      case DROPEQUAL -> {
        return !labels.getOrDefault(rule.targetLabel(), "").equals(val);
      }
      case KEEPEQUAL -> {
        return labels.getOrDefault(rule.targetLabel(), "").equals(val);
      }
      case REPLACE -> {
        Matcher m = rule.regex().matcher(val);
        if (!m.matches()) {
          return true;
        }
        String target = expand(rule.targetLabel(), val, m, rule);
        if (!LabelNames.isValidLabelName(target)) {
          labels.remove(rule.targetLabel());
          return true;
        }
        String res = expand(rule.replacement(), val, m, rule);
        if (res.isEmpty()) {
          labels.remove(rule.targetLabel());
        } else {
          labels.put(target, res);
        }
        return true;
      }
      case LOWERCASE -> set(labels, rule.targetLabel(), val.toLowerCase(Locale.ROOT));
      case UPPERCASE -> set(labels, rule.targetLabel(), val.toUpperCase(Locale.ROOT));
      case HASHMOD -> set(labels, rule.targetLabel(),
          Long.toUnsignedString(Long.remainderUnsigned(hash(val), rule.modulus())));
      case LABELMAP -> {
        List<Map.Entry<String, String>> snapshot = new ArrayList<>(labels.entrySet());
        for (Map.Entry<String, String> e : snapshot) {
          Matcher m = rule.regex().matcher(e.getKey());
          if (m.matches()) {
            set(labels, expand(rule.replacement(), e.getKey(), m, rule), e.getValue());
          }
        }
      }
      case LABELDROP -> labels.keySet().removeIf(name -> rule.regex().matches(name));
      case LABELKEEP -> labels.keySet().removeIf(name -> !rule.regex().matches(name));
      default -> throw new IllegalStateException("unknown action " + rule.action());
    }
    return true;
  }

  private static void set(SortedMap<String, String> labels, String name, String value) {
    if (value.isEmpty()) {
      labels.remove(name);
    } else {
      labels.put(name, value);
    }
  }

  private static String sourceValue(RelabelConfig rule, SortedMap<String, String> labels) {
    List<String> sources = rule.sourceLabels();
    if (sources.size() == 1) {
      return labels.getOrDefault(sources.get(0), "");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < sources.size(); i++) {
      if (i > 0) {
        sb.append(rule.separator());
      }
      sb.append(labels.getOrDefault(sources.get(i), ""));
    }
    return sb.toString();
  }

  /** The unsigned 64-bit number Prometheus' hashmod uses: the last 8 bytes of MD5, big-endian. */
  long hash(String value) {
    byte[] d = md5.digest(value.getBytes(StandardCharsets.UTF_8));
    long s = 0;
    for (int i = 8; i < 16; i++) {
      s = (s << 8) | (d[i] & 0xFF);
    }
    return s;
  }

  /**
   * Go's regexp Expand: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}} and {@code $$}; a
   * reference to a missing group is empty; a malformed {@code $} stays as written.
   */
  static String expand(String template, String src, Matcher m, RelabelConfig rule) {
    if (template.indexOf('$') < 0) {
      return template;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = template.length();
    while (i < n) {
      char c = template.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < n && template.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      int j = i + 1;
      boolean brace = j < n && template.charAt(j) == '{';
      if (brace) {
        j++;
      }
      int nameStart = j;
      while (j < n) {
        int cp = template.codePointAt(j);
        if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') {
          break;
        }
        j += Character.charCount(cp);
      }
      if (j == nameStart || (brace && (j >= n || template.charAt(j) != '}'))) {
        out.append('$');
        i++;
        continue;
      }
      String name = template.substring(nameStart, j);
      i = brace ? j + 1 : j;
      int num = groupNumber(name);
      if (num >= 0) {
        if (num <= m.groupCount() && m.start(num) >= 0) {
          out.append(src, m.start(num), m.end(num));
        }
      } else {
        Integer idx = rule.regex().namedGroups().get(name);
        if (idx != null && m.start(idx) >= 0) {
          out.append(src, m.start(idx), m.end(idx));
        }
      }
    }
    return out.toString();
  }

  private static int groupNumber(String name) {
    int num = 0;
    for (int k = 0; k < name.length(); k++) {
      char ch = name.charAt(k);
      if (ch < '0' || ch > '9' || num >= 100_000_000) {
        return -1;
      }
      num = num * 10 + (ch - '0');
    }
    if (name.charAt(0) == '0' && name.length() > 1) {
      return -1;
    }
    return num;
  }

  /** A sorted mutable copy of a label map, for callers that start from other shapes. */
  public static SortedMap<String, String> mutable(Map<String, String> labels) {
    return new TreeMap<>(labels);
  }
}
