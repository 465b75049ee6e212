package io.clymene.relabel;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.clymene.config.ConfigException;
import io.clymene.model.LabelNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One relabel rule with Prometheus' defaults (separator {@code ;}, regex {@code (.*)}, replacement
 * {@code $1}, action replace) and its checks. The regex is fully anchored and has RE2 semantics.
 */
public final class RelabelConfig {
  public static final String DEFAULT_SEPARATOR = ";";
  public static final String DEFAULT_REGEX = "(.*)";
  public static final String DEFAULT_REPLACEMENT = "$1";
  private static final java.util.regex.Pattern TARGET =
      java.util.regex.Pattern.compile("^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");

  private final List<String> sourceLabels;
  private final String separator;
  private final String regexText;
  private final Pattern regex;
  private final long modulus;
  private final String targetLabel;
  private final String replacement;
  private final RelabelAction action;

  private RelabelConfig(List<String> sourceLabels, String separator, String regexText, long modulus,
                        String targetLabel, String replacement, RelabelAction action) {
    this.sourceLabels = List.copyOf(sourceLabels);
    this.separator = separator;
    this.regexText = regexText;
    this.regex = Pattern.compile("^(?:" + regexText + ")$");
    this.modulus = modulus;
    this.targetLabel = targetLabel;
    this.replacement = replacement;
    this.action = action;
  }

  /**
   * Reads one normalized relabel_config entry.
   *
   * @param path its key path, for messages
   * @throws ConfigException naming the key and the problem, as Prometheus would reject it
   */
  public static RelabelConfig parse(JsonObject json, String path) {
    String actionText = json.getString("action", "replace");
    RelabelAction action = RelabelAction.of(actionText);
    if (action == null) {
      throw new ConfigException(null, path + ".action", "unknown relabel action '" + actionText + "'");
    }
    List<String> sources = new ArrayList<>();
    JsonArray sl = json.getJsonArray("source_labels");
    if (sl != null) {
      for (int i = 0; i < sl.size(); i++) {
        String name = sl.getString(i);
        if (!LabelNames.isValidLabelName(name)) {
          throw new ConfigException(null, path + ".source_labels[" + i + "]", "\"" + name
              + "\" is not a valid label name");
        }
        sources.add(name);
      }
    }
    String separator = json.getString("separator", DEFAULT_SEPARATOR);
    boolean regexGiven = json.containsKey("regex");
    String regexText = json.getString("regex", DEFAULT_REGEX);
    long modulus = json.getLong("modulus", 0L);
    String target = json.getString("target_label", "");
    String replacement = json.getString("replacement", DEFAULT_REPLACEMENT);
    try {
      Pattern.compile("^(?:" + regexText + ")$");
    } catch (PatternSyntaxException e) {
      throw new ConfigException(null, path + ".regex", "invalid regular expression '" + regexText + "': "
          + e.getDescription());
    }
    boolean needsTarget = switch (action) {
      case REPLACE, HASHMOD, LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
      default -> false;
    };
    if (action == RelabelAction.HASHMOD && modulus == 0) {
      throw new ConfigException(null, path + ".modulus", "relabel configuration for hashmod requires non-zero modulus");
    }
    if (needsTarget && target.isEmpty()) {
      throw new ConfigException(null, path + ".target_label", "relabel configuration for " + action
          + " action requires 'target_label' value");
    }
    if (needsTarget && action != RelabelAction.HASHMOD && !TARGET.matcher(target).matches()) {
      throw new ConfigException(null, path + ".target_label", "\"" + target + "\" is invalid 'target_label' for "
          + action + " action");
    }
    boolean noReplacement = action == RelabelAction.LOWERCASE || action == RelabelAction.UPPERCASE
        || action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL;
    if (noReplacement && !replacement.equals(DEFAULT_REPLACEMENT)) {
      throw new ConfigException(null, path + ".replacement", "'replacement' can not be set for " + action + " action");
    }
    if (action == RelabelAction.LABELMAP && !TARGET.matcher(replacement).matches()) {
      throw new ConfigException(null, path + ".replacement", "\"" + replacement + "\" is invalid 'replacement' for "
          + action + " action");
    }
    if (action == RelabelAction.HASHMOD && !LabelNames.isValidLabelName(target)) {
      throw new ConfigException(null, path + ".target_label", "\"" + target + "\" is invalid 'target_label' for "
          + action + " action");
    }
    if ((action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL)
        && (regexGiven || modulus != 0 || !separator.equals(DEFAULT_SEPARATOR))) {
      throw new ConfigException(null, path, action + " action requires only 'source_labels' and `target_label`, "
          + "and no other fields");
    }
    if ((action == RelabelAction.LABELDROP || action == RelabelAction.LABELKEEP)
        && (sl != null || !target.isEmpty() || modulus != 0 || !separator.equals(DEFAULT_SEPARATOR)
        || !replacement.equals(DEFAULT_REPLACEMENT))) {
      throw new ConfigException(null, path, action + " action requires only 'regex', and no other fields");
    }
    return new RelabelConfig(sources, separator, regexText, modulus, target, replacement, action);
  }

  /** The keys of a relabel_config; {@link #parse} checks the values. */
  public static io.clymene.config.Schema.ObjectSchema schema() {
    return io.clymene.config.Schema.object()
        .field("source_labels", io.clymene.config.Schema.listOf(io.clymene.config.Schema.string()))
        .field("separator", io.clymene.config.Schema.string())
        .field("regex", io.clymene.config.Schema.string())
        .field("modulus", io.clymene.config.Schema.integer(0, Long.MAX_VALUE))
        .field("target_label", io.clymene.config.Schema.string())
        .field("replacement", io.clymene.config.Schema.string())
        .field("action", io.clymene.config.Schema.string());
  }

  /** Reads a list of rules; null or empty gives an empty list. */
  public static List<RelabelConfig> parseList(JsonArray list, String path) {
    List<RelabelConfig> out = new ArrayList<>();
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        out.add(parse(list.getJsonObject(i), path + "[" + i + "]"));
      }
    }
    return out;
  }

  public List<String> sourceLabels() {
    return sourceLabels;
  }

  public String separator() {
    return separator;
  }

  public Pattern regex() {
    return regex;
  }

  public long modulus() {
    return modulus;
  }

  public String targetLabel() {
    return targetLabel;
  }

  public String replacement() {
    return replacement;
  }

  public RelabelAction action() {
    return action;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelabelConfig r && r.sourceLabels.equals(sourceLabels) && r.separator.equals(separator)
        && r.regexText.equals(regexText) && r.modulus == modulus && r.targetLabel.equals(targetLabel)
        && r.replacement.equals(replacement) && r.action == action;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(sourceLabels, separator, regexText, modulus, targetLabel, replacement, action);
  }

  @Override
  public String toString() {
    return "{action=" + action + ", source_labels=" + sourceLabels + ", regex=" + regexText + ", target_label="
        + targetLabel + ", replacement=" + replacement + "}";
  }
}
