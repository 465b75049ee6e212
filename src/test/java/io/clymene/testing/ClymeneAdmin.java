package io.clymene.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Reads a running Clymene's admin endpoints: {@code /metrics} and the remote-write status. */
public final class ClymeneAdmin {
  private final String base;

  public ClymeneAdmin(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** The metrics page, or null when the admin server cannot be reached. */
  public Exposition metrics() {
    return Exposition.fetch(base + "/metrics");
  }

  /**
   * A writer's entry in {@code GET /api/v1/status/remote-write}; null when the admin server cannot be
   * reached, an assertion error when it has no such writer.
   */
  public JsonObject writer(String name) {
    String body = Http.body(base + "/api/v1/status/remote-write");
    if (body == null) {
      return null;
    }
    JsonObject json = new JsonObject(body);
    if (!"success".equals(json.getString("status"))) {
      throw new AssertionError("status/remote-write answered " + body);
    }
    JsonArray writers = json.getJsonObject("data").getJsonArray("writers");
    for (int i = 0; i < writers.size(); i++) {
      if (name.equals(writers.getJsonObject(i).getString("name"))) {
        return writers.getJsonObject(i);
      }
    }
    throw new AssertionError("no writer " + name + " in status/remote-write: " + body);
  }
}
