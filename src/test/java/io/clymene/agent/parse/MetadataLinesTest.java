package io.clymene.agent.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.MetricMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HELP, TYPE and UNIT lines passed to a sink that wants them, as Prometheus 2.42 reads them. */
class MetadataLinesTest {

  /** Records metadata lines as KIND name|text, and counts samples. */
  private static final class Recorder implements SampleSink {
    final boolean wants;
    final List<String> lines = new ArrayList<>();
    int samples;

    Recorder(boolean wants) {
      this.wants = wants;
    }

    @Override
    public boolean wantsMetadata() {
      return wants;
    }

    @Override
    public void metadata(MetadataKind kind, byte[] buf, int nameOff, int nameLen, byte[] textBuf, int textOff,
                         int textLen) {
      if (!wants) {
        throw new AssertionError("metadata passed to a sink that does not want it");
      }
      lines.add(kind + " " + new String(buf, nameOff, nameLen, StandardCharsets.UTF_8) + "|"
          + new String(textBuf, textOff, textLen, StandardCharsets.UTF_8));
    }

    @Override
    public String sample(byte[] buf, int nameOff, int nameLen, ParsedLabels labels, double value, long ts) {
      samples++;
      return null;
    }
  }

  private static Recorder parse(ExpositionParser parser, String body, boolean wants) throws ParseException {
    Recorder r = new Recorder(wants);
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    parser.parse(b, 0, b.length, r);
    return r;
  }

  @Test
  void textFormatPassesHelpAndTypeWithPrometheusUnescaping() throws Exception {
    // HELP text: only \\ and \n are escapes in the text format; \" and \t stay as written
    String body = "# HELP http_requests_total The total number of HTTP requests.\n"
        + "# TYPE http_requests_total counter\n"
        + "http_requests_total{code=\"200\"} 1027\n"
        + "# HELP esc A \\\\ backslash,\\n a newline, a \\\" quote, a \\t tab and a trailing \\\n"
        + "# TYPE u untyped\n"
        + "# TYPE g gauge\n"
        + "# TYPE h histogram\n"
        + "# TYPE s summary\n"
        + "# HELP empty\n"
        + "# an ordinary comment\n"
        + "#HELP not_metadata_without_a_blank text\n"
        + "g 1\n";
    Recorder r = parse(new TextParser(), body, true);
    assertThat(r.lines).containsExactly(
        "HELP http_requests_total|The total number of HTTP requests.",
        "TYPE http_requests_total|counter",
        "HELP esc|A \\ backslash,\n a newline, a \\\" quote, a \\t tab and a trailing \\",
        "TYPE u|untyped",
        "TYPE g|gauge",
        "TYPE h|histogram",
        "TYPE s|summary",
        "HELP empty|");
    assertThat(r.samples).isEqualTo(2);
  }

  @Test
  void openMetricsPassesHelpTypeAndUnitWithLabelValueUnescaping() throws Exception {
    String body = "# TYPE foo_seconds counter\n"
        + "# UNIT foo_seconds seconds\n"
        + "# HELP foo_seconds Time \\\"quoted\\\", a \\\\ and\\nnewline; \\t stays.\n"
        + "foo_seconds_total 1\n"
        + "# TYPE st stateset\n"
        + "# TYPE gh gaugehistogram\n"
        + "# TYPE i info\n"
        + "# TYPE u unknown\n"
        + "# HELP u \n"
        + "# EOF\n";
    Recorder r = parse(new OpenMetricsParser(), body, true);
    assertThat(r.lines).containsExactly(
        "TYPE foo_seconds|counter",
        "UNIT foo_seconds|seconds",
        "HELP foo_seconds|Time \"quoted\", a \\ and\nnewline; \\t stays.",
        "TYPE st|stateset",
        "TYPE gh|gaugehistogram",
        "TYPE i|info",
        "TYPE u|unknown",
        "HELP u|");
    assertThat(r.samples).isEqualTo(1);
  }

  @Test
  void sinksThatDoNotWantMetadataGetNone() throws Exception {
    // the recorder throws if called
    assertThat(parse(new TextParser(), "# HELP a x\n# TYPE a gauge\na 1\n", false).samples).isEqualTo(1);
    assertThat(parse(new OpenMetricsParser(), "# HELP a x\n# TYPE a gauge\n# UNIT a \na 1\n# EOF\n", false)
        .samples).isEqualTo(1);
  }

  @Test
  void typesMapAsPrometheusMapsThem() {
    for (String[] c : new String[][]{{"counter", "COUNTER"}, {"gauge", "GAUGE"}, {"histogram", "HISTOGRAM"},
        {"summary", "SUMMARY"}, {"untyped", "UNKNOWN"}, {"unknown", "UNKNOWN"}, {"gaugehistogram", "GAUGEHISTOGRAM"},
        {"info", "INFO"}, {"stateset", "STATESET"}}) {
      byte[] b = ("x" + c[0]).getBytes(StandardCharsets.US_ASCII);
      assertThat(MetadataKind.metricType(b, 1, b.length - 1)).as(c[0]).isEqualTo(MetricMetadata.Type.valueOf(c[1]));
    }
  }
}
