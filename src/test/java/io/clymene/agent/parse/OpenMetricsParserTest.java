package io.clymene.agent.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenMetrics 1.0 as Prometheus 2.42 reads it. */
class OpenMetricsParserTest {

  private static List<String> parse(String body) throws ParseException {
    return TextParserTest.parse(new OpenMetricsParser(), body);
  }

  @Test
  void parsesFamiliesTimestampsExemplarsAndCreated() throws Exception {
    String body = """
        # HELP a_seconds help text \\"quoted\\"
        # TYPE a_seconds counter
        # UNIT a_seconds seconds
        a_seconds_total{path="/x"} 12.5 1520879607.789 # {trace_id="abc"} 0.5 1520879607.5
        a_seconds_created{path="/x"} 1520000000
        a_seconds_total{path="/y"} 3 # {} 1
        # TYPE b info
        b_info{version="1"} 1
        # TYPE c stateset
        c{c="x"} 1
        d 1.005
        e -Inf -1
        # EOF
        """;
    assertThat(parse(body)).containsExactly(
        "a_seconds_total{path=/x} 12.5 @1520879607789",
        "a_seconds_created{path=/x} 1.52E9",
        "a_seconds_total{path=/y} 3.0",
        "b_info{version=1} 1.0",
        "c{c=x} 1.0",
        "d{} 1.005",
        "e{} -Infinity @-1000");
    assertThat(parse("x 1 1.005\n# EOF")).containsExactly("x{} 1.0 @1004");
  }

  @Test
  void strictnessThatDiffersFromTheTextFormat() {
    assertThatThrownBy(() -> parse("a 1\n")).hasMessageContaining("data does not end with # EOF");
    assertThatThrownBy(() -> parse("")).hasMessageContaining("data does not end with # EOF");
    assertThatThrownBy(() -> parse("a 1\n# EOF\nb 2\n")).hasMessageContaining("unexpected data after # EOF");
    assertThatThrownBy(() -> parse("a 1\n# EOF\n\n")).hasMessageContaining("unexpected data after # EOF");
    assertThatThrownBy(() -> parse("a 1\n\nb 2\n# EOF\n")).hasMessageContaining("line 2");
    assertThatThrownBy(() -> parse("# a comment\n# EOF\n")).hasMessageContaining("invalid comment");
    assertThatThrownBy(() -> parse("a  1\n# EOF\n")).hasMessageContaining("expected a value");
    assertThatThrownBy(() -> parse(" a 1\n# EOF\n")).hasMessageContaining("expected a metric name");
    assertThatThrownBy(() -> parse("a{b=\"c\",} 1\n# EOF\n")).hasMessageContaining("expected a label name");
    assertThatThrownBy(() -> parse("a{b=\"c\" d=\"e\"} 1\n# EOF\n")).hasMessageContaining("expected a comma");
    assertThatThrownBy(() -> parse("a{b=\"x\ny\"} 1\n# EOF\n")).hasMessageContaining("expected a quoted label value");
    assertThatThrownBy(() -> parse("# TYPE a untyped\n# EOF\n")).hasMessageContaining("invalid metric type");
    assertThatThrownBy(() -> parse("# TYPE a\n# EOF\n")).hasMessageContaining("expected text in TYPE");
    assertThatThrownBy(() -> parse("# UNIT a_bytes seconds\n# EOF\n")).hasMessageContaining("unit not a suffix");
    assertThatThrownBy(() -> parse("a 1 # {x=\"y\"} 1\n# EOF\n")).hasMessageContaining("does not support exemplars");
    assertThatThrownBy(() -> parse("a_total 1 NaN\n# EOF\n")).hasMessageContaining("invalid timestamp");
    assertThatThrownBy(() -> parse("a 1 2 3\n# EOF\n")).hasMessageContaining("expected a timestamp or # symbol");
  }
}
