package io.clymene.storage.influxdb;

import static io.clymene.storage.influxdb.Harness.series;
import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.storage.StorageWriter;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.Http;
import io.clymene.testing.RawSample;
import io.clymene.testing.VictoriaMetricsApi;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The influxdb writer against a real VictoriaMetrics 1.79.5's Influx endpoint (with {@code -influxSkipSingleField},
 * so measurement {@code m} with field {@code value} is stored as metric {@code m}, not {@code m_value}): version 1
 * writes get the {@code db} label, version 2 writes ({@code /api/v2/write}, accepted by VictoriaMetrics) get no
 * label for org or bucket (1.79.5 ignores them); values and timestamps exact; NaN and ±Inf left out and counted;
 * an outage (the server stopped and started mid-stream) after which every sample is stored.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VictoriaMetricsInfluxIT {
  private ExternalServer vm;
  private VictoriaMetricsApi api;
  private Harness h;

  @BeforeAll
  void startVm() throws Exception {
    vm = ExternalServer.victoriaMetricsWith(0, "-influxSkipSingleField");
    api = new VictoriaMetricsApi(vm.url());
  }

  @AfterAll
  void stopVm() {
    if (vm != null) {
      vm.close();
    }
  }

  @BeforeEach
  void setUp() {
    h = new Harness();
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  /** Exports after making freshly written data searchable ({@code /internal/force_flush}). */
  private Map<Map<String, String>, List<RawSample>> exportNow(String selector) {
    Http.get(vm.url() + "/internal/force_flush");
    return api.export(selector);
  }

  private Map<Map<String, String>, List<RawSample>> export(String selector, int samples) {
    return Await.until(samples + " samples of " + selector, Duration.ofSeconds(20), () -> {
      Map<Map<String, String>, List<RawSample>> e = exportNow(selector);
      return e != null && e.values().stream().mapToInt(List::size).sum() == samples ? e : null;
    });
  }

  @Test
  void version1WritesGetTheDbLabelAndExactValues() throws Exception {
    StorageWriter w = h.writer(new InfluxDbProvider(), new JsonObject().put("type", "influxdb")
        .put("url", vm.url()).put("database", "metrics"));
    long t = System.currentTimeMillis() / 1000 * 1000 - 600_000;
    SeriesBatch.Builder sb = new SeriesBatch.Builder();
    series(sb, new String[] {"__name__", "vm_v1_total", "job", "a b", "path", "/x,y=z"},
        t, 1.5, t + 1000, Double.NaN, t + 2000, 2.5e-9);
    series(sb, new String[] {"__name__", "vm_v1_total", "job", "b"}, t, 42.0, t + 1, Double.NEGATIVE_INFINITY);

    assertThat(h.write(w, List.of(sb.build()))).isNull();

    assertThat(export("{__name__=\"vm_v1_total\"}", 3)).isEqualTo(Map.of(
        Map.of("__name__", "vm_v1_total", "db", "metrics", "job", "a b", "path", "/x,y=z"),
        List.of(new RawSample(t, 1.5), new RawSample(t + 2000, 2.5e-9)),
        Map.of("__name__", "vm_v1_total", "db", "metrics", "job", "b"), List.of(new RawSample(t, 42.0))));
    assertThat(h.dropped("influxdb", "unsupported_value")).isEqualTo(2.0);
  }

  @Test
  void version2WritesAreAcceptedWithoutOrgOrBucketLabels() throws Exception {
    StorageWriter w = h.writer(new InfluxDbProvider(), new JsonObject().put("type", "influxdb")
        .put("url", vm.url()).put("version", 2).put("org", "o").put("bucket", "b").put("token", "t"));
    long t = System.currentTimeMillis() / 1000 * 1000 - 300_000;
    SeriesBatch.Builder sb = new SeriesBatch.Builder();
    series(sb, new String[] {"__name__", "vm_v2_total", "job", "j"}, t, 7.0, t + 1000, 8.0);

    assertThat(h.write(w, List.of(sb.build()))).isNull();

    assertThat(export("{__name__=\"vm_v2_total\"}", 2)).isEqualTo(Map.of(
        Map.of("__name__", "vm_v2_total", "job", "j"), List.of(new RawSample(t, 7.0), new RawSample(t + 1000, 8.0))));
  }

  @Test
  void everySampleArrivesAcrossAnOutage() throws Exception {
    JsonObject entry = new JsonObject().put("type", "influxdb").put("name", "drill").put("url", vm.url());
    h.outage(new InfluxDbProvider(), entry, vm, "outage_total", 20, 250, () -> {
      Map<Map<String, String>, List<RawSample>> e = exportNow("{__name__=\"outage_total\"}");
      return e == null ? -1 : e.values().stream().mapToInt(List::size).sum();
    });
    double sum = api.export("{__name__=\"outage_total\"}").values().stream().flatMap(List::stream)
        .mapToDouble(RawSample::value).sum();
    assertThat(sum).isEqualTo(250 * 210.0);
  }
}
