package io.clymene.relabel;

import java.util.Locale;

/** Prometheus relabel actions. */
public enum RelabelAction {
  REPLACE, KEEP, DROP, KEEPEQUAL, DROPEQUAL, HASHMOD, LABELMAP, LABELDROP, LABELKEEP, LOWERCASE, UPPERCASE;

  /** The action of a config value, case-insensitive as in Prometheus; null when unknown. */
  public static RelabelAction of(String text) {
    for (RelabelAction a : values()) {
      if (a.name().equals(text.toUpperCase(Locale.ROOT))) {
        return a;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
