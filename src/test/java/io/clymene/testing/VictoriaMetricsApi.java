package io.clymene.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads raw samples back from a real VictoriaMetrics ({@code /api/v1/export}). */
public final class VictoriaMetricsApi {
  private final String base;

  public VictoriaMetricsApi(String base) {
    this.base = base;
  }

  /**
   * Every raw sample of the series a selector matches, duplicates included, by the series' labels
   * (a sorted map); stale markers (exported as null) are NaN. Null when VictoriaMetrics cannot be reached.
   */
  public Map<Map<String, String>, List<RawSample>> export(String selector) {
    String body = Http.body(base + "/api/v1/export?match[]=" + Http.enc(selector));
    if (body == null) {
      return null;
    }
    Map<Map<String, String>, List<RawSample>> out = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    for (String line : body.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      // NaN and infinities come as bare words
      JsonObject row = new JsonObject(line.replaceAll("(?<=[\\[,])(NaN|[+-]?Inf)(?=[,\\]])", "\"$1\""));
      Map<String, String> labels = new TreeMap<>();
      row.getJsonObject("metric").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
      JsonArray values = row.getJsonArray("values");
      JsonArray timestamps = row.getJsonArray("timestamps");
      List<RawSample> samples = out.computeIfAbsent(labels, k -> new ArrayList<>());
      for (int i = 0; i < values.size(); i++) {
        Object v = values.getValue(i);
        double d = v instanceof Number n ? n.doubleValue()
            : v == null ? Double.NaN : Double.parseDouble(String.valueOf(v).replace("Inf", "Infinity"));
        samples.add(new RawSample(timestamps.getLong(i), d));
      }
    }
    return out;
  }

  /**
   * How many raw samples (duplicates included) the series a selector matches hold over the last 30 days,
   * after flushing what VictoriaMetrics buffers; -1 when it cannot be reached.
   */
  public long sampleCount(String selector) {
    Http.get(base + "/internal/force_flush");
    String body = Http.body(base + "/api/v1/query?query="
        + Http.enc("sum(count_over_time(" + selector + "[30d]))"));
    if (body == null) {
      return -1;
    }
    JsonArray result = new JsonObject(body).getJsonObject("data").getJsonArray("result");
    return result.isEmpty() ? 0 : Long.parseLong(result.getJsonObject(0).getJsonArray("value").getString(1));
  }
}
