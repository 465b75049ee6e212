package io.clymene.storage;

import io.clymene.testing.ExternalServer;
import io.clymene.testing.PrometheusApi;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/** Real servers with the storage entry of a writer into each, for tests that use several at once. */
final class StorageBackends {
  private static final String METRIC = "{__name__=\"composite_outage_counter\"}";

  /** A writer and its server: the storage entry, and how many samples the server holds. */
  record Backend(String name, ExternalServer server, JsonObject entry, LongSupplier stored) {
  }

  private StorageBackends() {
  }

  /** Five writers into five servers; the first is the one the outage test stops. */
  static List<Callable<Backend>> fiveForOutageTest() {
    return List.of(
        () -> victoriaMetrics("prometheus-vm"),
        () -> victoriaMetrics("prometheus-vm2"),
        () -> victoriaMetrics("prometheus-vm3"),
        () -> victoriaMetrics("prometheus-vm4"),
        StorageBackends::prometheus);
  }

  static Backend victoriaMetrics(String name) throws Exception {
    ExternalServer vm = ExternalServer.victoriaMetrics();
    return new Backend(name, vm, new JsonObject().put("type", "prometheus").put("url", vm.url() + "/api/v1/write"),
        () -> new VictoriaMetricsApi(vm.url()).sampleCount(METRIC));
  }

  static Backend prometheus() throws Exception {
    ExternalServer prom = ExternalServer.prometheusReceiver();
    return new Backend("prometheus", prom, new JsonObject().put("type", "prometheus")
        .put("url", prom.url() + "/api/v1/write"), () -> {
          Double n = new PrometheusApi(prom.url()).single("sum(count_over_time(" + METRIC + "[2h]))");
          return n == null ? 0 : n.longValue();
        });
  }
}
