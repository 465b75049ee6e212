package io.clymene.agent.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.agent.parse.ParseException;
import io.clymene.model.MetricMetadata;
import io.clymene.model.MetricMetadata.Type;
import io.clymene.model.SeriesBatch;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A target's metadata rides on its batch once a minute: the first scrape, then every 60 s. */
class ScrapeMetadataTest {
  private static final String BODY = "# HELP req_total Requests \\\\ served.\n"
      + "# TYPE req_total counter\n"
      + "req_total{code=\"200\"} 3\n"
      + "# HELP temp Only help.\n"
      + "temp 21\n"
      + "# TYPE up_ish gauge\n"
      + "up_ish 1\n"
      + "no_metadata 2\n";

  private static ScrapeParser parser(String extra) {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load(
        "scrape_configs:\n  - job_name: j\n    static_configs: [{targets: ['h:1']}]\n" + extra);
    PrometheusConfig c = PrometheusConfigLoader.parse("p.yml", new JsonObject(map));
    return new ScrapeParser(TargetBuilder.staticTargets(c.scrapeConfigs().get(0)).get(0), c.externalLabels());
  }

  private static SeriesBatch parse(ScrapeParser p, String body, String contentType, long time)
      throws ParseException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return p.parse(b, 0, b.length, contentType, time);
  }

  private static SeriesBatch parse(ScrapeParser p, long time) throws ParseException {
    return parse(p, BODY, "text/plain; version=0.0.4", time);
  }

  @Test
  void firstScrapeCarriesMetadataThenOnlyEveryMinute() throws Exception {
    ScrapeParser p = parser("");
    SeriesBatch first = parse(p, 1_000);
    assertThat(first.metadata()).containsExactly(
        new MetricMetadata("req_total", Type.COUNTER, "Requests \\ served.", ""),
        new MetricMetadata("temp", Type.UNKNOWN, "Only help.", ""),
        new MetricMetadata("up_ish", Type.GAUGE, "", ""));
    assertThat(first.slice(0, 1).metadata()).isSameAs(first.metadata());
    assertThat(first.select(new int[]{1}).metadata()).isSameAs(first.metadata());
    for (long t = 16_000; t < 61_000; t += 15_000) {
      assertThat(parse(p, t).metadata()).as("scrape at %d", t).isEmpty();
    }
    assertThat(parse(p, 61_000).metadata()).hasSize(3);
    assertThat(parse(p, 76_000).metadata()).isEmpty();
  }

  @Test
  void aFailedScrapeLeavesTheCollectionDue() throws Exception {
    ScrapeParser p = parser("");
    assertThat(parse(p, 1_000).metadata()).hasSize(3);
    try {
      parse(p, "# TYPE x gauge\nx{ 1\n", "text/plain", 61_000);
    } catch (ParseException expected) {
      // the body is invalid: no batch, no metadata
    }
    assertThat(p.failed(61_000).metadata()).isEmpty();
    assertThat(parse(p, 76_000).metadata()).hasSize(3);
  }

  @Test
  void openMetricsTypesAndUnitsAndRelabeledSeriesKeepTheExposedFamily() throws Exception {
    ScrapeParser p = parser("    metric_relabel_configs: [{source_labels: [__name__], regex: 'lat_seconds.*', "
        + "target_label: __name__, replacement: renamed}]\n");
    SeriesBatch b = parse(p, "# TYPE lat_seconds histogram\n# UNIT lat_seconds seconds\n"
        + "# HELP lat_seconds Latency.\nlat_seconds_bucket{le=\"+Inf\"} 1\nlat_seconds_count 1\nlat_seconds_sum 2\n"
        + "# TYPE st stateset\nst{st=\"a\"} 1\n# TYPE i info\ni_info{v=\"1\"} 1\n# TYPE u unknown\nu 1\n# EOF\n",
        "application/openmetrics-text; version=1.0.0", 1_000);
    assertThat(b.metadata()).containsExactly(
        new MetricMetadata("lat_seconds", Type.HISTOGRAM, "Latency.", "seconds"),
        new MetricMetadata("st", Type.STATESET, "", ""),
        new MetricMetadata("i", Type.INFO, "", ""),
        new MetricMetadata("u", Type.UNKNOWN, "", ""));
    assertThat(b.metricName(0)).isEqualTo("renamed");
  }
}
