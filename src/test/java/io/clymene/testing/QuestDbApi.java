package io.clymene.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL over the embedded store's HTTP endpoint ({@code /exec}). */
public final class QuestDbApi {
  private final String base;

  public QuestDbApi(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** Rows as column-name maps; null when the table does not exist yet or the store is unreachable. */
  public List<Map<String, Object>> rows(String sql) {
    var r = Http.get(base + "/exec?query=" + Http.enc(sql));
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    JsonObject json = new JsonObject(r.body());
    JsonArray columns = json.getJsonArray("columns");
    JsonArray dataset = json.getJsonArray("dataset");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < dataset.size(); i++) {
      JsonArray row = dataset.getJsonArray(i);
      Map<String, Object> m = new LinkedHashMap<>();
      for (int c = 0; c < columns.size(); c++) {
        m.put(columns.getJsonObject(c).getString("name"), row.getValue(c));
      }
      rows.add(m);
    }
    return rows;
  }

  /** The single number a {@code select count() ...} returns, or null. */
  public Long count(String sql) {
    List<Map<String, Object>> rows = rows(sql);
    if (rows == null || rows.isEmpty()) {
      return null;
    }
    return ((Number) rows.get(0).values().iterator().next()).longValue();
  }
}
