package io.clymene.bench;

import io.clymene.testing.ClickHouseServer;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.InfluxDbServer;
import io.clymene.testing.OpenSearchServer;
import io.clymene.testing.PostgresServer;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.QuestDbServer;
import io.clymene.testing.TempDirs;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The real servers {@link StorageBench} writes into, started the way the integration tests start them,
 * each with the storage entry that points a writer at it.
 */
final class BenchServers {

  /** A started server and the storage entry (without queue) of the writer under test. */
  interface Server extends AutoCloseable {
    JsonObject entry();

    /** What it is, e.g. "VictoriaMetrics 1.79.5 (remote write)". */
    String description();

    /** The server's process id, or -1 when it runs in this JVM. */
    long pid();

    /** Samples the server holds, or -1 when this bench cannot ask it. */
    long storedSamples();

    @Override
    void close();
  }

  /** How to start each server, by writer name. */
  private interface Starter {
    Server start() throws Exception;
  }

  private static final Map<String, Starter> STARTERS = new TreeMap<>(Map.ofEntries(
      Map.entry("prometheus-vm", () -> victoriaMetrics(new JsonObject().put("type", "prometheus"), "/api/v1/write",
          "remote write")),
      Map.entry("prometheus-prom", BenchServers::prometheus),
      Map.entry("influxdb", BenchServers::influxDb),
      Map.entry("influxdb-vm", () -> victoriaMetrics(new JsonObject().put("type", "influxdb"), "", "Influx line")),
      Map.entry("questdb", BenchServers::questDb),
      Map.entry("opentsdb-http", () -> openTsdb(false)),
      Map.entry("opentsdb-telnet", () -> openTsdb(true)),
      Map.entry("postgresql", BenchServers::postgresql),
      Map.entry("clickhouse", BenchServers::clickhouse),
      Map.entry("opensearch", BenchServers::openSearch),
      Map.entry("file", BenchServers::file)));

  private BenchServers() {
  }

  /** The writer names, sorted. */
  static java.util.Set<String> names() {
    return STARTERS.keySet();
  }

