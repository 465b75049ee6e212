package io.clymene.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A page in the Prometheus text format (such as Clymene's {@code /metrics}), read for assertions. */
public final class Exposition {
  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\S+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private record Line(String name, Map<String, String> labels, double value) {
  }

  private final List<Line> lines = new ArrayList<>();

  private Exposition(String text) {
    for (String l : text.split("\n")) {
      Matcher m = LINE.matcher(l);
      if (l.startsWith("#") || !m.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      if (m.group(2) != null) {
        Matcher lm = LABEL.matcher(m.group(2));
        while (lm.find()) {
          labels.put(lm.group(1), lm.group(2));
        }
      }
      lines.add(new Line(m.group(1), labels, number(m.group(3))));
    }
  }

  /** Parses a page. */
  public static Exposition parse(String text) {
    return new Exposition(text);
  }

  /** Fetches and parses a page; null when it cannot be fetched. */
  public static Exposition fetch(String url) {
    String body = Http.body(url);
    return body == null ? null : new Exposition(body);
  }

  /**
   * The value of the one sample called {@code name} whose labels include the given name/value pairs;
   * null when there is none; an assertion error when several match.
   */
  public Double value(String name, String... labelPairs) {
    List<Line> found = matching(name, labelPairs);
    if (found.size() > 1) {
      throw new AssertionError(found.size() + " samples of " + name + " match " + List.of(labelPairs));
    }
    return found.isEmpty() ? null : found.get(0).value;
  }

  /** Like {@link #value}, failing when there is no such sample. */
  public double require(String name, String... labelPairs) {
    Double v = value(name, labelPairs);
    if (v == null) {
      throw new AssertionError("no sample " + name + " with labels " + List.of(labelPairs) + " on the page");
    }
    return v;
  }

  /** The sum of the samples called {@code name} whose labels include the given pairs (0 when none). */
  public double sum(String name, String... labelPairs) {
    return matching(name, labelPairs).stream().mapToDouble(Line::value).sum();
  }

  /**
   * The values label {@code label} takes in the samples called {@code name} whose labels include the given
   * pairs (empty when none), sorted.
   */
  public SortedSet<String> labelValues(String name, String label, String... labelPairs) {
    SortedSet<String> out = new TreeSet<>();
    for (Line l : matching(name, labelPairs)) {
      String v = l.labels.get(label);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  private List<Line> matching(String name, String... labelPairs) {
    List<Line> found = new ArrayList<>();
    for (Line l : lines) {
      if (!l.name.equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i + 1 < labelPairs.length; i += 2) {
        all &= labelPairs[i + 1].equals(l.labels.get(labelPairs[i]));
      }
      if (all) {
        found.add(l);
      }
    }
    return found;
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }
}
