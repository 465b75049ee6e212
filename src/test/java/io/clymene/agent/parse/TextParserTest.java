package io.clymene.agent.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The text format 0.0.4 as Prometheus 2.42 reads it (cases from its lexer and tests). */
class TextParserTest {

  /** One parsed sample as text: name{labels sorted} value [@ts] |series text|. */
  static List<String> parse(ExpositionParser parser, String body) throws ParseException {
    List<String> out = new ArrayList<>();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    parser.parse(bytes, 0, bytes.length, (buf, no, nl, labels, value, ts) -> {
      TreeMap<String, String> l = new TreeMap<>();
      for (int i = 0; i < labels.size(); i++) {
        l.put(labels.name(i), labels.value(i));
      }
      out.add(new String(buf, no, nl, StandardCharsets.UTF_8) + l + " " + value
          + (ts == SampleSink.NO_TIMESTAMP ? "" : " @" + ts));
      return null;
    });
    return out;
  }

  private static List<String> parse(String body) throws ParseException {
    return parse(new TextParser(), body);
  }

  @Test
  void parsesTheCommonShapes() throws Exception {
    String body = """
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000

        # a comment
        msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
        metric_without_timestamp_and_labels 12.47
        something_weird{problem="division by zero"} +Inf
        rpc_duration_seconds{quantile="0.5",} 4773
        nan_value NaN
        minus_inf -Inf
        spaced { a = "1" , b="2" } 5
        tabbed\t7
        untyped:recording:rule 1e-3""";
    assertThat(parse(body)).containsExactly(
        "http_requests_total{code=200, method=post} 1027.0 @1395066363000",
        "http_requests_total{code=400, method=post} 3.0 @1395066363000",
        "msdos_file_access_time_seconds{error=Cannot find file:\n\"FILE.TXT\", path=C:\\DIR\\FILE.TXT} 1.458255915E9",
        "metric_without_timestamp_and_labels{} 12.47",
        "something_weird{problem=division by zero} Infinity",
        "rpc_duration_seconds{quantile=0.5} 4773.0",
        "nan_value{} NaN",
        "minus_inf{} -Infinity",
        "spaced{a=1, b=2} 5.0",
        "tabbed{} 7.0",
        "untyped:recording:rule{} 0.001");
  }

  @Test
  void prometheusLeniencies() throws Exception {
    // commas between pairs are optional, the value may follow '}' or even the name directly
    assertThat(parse("m{a=\"1\" b=\"2\"} 1\n")).containsExactly("m{a=1, b=2} 1.0");
    assertThat(parse("m{a=\"1\"}2\n")).containsExactly("m{a=1} 2.0");
    assertThat(parse("a-1 2\n")).containsExactly("a{} -1.0 @2");
    // a raw newline inside a quoted value is part of the value
    assertThat(parse("m{a=\"x\ny\"} 1\nn 2\n")).containsExactly("m{a=x\ny} 1.0", "n{} 2.0");
    // a NUL at the start of a line ends the input
    assertThat(parse("a 1\n\0garbage\nb 2\n")).containsExactly("a{} 1.0");
    // indented comments and blank lines are fine; # EOF is just a comment here
    assertThat(parse("  # indented comment\n \t \n# EOF\nz 3\n")).containsExactly("z{} 3.0");
    // HELP or TYPE without a blank after the keyword is a comment
    assertThat(parse("# HELP\n#HELP x\n# TYPEfoo\nq 1")).containsExactly("q{} 1.0");
  }

  @Test
  void noTrailingNewlineAndEmptyBodyAreFine() throws Exception {
    assertThat(parse("a 1")).containsExactly("a{} 1.0");
    assertThat(parse("")).isEmpty();
    assertThat(parse("\n\n# only comments\n")).isEmpty();
  }

  @Test
  void unknownEscapesStayAsWrittenAndNaNHasGosBits() throws Exception {
    assertThat(parse("m{a=\"x\\ty\"} 1\n")).containsExactly("m{a=x\\ty} 1.0");
    byte[] b = "n NaN\n".getBytes(StandardCharsets.US_ASCII);
    double[] v = new double[1];
    new TextParser().parse(b, 0, b.length, (buf, no, nl, l, value, ts) -> {
      v[0] = value;
      return null;
    });
    assertThat(Double.doubleToRawLongBits(v[0])).isEqualTo(0x7ff8000000000001L);
  }

