package io.clymene.admin;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each part of a role reports about being ready. {@code /ready} answers 200 only when every part
 * registered here is ready. Thread-safe.
 */
public final class Readiness {
  private final Map<String, String> notReady = new TreeMap<>();
  private final Map<String, String> ready = new TreeMap<>();

  /** Marks a part as not ready, with the reason an operator sees. */
  public synchronized void notReady(String part, String reason) {
    ready.remove(part);
    notReady.put(part, reason);
  }

  /** Marks a part as ready. */
  public synchronized void ready(String part, String detail) {
    notReady.remove(part);
    ready.put(part, detail);
  }

  public synchronized boolean isReady() {
    return notReady.isEmpty() && !ready.isEmpty();
  }

  /** The state of every part, as the body of {@code /ready}. */
  public synchronized JsonObject toJson() {
    JsonObject parts = new JsonObject();
    ready.forEach((k, v) -> parts.put(k, new JsonObject().put("ready", true).put("detail", v)));
    notReady.forEach((k, v) -> parts.put(k, new JsonObject().put("ready", false).put("reason", v)));
    return new JsonObject().put("status", isReady() ? "ready" : "not ready").put("parts", parts);
  }
}
