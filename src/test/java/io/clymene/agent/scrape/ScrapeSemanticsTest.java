package io.clymene.agent.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.agent.config.PrometheusConfig;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.agent.parse.ParseException;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Prometheus 2.42's scrape semantics on bodies, without HTTP (see notes in the scrape package). */
class ScrapeSemanticsTest {

  private static ScrapeParser parser(String jobYaml, String externalLabels) {
    Map<String, Object> map = new Yaml(new SafeConstructor(new LoaderOptions())).load(
        "global: {external_labels: " + externalLabels + "}\nscrape_configs:\n" + jobYaml);
    PrometheusConfig c = PrometheusConfigLoader.parse("p.yml", new JsonObject(map));
    ScrapeTarget t = TargetBuilder.staticTargets(c.scrapeConfigs().get(0)).get(0);
    return new ScrapeParser(t, c.externalLabels());
  }

  private static ScrapeParser parser(String extra) {
    return parser("  - job_name: j\n    static_configs: [{targets: ['h:1'], labels: {foo: '2'}}]\n" + extra, "{}");
  }

  private static SeriesBatch parse(ScrapeParser p, String body, long time) throws ParseException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return p.parse(b, 0, b.length, "text/plain; version=0.0.4", time);
  }

  /** Each series as labels @ts=value, stale markers as STALE. */
  private static List<String> rows(SeriesBatch b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < b.size(); i++) {
      for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
        double v = b.value(s);
        out.add(b.labels(i) + "@" + b.timestamp(s) + "=" + (StaleMarkers.isStale(v) ? "STALE" : v));
      }
    }
    return out;
  }

  @Test
  void targetLabelsAndExportedConflicts() throws Exception {
    ScrapeParser p = parser("");
    assertThat(rows(parse(p, "m{foo=\"1\",a=\"x\"} 5\n", 1000))).containsExactly(
        "{__name__=\"m\", a=\"x\", exported_foo=\"1\", foo=\"2\", instance=\"h:1\", job=\"j\"}@1000=5.0");
    ScrapeParser honor = parser("    honor_labels: true\n");
    assertThat(rows(parse(honor, "m{foo=\"1\",job=\"mine\"} 5\n", 1000))).containsExactly(
        "{__name__=\"m\", foo=\"1\", instance=\"h:1\", job=\"mine\"}@1000=5.0");
    // exported_ again when exported_foo is taken by the exposition
    assertThat(rows(parse(parser(""), "m{foo=\"1\",exported_foo=\"3\"} 5\n", 1000))).containsExactly(
        "{__name__=\"m\", exported_exported_foo=\"1\", exported_foo=\"3\", foo=\"2\", instance=\"h:1\", job=\"j\"}"
            + "@1000=5.0");
  }

  @Test
  void externalLabelsFillOnlyMissingNames() throws Exception {
    ScrapeParser p = parser("  - job_name: j\n    static_configs: [{targets: ['h:1']}]\n", "{dc: eu, job: ext}");
    assertThat(rows(parse(p, "m{dc=\"own\"} 1\nn 2\n", 1000))).containsExactly(
        "{__name__=\"m\", dc=\"own\", instance=\"h:1\", job=\"j\"}@1000=1.0",
        "{__name__=\"n\", dc=\"eu\", instance=\"h:1\", job=\"j\"}@1000=2.0");
  }

  @Test
  void vanishedSeriesGetStaleMarkersOnceAndCountsFollowPrometheus() throws Exception {
    ScrapeParser p = parser("");
    parse(p, "a 1\nb 2\nc 3 123\n", 1000);
    assertThat(p.counts()).containsExactly(3, 3, 3);
    List<String> second = rows(parse(p, "a 1\n", 2000));
    // b vanished: stale at the scrape's time; c had its own timestamp: never tracked
    assertThat(second).containsExactly(
        "{__name__=\"a\", foo=\"2\", instance=\"h:1\", job=\"j\"}@2000=1.0",
        "{__name__=\"b\", foo=\"2\", instance=\"h:1\", job=\"j\"}@2000=STALE");
    assertThat(p.counts()).containsExactly(1, 1, 0);
    assertThat(rows(parse(p, "a 1\n", 3000))).hasSize(1);
    // b comes back: a new series again
    parse(p, "a 1\nb 5\n", 4000);
    assertThat(p.counts()).containsExactly(2, 2, 1);
  }

  @Test
  void aFailedScrapeMarksThePreviousSeriesStale() throws Exception {
    ScrapeParser p = parser("");
    parse(p, "a 1\nb 2\n", 1000);
    assertThat(rows(p.failed(2000))).containsExactly(
        "{__name__=\"a\", foo=\"2\", instance=\"h:1\", job=\"j\"}@2000=STALE",
        "{__name__=\"b\", foo=\"2\", instance=\"h:1\", job=\"j\"}@2000=STALE");
    assertThat(rows(p.failed(3000))).isEmpty();
  }

  @Test
  void aBodyFailingHalfWayKeepsTheSeriesBeforeTheBadLine() throws Exception {
    ScrapeParser p = parser("");
    parse(p, "a 1\nb 2\nc 3\n", 1000);
    assertThatThrownBy(() -> parse(p, "a 1\nbad line\nc 3\n", 2000)).isInstanceOf(ParseException.class)
        .hasMessageContaining("line 2");
    // Prometheus: a was tracked before the error, so only b and c become stale
    assertThat(rows(p.failed(2000))).containsExactlyInAnyOrder(
        "{__name__=\"b\", foo=\"2\", instance=\"h:1\", job=\"j\"}@2000=STALE",
        "{__name__=\"c\", foo=\"2\", instance=\"h:1\", job=\"j\"}@2000=STALE");
  }

  @Test
  void endOfRunMarksSeriesAndReportSeries() throws Exception {
    ScrapeParser p = parser("");
    parse(p, "a 1\n", 1000);
    List<String> rows = rows(p.endOfRun(9000));
    assertThat(rows).contains("{__name__=\"a\", foo=\"2\", instance=\"h:1\", job=\"j\"}@9000=STALE",
        "{__name__=\"up\", foo=\"2\", instance=\"h:1\", job=\"j\"}@9000=STALE",
        "{__name__=\"scrape_series_added\", foo=\"2\", instance=\"h:1\", job=\"j\"}@9000=STALE");
    assertThat(rows).hasSize(6);
  }

  @Test
  void duplicateLinesAreBothKeptAsInAgentMode() throws Exception {
    ScrapeParser p = parser("");
    assertThat(rows(parse(p, "a 1\na 2\n", 1000))).hasSize(2);
    assertThat(p.counts()).containsExactly(2, 2, 1);
  }

  @Test
  void metricRelabelingDropsAndRewrites() throws Exception {
    ScrapeParser p = parser("    metric_relabel_configs:\n"
        + "      - {source_labels: [__name__], regex: 'go_.*', action: drop}\n"
        + "      - {source_labels: [mode], target_label: mode, replacement: 'M-$1'}\n");
    assertThat(rows(parse(p, "go_x 1\nc{mode=\"idle\"} 2\n", 1000))).containsExactly(
        "{__name__=\"c\", foo=\"2\", instance=\"h:1\", job=\"j\", mode=\"M-idle\"}@1000=2.0");
    assertThat(p.counts()).containsExactly(2, 1, 1);
    // steady state: the cached outcome is reused
    assertThat(rows(parse(p, "go_x 1\nc{mode=\"idle\"} 3\n", 2000))).hasSize(1);
    ScrapeParser noName = parser("    metric_relabel_configs:\n      - {regex: __name__, action: labeldrop}\n");
    assertThatThrownBy(() -> parse(noName, "a 1\n", 1000)).hasMessageContaining("missing metric name");
  }

  @Test
  void limitsFailTheScrape() {
    assertThatThrownBy(() -> parse(parser("    sample_limit: 2\n"), "a 1\nb 2\nc 3\n", 1000))
        .hasMessageContaining("sample limit exceeded");
    assertThatThrownBy(() -> parse(parser("    label_limit: 4\n"), "a{x=\"1\",y=\"2\"} 1\n", 1000))
        .hasMessageContaining("label_limit exceeded (metric: a, number of labels: 6, limit: 4)");
    assertThatThrownBy(() -> parse(parser("    label_value_length_limit: 3\n"), "a{x=\"long\"} 1\n", 1000))
        .hasMessageContaining("label_value_length_limit exceeded");
    assertThatThrownBy(() -> parse(parser("    label_name_length_limit: 3\n"), "a{long=\"1\"} 1\n", 1000))
        .hasMessageContaining("label_name_length_limit exceeded");
    assertThatThrownBy(() -> parse(parser(""), "a{x=\"1\",x=\"2\"} 1\n", 1000))
        .hasMessageContaining("label name \"x\" is not unique");
    assertThatThrownBy(() -> parse(parser(""), "a{__name__=\"b\"} 1\n", 1000))
        .hasMessageContaining("label name \"__name__\" is not unique");
  }

  @Test
  void outOfOrderAndFarFutureSamplesAreDropped() throws Exception {
    ScrapeParser p = parser("");
    parse(p, "a 1 5000\n", 1000);
    assertThat(rows(parse(p, "a 2 4000\n", 2000))).isEmpty();
    long future = System.currentTimeMillis() + 3_600_000;
    assertThat(rows(parse(p, "b 1 " + future + "\n", 3000))).isEmpty();
    ScrapeParser noHonor = parser("    honor_timestamps: false\n");
    assertThat(rows(parse(noHonor, "a 1 5000\n", 7000))).singleElement().asString().endsWith("@7000=1.0");
  }
}
