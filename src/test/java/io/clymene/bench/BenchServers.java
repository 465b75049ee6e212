package io.clymene.bench;

import io.clymene.testing.ExternalServer;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
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

  private static final Map<String, Starter> STARTERS = new TreeMap<>(Map.of(
      "prometheus-vm", () -> victoriaMetrics(new JsonObject().put("type", "prometheus"), "/api/v1/write",
          "remote write"),
      "prometheus-prom", BenchServers::prometheus));

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

  private static Server prometheus() throws IOException {
    ExternalServer prom = ExternalServer.prometheusReceiver();
    return new External(prom, new JsonObject().put("type", "prometheus").put("url", prom.url() + "/api/v1/write"),
        "Prometheus 2.42 (remote-write receiver)");
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
