package io.clymene.storage;

import io.clymene.testing.ClickHouseServer;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.InfluxDbServer;
import io.clymene.testing.PostgresServer;
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

  /**
   * Five writers of five types into five servers: remote write into VictoriaMetrics (the one the outage
   * test stops), InfluxDB 1.6.7, PostgreSQL 15, ClickHouse 18.16, OpenTSDB telnet into VictoriaMetrics.
   */
  static List<Callable<Backend>> fiveForOutageTest() {
    return List.of(
        () -> victoriaMetrics("prometheus"),
        StorageBackends::influxDb,
        StorageBackends::postgresql,
        StorageBackends::clickhouse,
        StorageBackends::openTsdbTelnet);
  }

  static Backend influxDb() throws Exception {
    InfluxDbServer influx = InfluxDbServer.start();
    influx.createDatabase("composite");
    return new Backend("influxdb", influx.process(), new JsonObject().put("type", "influxdb").put("url", influx.url())
        .put("database", "composite"), () -> influx.count("composite", "composite_outage_counter"));
  }

  static Backend postgresql() throws Exception {
    PostgresServer pg = PostgresServer.launch();
    return new Backend("postgresql", pg.server(), new JsonObject().put("type", "postgresql")
        .put("url", pg.url("postgres", "postgres")).put("schema", "composite"), () -> pg.sampleCount("composite"));
  }

  static Backend clickhouse() throws Exception {
    ExternalServer ch = ClickHouseServer.start();
    return new Backend("clickhouse", ch, new JsonObject().put("type", "clickhouse").put("url", ch.url())
        .put("database", "composite"), () -> {
          String n = ClickHouseServer.query(ch, "EXISTS TABLE composite.samples").equals("1")
              ? ClickHouseServer.query(ch, "SELECT count() FROM composite.samples FINAL") : "0";
          return Long.parseLong(n);
        });
  }

  static Backend openTsdbTelnet() throws Exception {
    ExternalServer vm = ExternalServer.victoriaMetricsWith(1, "-opentsdbListenAddr=127.0.0.1:{port1}");
    return new Backend("opentsdb", vm, new JsonObject().put("type", "opentsdb")
        .put("address", "127.0.0.1:" + vm.port(1)), () -> new VictoriaMetricsApi(vm.url()).sampleCount(METRIC));
  }

  static Backend victoriaMetrics(String name) throws Exception {
    ExternalServer vm = ExternalServer.victoriaMetrics();
    return new Backend(name, vm, new JsonObject().put("type", "prometheus").put("url", vm.url() + "/api/v1/write"),
        () -> new VictoriaMetricsApi(vm.url()).sampleCount(METRIC));
  }

}
