package io.clymene.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** Queries a real Prometheus server's HTTP API. */
public final class PrometheusApi {
  private final String base;

  public PrometheusApi(String base) {
    this.base = base;
  }

  /** An instant query's result vector: each element has "metric" and "value" [ts, "v"]; null if unreachable. */
  public JsonArray query(String promql) {
    String body = Http.body(base + "/api/v1/query?query=" + Http.enc(promql));
    return body == null ? null : new JsonObject(body).getJsonObject("data").getJsonArray("result");
  }

  /** Raw samples of a range selector such as {@code m[1m]}: series labels -> (timestamp ms -> value). */
  public Map<JsonObject, Map<Long, Double>> samples(String rangeSelector) {
    JsonArray result = query(rangeSelector);
    Map<JsonObject, Map<Long, Double>> out = new HashMap<>();
    if (result == null) {
      return out;
    }
    for (int i = 0; i < result.size(); i++) {
      JsonObject series = result.getJsonObject(i);
      Map<Long, Double> points = new HashMap<>();
      JsonArray values = series.getJsonArray("values");
      for (int k = 0; k < values.size(); k++) {
        JsonArray p = values.getJsonArray(k);
        points.put(Math.round(p.getDouble(0) * 1000), Double.parseDouble(p.getString(1)));
      }
      out.put(series.getJsonObject("metric"), points);
    }
    return out;
  }

  /** The value of the single series an instant query returns, or null when there is none. */
  public Double single(String promql) {
    JsonArray r = query(promql);
    if (r == null || r.size() != 1) {
      return null;
    }
    return Double.parseDouble(r.getJsonObject(0).getJsonArray("value").getString(1));
  }
}