  static Server start(String name) throws Exception {
    Starter s = STARTERS.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown --writer " + name + " (one of " + STARTERS.keySet() + ")");
    }
    return s.start();
  }

  /** A writer entry (its url path appended to the server's address) into a fresh VictoriaMetrics. */
  static Server victoriaMetrics(JsonObject entry, String path, String how) throws IOException {
    ExternalServer vm = ExternalServer.victoriaMetrics();
    return new External(vm, entry.copy().put("url", vm.url() + path), "VictoriaMetrics 1.79.5 (" + how + ")") {
      @Override
      public long storedSamples() {
        return new VictoriaMetricsApi(vm.url()).sampleCount("{__name__!=\"\"}");
      }
    };
  }

  private static Server openTsdb(boolean telnet) throws IOException {
    ExternalServer vm = ExternalServer.victoriaMetricsWith(2, "-opentsdbListenAddr=127.0.0.1:{port1}",
        "-opentsdbHTTPListenAddr=127.0.0.1:{port2}");
    JsonObject entry = new JsonObject().put("type", "opentsdb");
    if (telnet) {
      entry.put("address", "127.0.0.1:" + vm.port(1));
    } else {
      entry.put("url", "http://127.0.0.1:" + vm.port(2));
    }
    return new External(vm, entry, "VictoriaMetrics 1.79.5 (OpenTSDB " + (telnet ? "telnet" : "HTTP") + ")") {
      @Override
      public long storedSamples() {
        return new VictoriaMetricsApi(vm.url()).sampleCount("{__name__!=\"\"}");
      }
    };
  }

  private static Server influxDb() throws IOException {
    InfluxDbServer influx = InfluxDbServer.start();
    influx.createDatabase("clymene");
    return new External(influx.process(), new JsonObject().put("type", "influxdb").put("url", influx.url()),
        "InfluxDB 1.6.7 (line protocol v1)") {
      @Override
      public long storedSamples() {
        long n = 0;
        for (String m : BenchKit.METRICS) {
          n += influx.count("clymene", m);
        }
        return n;
      }
    };
  }

  private static Server questDb() throws IOException {
    QuestDbServer quest = QuestDbServer.startForThroughput();
    return new External(quest.process(), new JsonObject().put("type", "questdb").put("url", quest.url()),
        "QuestDB 9.2.0 (ILP over HTTP)") {
      @Override
      public long storedSamples() {
        long n = 0;
        for (String m : BenchKit.METRICS) {
          Long c = quest.api().count("SELECT count() FROM '" + m + "'");
          n += c == null ? 0 : c;
        }
        return n;
      }
    };
  }

  private static Server postgresql() throws IOException {
    PostgresServer pg = PostgresServer.launch();
    return new External(pg.server(), new JsonObject().put("type", "postgresql").put("url", pg.url("postgres",
        "postgres")), "PostgreSQL 15 (binary COPY)") {
      @Override
      public long storedSamples() {
        return pg.sampleCount("clymene");
      }
    };
  }

  private static Server clickhouse() throws IOException {
    ExternalServer ch = ClickHouseServer.start();
    return new External(ch, new JsonObject().put("type", "clickhouse").put("url", ch.url()),
        "ClickHouse 18.16 (RowBinary over HTTP)") {
      @Override
      public long storedSamples() {
        return Long.parseLong(ClickHouseServer.query(ch, "SELECT count() FROM clymene.samples FINAL"));
      }
    };
  }

  private static Server openSearch() throws IOException {
    OpenSearchServer os = OpenSearchServer.start();
    return new Server() {
      @Override
      public JsonObject entry() {
        return new JsonObject().put("type", "opensearch").put("urls", new JsonArray().add(os.url()))
            .put("replicas", 0);
      }

      @Override
      public String description() {
        return "OpenSearch 2.19.6 (bulk API)";
      }

      @Override
      public long pid() {
        return os.pid();
      }

      @Override
      public long storedSamples() {
        os.call("POST", "/clymene-metrics-*/_refresh", null);
        return new JsonObject(os.call("GET", "/clymene-metrics-*/_count", null)).getLong("count");
      }

      @Override
      public void close() {
        os.close();
      }
    };
  }

  private static Server file() throws IOException {
    Path dir = Files.createTempDirectory("clymene-bench-file-");
    return new Server() {
      @Override
      public JsonObject entry() {
        // rotation as configured by default, but every file kept, so that the lines can be counted
        return new JsonObject().put("type", "file").put("path", dir.resolve("samples.ndjson").toString())
            .put("max_files", 10_000);
      }

      @Override
      public String description() {
        return "NDJSON file";
      }

      @Override
      public long pid() {
        return -1;
      }

      @Override
      public long storedSamples() {
        try (var files = Files.list(dir)) {
          long lines = 0;
          for (Path f : files.toList()) {
            try (var l = Files.lines(f)) {
              lines += l.count();
            }
          }
          return lines;
        } catch (IOException e) {
          return -1;
        }
      }

      @Override
      public void close() {
        TempDirs.delete(dir);
      }
    };
  }

  private static Server prometheus() throws IOException {
    ExternalServer prom = ExternalServer.prometheusReceiver();
    return new External(prom, new JsonObject().put("type", "prometheus").put("url", prom.url() + "/api/v1/write"),
        "Prometheus 2.42 (remote-write receiver)") {
      @Override
      public long storedSamples() {
        Double n = new PrometheusApi(prom.url()).single("sum(count_over_time({__name__!=\"\"}[6h]))");
        return n == null ? 0 : n.longValue();
      }
    };
  }

  /** A server in its own process. */
  static class External implements Server {
    private final ExternalServer server;
    private final JsonObject entry;
    private final String description;

    External(ExternalServer server, JsonObject entry, String description) {
      this.server = server;
      this.entry = entry;
      this.description = description;
    }

    @Override
    public JsonObject entry() {
      return entry;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public long pid() {
      return server.pid();
    }

    @Override
    public long storedSamples() {
      return -1;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
