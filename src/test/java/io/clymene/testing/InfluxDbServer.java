package io.clymene.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real InfluxDB 1.x ({@code influxd} of the Debian package {@code influxdb}, 1.6.7 here) on loopback: HTTP on a
 * free port, the RPC (backup) service on another, meta, data and WAL in its temp directory, reporting, the
 * {@code _internal} monitor store and request logging off. Ready when {@code /ping} answers 204. Queries go
 * through {@code /query}. {@link #main} starts one for benchmarks and prints its URL.
 */
public final class InfluxDbServer implements AutoCloseable {
  private final ExternalServer server;

  private InfluxDbServer(ExternalServer server) {
    this.server = server;
  }

  /** Starts a server whose write requests may be at most {@code maxBodyBytes} (InfluxDB's default: 25 MB). */
  public static InfluxDbServer start(long maxBodyBytes) throws IOException {
    String conf = String.join("\n",
        "reporting-disabled = true",
        "bind-address = \"127.0.0.1:{port1}\"",
        "[meta]",
        "  dir = \"{dir}/meta\"",
        "  logging-enabled = false",
        "[data]",
        "  dir = \"{dir}/data\"",
        "  wal-dir = \"{dir}/wal\"",
        "  query-log-enabled = false",
        "  wal-fsync-delay = \"100ms\"",
        "[monitor]",
        "  store-enabled = false",
        "[http]",
        "  bind-address = \"127.0.0.1:{port}\"",
        "  log-enabled = false",
        "  max-body-size = " + maxBodyBytes,
        "[logging]",
        "  level = \"warn\"",
        "  suppress-logo = true",
        "");
    return new InfluxDbServer(ExternalServer.builder("influxdb", "influxd", "influxdb").ports(2)
        .file("influxdb.conf", conf).args("-config", "{dir}/influxdb.conf").readyHttp("/ping", 204).start());
  }

  /** Starts a server with InfluxDB's default body limit. */
  public static InfluxDbServer start() throws IOException {
    return start(25_000_000);
  }

  public String url() {
    return server.url();
  }

  /** The process, to stop and start again (same port and data) for outage tests. */
  public ExternalServer process() {
    return server;
  }

  /** Runs an InfluxQL statement (POST /query); the JSON answer, or an assertion error. */
  public JsonObject query(String database, String influxql) {
    String url = server.url() + "/query?epoch=ms" + (database == null ? "" : "&db=" + Http.enc(database))
        + "&q=" + Http.enc(influxql);
    HttpResponse<String> r = Http.post(url, "");
    if (r == null || r.statusCode() != 200) {
      throw new AssertionError("InfluxDB query '" + influxql + "' failed: "
          + (r == null ? "unreachable" : r.statusCode() + " " + r.body()));
    }
    JsonObject json = new JsonObject(r.body());
    JsonObject first = json.getJsonArray("results").getJsonObject(0);
    if (first.containsKey("error")) {
      throw new AssertionError("InfluxDB query '" + influxql + "' failed: " + first.getString("error"));
    }
    return first;
  }

  public void createDatabase(String name) {
    query(null, "CREATE DATABASE \"" + name + "\"");
  }

  /** Every row of a measurement ({@code SELECT * FROM}): time (ms), tags and value, by column name. */
  public List<Map<String, Object>> rows(String database, String measurement) {
    JsonObject result = query(database, "SELECT * FROM \"" + measurement.replace("\"", "\\\"") + "\"");
    List<Map<String, Object>> rows = new ArrayList<>();
    JsonArray series = result.getJsonArray("series");
    if (series == null) {
      return rows;
    }
    for (int s = 0; s < series.size(); s++) {
      JsonArray columns = series.getJsonObject(s).getJsonArray("columns");
      JsonArray values = series.getJsonObject(s).getJsonArray("values");
      for (int i = 0; i < values.size(); i++) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
          Object v = values.getJsonArray(i).getValue(c);
          if (v != null) {
            row.put(columns.getString(c), v);
          }
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** {@code count(value)} of a measurement (0 when it does not exist yet). */
  public long count(String database, String measurement) {
    JsonArray series = query(database, "SELECT count(value) FROM \"" + measurement + "\"").getJsonArray("series");
    return series == null ? 0 : series.getJsonObject(0).getJsonArray("values").getJsonArray(0).getLong(1);
  }

  @Override
  public void close() {
    server.close();
  }

  /** Starts a server with database {@code clymene} for a benchmark, prints its URL and runs until killed. */
  public static void main(String[] args) throws Exception {
    InfluxDbServer s = start();
    s.createDatabase("clymene");
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    System.out.println("influxdb " + s.url());
    Thread.currentThread().join();
  }
}
