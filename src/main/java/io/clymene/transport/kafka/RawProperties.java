package io.clymene.transport.kafka;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Raw Kafka client properties from the config ({@code producer:}, {@code consumer.properties:}), applied
 * after Clymene's own so that they win; a null value removes a property Clymene set.
 */
final class RawProperties {
  private RawProperties() {
  }

  /** The section's entries as strings (null stays null); empty for a missing section. */
  static Map<String, String> read(JsonObject section) {
    if (section == null) {
      return Map.of();
    }
    Map<String, String> raw = new LinkedHashMap<>();
    section.forEach(e -> raw.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue())));
    return Collections.unmodifiableMap(raw);
  }

  /** Puts the raw properties into {@code p}, removing those whose value is null. */
  static void apply(Map<String, String> raw, Properties p) {
    raw.forEach((k, v) -> {
      if (v == null) {
        p.remove(k);
      } else {
        p.put(k, v);
      }
    });
  }
}
