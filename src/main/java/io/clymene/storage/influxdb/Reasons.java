package io.clymene.storage.influxdb;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** Small helpers to read servers' error answers. */
final class Reasons {
  /** How much of a server's reason goes into messages and logs. */
  static final int MAX_REASON_CHARS = 300;

  private Reasons() {
  }

  /**
   * The reason in a JSON error body: the first of {@code keys} present (InfluxDB 1.x {@code error}, 2.x and
   * QuestDB {@code message}), else the body itself; on one line, shortened.
   */
  static String fromJson(String body, String... keys) {
    String text = body == null ? "" : body.trim();
    if (text.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(text);
        for (String k : keys) {
          Object v = json.getValue(k);
          if (v != null) {
            text = String.valueOf(v);
            break;
          }
        }
      } catch (DecodeException | ClassCastException e) {
        // not JSON after all: keep the text
      }
    }
    return oneLine(text);
  }

  /** Text on one line, at most {@link #MAX_REASON_CHARS} characters. */
  static String oneLine(String text) {
    String s = text.replaceAll("[\\r\\n]+", " ").trim();
    return s.length() > MAX_REASON_CHARS ? s.substring(0, MAX_REASON_CHARS) + "..." : s;
  }

}
