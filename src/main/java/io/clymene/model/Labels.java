package io.clymene.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable, validated, sorted set of label pairs, such as a target's labels or one decoded series.
 *
 * <p>Names are sorted lexicographically (Prometheus order), unique, match {@code [a-zA-Z_][a-zA-Z0-9_]*}
 * and values are never empty (an empty value means "no such label" in Prometheus). The hot path does not
 * use this type: it writes labels straight into a {@link SeriesBatch.Builder}. This type is for
 * configuration, targets, tests and slow paths.
 */
public final class Labels {

  /** The label that carries the metric name. */
  public static final String METRIC_NAME = "__name__";
  /** The empty label set. */
  public static final Labels EMPTY = new Labels(new String[0]);

  /** names at even, values at odd indices, sorted by name. */
  private final String[] pairs;

  private Labels(String[] pairs) {
    this.pairs = pairs;
  }

  /**
   * Labels from alternating names and values; they are validated and sorted.
   *
   * @throws IllegalArgumentException naming the bad label
   */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels need name/value pairs, got an odd count");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (map.put(namesAndValues[i], namesAndValues[i + 1]) != null) {
        throw new IllegalArgumentException("duplicate label name '" + namesAndValues[i] + "'");
      }
    }
    return of(map);
  }

  /**
   * Labels from a map; entries with empty values are dropped, names are validated.
   *
   * @throws IllegalArgumentException naming the bad label
   */
  public static Labels of(Map<String, String> map) {
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "label name");
      String value = e.getValue() == null ? "" : e.getValue();
      if (!LabelNames.isValidLabelName(name)) {
        throw new IllegalArgumentException("invalid label name '" + name + "'");
      }
      if (!value.isEmpty()) {
        sorted.put(name, value);
      }
    }
    String[] pairs = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      pairs[i++] = e.getKey();
      pairs[i++] = e.getValue();
    }
    return new Labels(pairs);
  }

  /**
   * Labels from a sorted map without checking the names: target labels before relabeling may hold
   * any name (a {@code __param_collect[]} from {@code params}, for example), as in Prometheus. Entries with
   * empty values are dropped.
   */
  public static Labels ofUnchecked(java.util.SortedMap<String, String> sorted) {
    String[] pairs = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      if (e.getValue() != null && !e.getValue().isEmpty()) {
        pairs[i++] = e.getKey();
        pairs[i++] = e.getValue();
      }
    }
    return new Labels(i == pairs.length ? pairs : java.util.Arrays.copyOf(pairs, i));
  }

  /** Number of labels. */
  public int size() {
    return pairs.length / 2;
  }

  public boolean isEmpty() {
    return pairs.length == 0;
  }

  public String name(int i) {
    return pairs[2 * i];
  }

  public String value(int i) {
    return pairs[2 * i + 1];
  }

  /** The value of a label, or {@code null} when absent. */
  public String get(String name) {
    int lo = 0;
    int hi = size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = pairs[2 * mid].compareTo(name);
      if (c == 0) {
        return pairs[2 * mid + 1];
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  /** The metric name, or {@code null}. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  /** A copy with the label set (or removed when the value is empty). */
  public Labels with(String name, String value) {
    Map<String, String> map = toMap();
    map.put(name, value);
    return of(map);
  }

  /** A copy with every label of {@code other} set, overriding ours. */
  public Labels withAll(Labels other) {
    Map<String, String> map = toMap();
    for (int i = 0; i < other.size(); i++) {
      map.put(other.name(i), other.value(i));
    }
    return of(map);
  }

  /** A copy without the named label. */
  public Labels without(String name) {
    Map<String, String> map = toMap();
    map.remove(name);
    return of(map);
  }

  /** The labels as an ordered, mutable map. */
  public Map<String, String> toMap() {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < size(); i++) {
      map.put(name(i), value(i));
    }
    return map;
  }

  /** The label names in order. */
  public List<String> names() {
    List<String> names = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      names.add(name(i));
    }
    return Collections.unmodifiableList(names);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels && Arrays.equals(pairs, ((Labels) o).pairs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(pairs);
  }

  /** Prometheus notation: {@code {a="1", b="2"}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(name(i)).append("=\"");
      LabelNames.appendEscaped(sb, value(i));
      sb.append('"');
    }
    return sb.append('}').toString();
  }
}