  @Test
  void invalidLinesNameTheLine() {
    assertThatThrownBy(() -> parse("ok 1\n<html><body>not metrics</body></html>\n"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("<html>");
    assertThatThrownBy(() -> parse("a{b=\"c\" 1\n")).hasMessageContaining("line 1: expected ',' or '}'");
    assertThatThrownBy(() -> parse("a{b=c} 1\n")).hasMessageContaining("expected a quoted label value");
    assertThatThrownBy(() -> parse("a{b='c'} 1\n")).hasMessageContaining("expected a quoted label value");
    assertThatThrownBy(() -> parse("a{b=\"c} 1\n")).hasMessageContaining("unterminated label value");
    assertThatThrownBy(() -> parse("a\n")).hasMessageContaining("expected a value");
    assertThatThrownBy(() -> parse("a one\n")).hasMessageContaining("invalid value \"one\"");
    assertThatThrownBy(() -> parse("a true\n")).hasMessageContaining("invalid value \"true\"");
    assertThatThrownBy(() -> parse("a 1 2 3\n")).hasMessageContaining("after the timestamp");
    assertThatThrownBy(() -> parse("a 1 12.5\n")).hasMessageContaining("after the timestamp");
    assertThatThrownBy(() -> parse("a 1 -3982045\n")).hasMessageContaining("expected a timestamp");
    assertThatThrownBy(() -> parse("# TYPE a countr\n")).hasMessageContaining("invalid metric type \"countr\"");
    assertThatThrownBy(() -> parse("# TYPE a  counter\n")).hasMessageContaining("invalid metric type \" counter\"");
    assertThatThrownBy(() -> parse("# TYPE a unknown\n")).hasMessageContaining("invalid metric type");
    assertThatThrownBy(() -> parse("a{1b=\"x\"} 1\n")).hasMessageContaining("expected a label name");
    assertThatThrownBy(() -> parse("a{,b=\"x\"} 1\n")).hasMessageContaining("expected a label name");
    assertThatThrownBy(() -> parse("a{b=\"x\",,c=\"y\"} 1\n")).hasMessageContaining("second comma");
    assertThatThrownBy(() -> parse("{a=\"b\"} 1\n")).hasMessageContaining("expected a metric name");
    assertThatThrownBy(() -> parse("a 1\r\n")).hasMessageContaining("invalid value");
    assertThatThrownBy(() -> parse("a 0x1p3\n")).hasMessageContaining("invalid value");
    assertThatThrownBy(() -> parse("a 1_000\n")).hasMessageContaining("invalid value");
    byte[] badUtf8 = "a{b=\"x\"} 1\nc{d=\"?\"} 1\n".getBytes(StandardCharsets.US_ASCII);
    badUtf8[16] = (byte) 0xff;
    assertThatThrownBy(() -> new TextParser().parse(badUtf8, 0, badUtf8.length, (buf, no, nl, l, v, ts) -> null))
        .hasMessageContaining("line 2: invalid UTF-8 label value");
    assertThatThrownBy(() -> parse("ok 1\n  indented 2\n")).hasMessageContaining("line 2: invalid metric name");
  }

  @Test
  void sinkProblemsFailTheBodyAtThatLine() {
    byte[] body = "a 1\nb 2\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new TextParser().parse(body, 0, body.length,
        (buf, no, nl, labels, v, ts) -> v == 2 ? "too many" : null))
        .hasMessageContaining("line 2: too many");
  }

  @Test
  void floatParserAgreesWithTheJdkOnDecimals() {
    java.util.Random r = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      double v = switch (i % 4) {
        case 0 -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
        case 1 -> r.nextInt(1_000_000);
        case 2 -> -r.nextLong() / 1000.0;
        default -> Double.longBitsToDouble(r.nextLong());
      };
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        continue;
      }
      String s = Double.toString(v);
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      assertThat(FloatParser.parse(b, 0, b.length)).as(s).isEqualTo(Double.parseDouble(s));
      String plain = new java.math.BigDecimal(v).round(new java.math.MathContext(17)).toPlainString();
      byte[] p = plain.getBytes(StandardCharsets.US_ASCII);
      assertThat(FloatParser.parse(p, 0, p.length)).as(plain).isEqualTo(Double.parseDouble(plain));
    }
    for (String s : new String[]{"1", "-0", "0.5", ".5", "5.", "1e3", "1E-3", "+12", "123456789012345678901234"}) {
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      assertThat(FloatParser.parse(b, 0, b.length)).as(s).isEqualTo(Double.parseDouble(s));
    }
    for (String s : new String[]{"inf", "+Inf", "INFINITY", "-infinity"}) {
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      assertThat(Double.isInfinite(FloatParser.parse(b, 0, b.length))).as(s).isTrue();
    }
    for (String s : new String[]{"", "-", ".", "e5", "1e", "1.0d", "0x1", "0x1p3", "abc", "1_000", "infin", "NaNx"}) {
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> FloatParser.parse(b, 0, b.length)).as(s).isInstanceOf(NumberFormatException.class);
    }
  }
}
