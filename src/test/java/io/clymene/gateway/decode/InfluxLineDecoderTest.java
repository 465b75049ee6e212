package io.clymene.gateway.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.gateway.decode.InfluxLineDecoder.Result;
import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InfluxLineDecoderTest {

  private static final long NOW = 1_700_000_000_000L;
  private final InfluxLineDecoder decoder = new InfluxLineDecoder();

  private Result decode(String body) throws InfluxParseException {
    return decoder.decode(body, InfluxPrecision.NANOSECONDS, NOW);
  }

  private List<String> series(String body) throws InfluxParseException {
    return render(decode(body).batch());
  }

  private List<String> series(String body, InfluxPrecision precision) throws InfluxParseException {
    return render(decoder.decode(body, precision, NOW).batch());
  }

  /** Each series as {@code {name="v",...} value @ts}, labels in the batch's (sorted) order. */
  private static List<String> render(SeriesBatch batch) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      StringBuilder sb = new StringBuilder("{");
      batch.forEachLabel(i, (buf, no, nl, vo, vl) -> {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(new String(buf, no, nl, StandardCharsets.UTF_8)).append("=\"")
            .append(new String(buf, vo, vl, StandardCharsets.UTF_8)).append('"');
      });
      sb.append('}');
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        sb.append(' ').append(batch.value(s)).append(" @").append(batch.timestamp(s));
      }
      out.add(sb.toString());
    }
    return out;
  }

  private void assertError(String body, String message) {
    assertThatThrownBy(() -> decode(body)).isInstanceOf(InfluxParseException.class).hasMessage(message);
  }

  // --- syntax ---

  @Test
  void fullLine() throws Exception {
    Result r = decode("cpu,host=a,region=eu usage=0.5,idle=99i 1700000000123456789");
    assertThat(render(r.batch())).containsExactly(
        "{__name__=\"cpu_usage\",host=\"a\",region=\"eu\"} 0.5 @1700000000123",
        "{__name__=\"cpu_idle\",host=\"a\",region=\"eu\"} 99.0 @1700000000123");
    assertThat(r.lines()).isEqualTo(1);
    assertThat(r.skippedStringFields()).isZero();
    assertThat(r.batch().sampleCount()).isEqualTo(2);
  }

  @Test
  void tagsAreSortedAndMeasurementWithoutTags() throws Exception {
    assertThat(series("m,z=1,a=2 f=1 0")).containsExactly("{__name__=\"m_f\",a=\"2\",z=\"1\"} 1.0 @0");
    assertThat(series("m f=1 0")).containsExactly("{__name__=\"m_f\"} 1.0 @0");
  }

  @Test
  void valueFieldUsesMeasurementName() throws Exception {
    assertThat(series("temp,room=k value=21.5 0\ntemp value2=1 0")).containsExactly(
        "{__name__=\"temp\",room=\"k\"} 21.5 @0",
        "{__name__=\"temp_value2\"} 1.0 @0");
  }

  @Test
  void missingTimestampUsesReceiveTime() throws Exception {
    assertThat(series("m f=1")).containsExactly("{__name__=\"m_f\"} 1.0 @" + NOW);
    assertThat(series("m f=1   ")).containsExactly("{__name__=\"m_f\"} 1.0 @" + NOW);
  }

  @Test
  void emptyLinesCommentsCrlfAndBlanks() throws Exception {
    Result r = decode("\n# a comment\r\n   # indented comment\n  \t \nm a=1 0\r\n\r\n  m b=2   5000000  \n");
    assertThat(render(r.batch())).containsExactly("{__name__=\"m_a\"} 1.0 @0", "{__name__=\"m_b\"} 2.0 @5");
    assertThat(r.lines()).isEqualTo(2);
    assertThat(decode("").batch().isEmpty()).isTrue();
    assertThat(decode("\n\n#only\n").lines()).isZero();
  }

  @Test
  void severalLinesKeepOrder() throws Exception {
    assertThat(series("a x=1 0\nb x=2 0\na x=3 1000000")).containsExactly(
        "{__name__=\"a_x\"} 1.0 @0", "{__name__=\"b_x\"} 2.0 @0", "{__name__=\"a_x\"} 3.0 @1");
  }

  // --- escaping ---

  @Test
  void escapesInMeasurementTagsAndFieldKeys() throws Exception {
    assertThat(series("my\\ meas\\,ure,t\\ k\\=x=v\\ 1\\,2\\=3\\\\ f\\ k\\,\\=y=1 0")).containsExactly(
        "{__name__=\"my_meas_ure_f_k__y\",t_k_x=\"v 1,2=3\\\"} 1.0 @0");
  }

  @Test
  void unknownEscapeAndUnescapedEqualsInTagValueStayLiteral() throws Exception {
    assertThat(series("m,p=C:\\dir,e=a=b f=1 0")).containsExactly(
        "{__name__=\"m_f\",e=\"a=b\",p=\"C:\\dir\"} 1.0 @0");
    assertThat(series("m,p=x\\\\ f=1 0")).containsExactly("{__name__=\"m_f\",p=\"x\\\"} 1.0 @0");
  }

  @Test
  void quotedStringsAreSkippedAndCounted() throws Exception {
    Result r = decode("m s=\"a, b=c \\\" d\\\\\",x=1,t=\"\" 0\nm msg=\"only\" 0");
    assertThat(render(r.batch())).containsExactly("{__name__=\"m_x\"} 1.0 @0");
    assertThat(r.skippedStringFields()).isEqualTo(3);
    assertThat(r.lines()).isEqualTo(2);
  }

  // --- field values ---

  @Test
  void floatForms() throws Exception {
    assertThat(series("m a=1,b=-1.5,c=.5,d=1.,e=1e3,f=2E-2,g=-3.5e+1,h=0 0")).containsExactly(
        "{__name__=\"m_a\"} 1.0 @0", "{__name__=\"m_b\"} -1.5 @0", "{__name__=\"m_c\"} 0.5 @0",
        "{__name__=\"m_d\"} 1.0 @0", "{__name__=\"m_e\"} 1000.0 @0", "{__name__=\"m_f\"} 0.02 @0",
        "{__name__=\"m_g\"} -35.0 @0", "{__name__=\"m_h\"} 0.0 @0");
  }

  @Test
  void integersAndUnsigned() throws Exception {
    assertThat(series("m a=42i,b=-7i,c=9223372036854775807i,d=0u,e=18446744073709551615u 0")).containsExactly(
        "{__name__=\"m_a\"} 42.0 @0", "{__name__=\"m_b\"} -7.0 @0",
        "{__name__=\"m_c\"} 9.223372036854776E18 @0", "{__name__=\"m_d\"} 0.0 @0",
        "{__name__=\"m_e\"} 1.8446744073709552E19 @0");
  }

  @Test
  void booleans() throws Exception {
    assertThat(series("m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE 0")).containsExactly(
        "{__name__=\"m_a\"} 1.0 @0", "{__name__=\"m_b\"} 1.0 @0", "{__name__=\"m_c\"} 1.0 @0",
        "{__name__=\"m_d\"} 1.0 @0", "{__name__=\"m_e\"} 1.0 @0", "{__name__=\"m_f\"} 0.0 @0",
        "{__name__=\"m_g\"} 0.0 @0", "{__name__=\"m_h\"} 0.0 @0", "{__name__=\"m_i\"} 0.0 @0",
        "{__name__=\"m_j\"} 0.0 @0");
  }

  // --- precision ---

  @Test
  void precisions() throws Exception {
    assertThat(series("m value=1 1500", InfluxPrecision.SECONDS)).containsExactly("{__name__=\"m\"} 1.0 @1500000");
    assertThat(series("m value=1 1500", InfluxPrecision.MILLISECONDS)).containsExactly("{__name__=\"m\"} 1.0 @1500");
    assertThat(series("m value=1 1500999", InfluxPrecision.MICROSECONDS)).containsExactly("{__name__=\"m\"} 1.0 @1500");
    assertThat(series("m value=1 1500999999", InfluxPrecision.NANOSECONDS))
        .containsExactly("{__name__=\"m\"} 1.0 @1500");
    assertThat(series("m value=1 2", InfluxPrecision.MINUTES)).containsExactly("{__name__=\"m\"} 1.0 @120000");
    assertThat(series("m value=1 2", InfluxPrecision.HOURS)).containsExactly("{__name__=\"m\"} 1.0 @7200000");
    assertThat(series("m value=1 -1", InfluxPrecision.NANOSECONDS)).containsExactly("{__name__=\"m\"} 1.0 @-1");
    assertThat(series("m value=1", InfluxPrecision.HOURS)).containsExactly("{__name__=\"m\"} 1.0 @" + NOW);
  }

  @Test
  void precisionParameter() {
    assertThat(InfluxPrecision.fromParameter(null)).isEqualTo(InfluxPrecision.NANOSECONDS);
    assertThat(InfluxPrecision.fromParameter("")).isEqualTo(InfluxPrecision.NANOSECONDS);
    assertThat(InfluxPrecision.fromParameter("ns")).isEqualTo(InfluxPrecision.NANOSECONDS);
    assertThat(InfluxPrecision.fromParameter("n")).isEqualTo(InfluxPrecision.NANOSECONDS);
    assertThat(InfluxPrecision.fromParameter("us")).isEqualTo(InfluxPrecision.MICROSECONDS);
    assertThat(InfluxPrecision.fromParameter("u")).isEqualTo(InfluxPrecision.MICROSECONDS);
    assertThat(InfluxPrecision.fromParameter("ms")).isEqualTo(InfluxPrecision.MILLISECONDS);
    assertThat(InfluxPrecision.fromParameter("s")).isEqualTo(InfluxPrecision.SECONDS);
    assertThat(InfluxPrecision.fromParameter("m")).isEqualTo(InfluxPrecision.MINUTES);
    assertThat(InfluxPrecision.fromParameter("h")).isEqualTo(InfluxPrecision.HOURS);
    assertThatThrownBy(() -> InfluxPrecision.fromParameter("d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown precision \"d\": expected one of ns, us, ms, s, m, h");
  }

  // --- names ---

  @Test
  void namesAreSanitized() throws Exception {
    assertThat(series("disk.io,dev-name=sda,1st=x,héllo=y read-bytes=1,ops:total=2 0")).containsExactly(
        "{_1st=\"x\",__name__=\"disk_io_read_bytes\",dev_name=\"sda\",h_llo=\"y\"} 1.0 @0",
        "{_1st=\"x\",__name__=\"disk_io_ops:total\",dev_name=\"sda\",h_llo=\"y\"} 2.0 @0");
    assertThat(series("9m,a:b=c value=1 0")).containsExactly("{__name__=\"_9m\",a_b=\"c\"} 1.0 @0");
    assertThat(InfluxLineDecoder.sanitizeMetricName("a\uD83D\uDE00b")).isEqualTo("a_b");
    assertThat(InfluxLineDecoder.sanitizeLabelName("ok_Name1")).isEqualTo("ok_Name1");
  }

  @Test
  void tagValuesAreKeptAsTheyAre() throws Exception {
    assertThat(series("m,t=héllo\\ wörld,u=a.b-c f=1 0")).containsExactly(
        "{__name__=\"m_f\",t=\"héllo wörld\",u=\"a.b-c\"} 1.0 @0");
  }

  @Test
  void bytesAreUtf8() throws Exception {
    Result r = decoder.decode("m,t=é f=1 0".getBytes(StandardCharsets.UTF_8), InfluxPrecision.NANOSECONDS, NOW);
    assertThat(render(r.batch())).containsExactly("{__name__=\"m_f\",t=\"é\"} 1.0 @0");
  }

  // --- errors ---

  @Test
  void errorNamesLineColumnAndExcerpt() {
    InfluxParseException e = org.junit.jupiter.api.Assertions.assertThrows(InfluxParseException.class,
        () -> decode("m v=1 0\n\ncpu,host=a usage\nm v=2 0"));
    assertThat(e).hasMessage("line 3, column 17: expected '=' after field key: \"cpu,host=a usage\"");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(17);
    assertThat(e.reason()).isEqualTo("expected '=' after field key");
    assertThat(e.excerpt()).isEqualTo("cpu,host=a usage");
  }

  @Test
  void excerptIsCutAt100Characters() {
    String longTag = "x".repeat(150);
    InfluxParseException e = org.junit.jupiter.api.Assertions.assertThrows(InfluxParseException.class,
        () -> decode("m,t=" + longTag + " f=oops 0"));
    assertThat(e.excerpt()).hasSize(100).isEqualTo(("m,t=" + longTag).substring(0, 100));
    assertThat(e).hasMessage("line 1, column 158: invalid field value \"oops\": \"" + e.excerpt() + "\"");
  }

  @Test
  void syntaxErrors() {
    assertError("cpu", "line 1, column 4: missing fields: \"cpu\"");
    assertError("cpu,host=a", "line 1, column 11: missing fields: \"cpu,host=a\"");
    assertError("cpu ", "line 1, column 5: missing fields: \"cpu \"");
    assertError(",host=a v=1", "line 1, column 1: empty measurement: \",host=a v=1\"");
    assertError(" v=1", "line 1, column 5: missing fields: \" v=1\"");
    assertError("cpu,=a v=1", "line 1, column 5: empty tag key: \"cpu,=a v=1\"");
    assertError("cpu,host v=1", "line 1, column 9: expected '=' after tag key: \"cpu,host v=1\"");
    assertError("cpu,host= v=1", "line 1, column 10: empty tag value: \"cpu,host= v=1\"");
    assertError("cpu,host=a, v=1", "line 1, column 12: empty tag key: \"cpu,host=a, v=1\"");
    assertError("cpu =1", "line 1, column 5: empty field key: \"cpu =1\"");
    assertError("cpu v", "line 1, column 6: expected '=' after field key: \"cpu v\"");
    assertError("cpu v=", "line 1, column 7: missing field value: \"cpu v=\"");
    assertError("cpu v= 1", "line 1, column 7: missing field value: \"cpu v= 1\"");
    assertError("cpu v=1,", "line 1, column 9: empty field key: \"cpu v=1,\"");
    assertError("cpu v=1,,w=2", "line 1, column 9: empty field key: \"cpu v=1,,w=2\"");
    assertError("cpu v=1 123 456", "line 1, column 13: unexpected text after timestamp: \"cpu v=1 123 456\"");
  }

  @Test
  void badValues() {
    assertError("m v=abc", "line 1, column 5: invalid field value \"abc\": \"m v=abc\"");
    assertError("m v=1.2.3", "line 1, column 5: invalid field value \"1.2.3\": \"m v=1.2.3\"");
    assertError("m v=NaN", "line 1, column 5: invalid field value \"NaN\": \"m v=NaN\"");
    assertError("m v=+1", "line 1, column 5: invalid field value \"+1\": \"m v=+1\"");
    assertError("m v=1e", "line 1, column 5: invalid field value \"1e\": \"m v=1e\"");
    assertError("m v=.", "line 1, column 5: invalid field value \".\": \"m v=.\"");
    assertError("m v=0x10", "line 1, column 5: invalid field value \"0x10\": \"m v=0x10\"");
    assertError("m v=1d", "line 1, column 5: invalid field value \"1d\": \"m v=1d\"");
    assertError("m v=yes", "line 1, column 5: invalid field value \"yes\": \"m v=yes\"");
    assertError("m v=tRUE", "line 1, column 5: invalid field value \"tRUE\": \"m v=tRUE\"");
    assertError("m v=1e999", "line 1, column 5: float field value out of range \"1e999\": \"m v=1e999\"");
    assertError("m v=1.5i", "line 1, column 5: invalid integer field value \"1.5i\": \"m v=1.5i\"");
    assertError("m v=i", "line 1, column 5: invalid field value \"i\": \"m v=i\"");
    assertError("m v=-i", "line 1, column 5: invalid integer field value \"-i\": \"m v=-i\"");
    assertError("m v=9223372036854775808i",
        "line 1, column 5: integer field value out of range \"9223372036854775808i\": \"m v=9223372036854775808i\"");
    assertError("m v=-1u", "line 1, column 5: invalid unsigned field value \"-1u\": \"m v=-1u\"");
    assertError("m v=18446744073709551616u",
        "line 1, column 5: unsigned field value out of range \"18446744073709551616u\": \"m v=18446744073709551616u\"");
  }

  @Test
  void badStrings() {
    assertError("m s=\"abc", "line 1, column 5: unterminated string field value: \"m s=\"abc\"");
    assertError("m s=\"a\\\"", "line 1, column 5: unterminated string field value: \"m s=\"a\\\"\"");
    assertError("m s=\"a\"b", "line 1, column 8: expected ',' or ' ' after string field value: \"m s=\"a\"b\"");
    assertError("m s=\"a\nb\" 0", "line 1, column 5: unterminated string field value: \"m s=\"a\"");
  }

  @Test
  void badTimestamps() {
    assertError("m v=1 12a", "line 1, column 7: invalid timestamp \"12a\": \"m v=1 12a\"");
    assertError("m v=1 1.5", "line 1, column 7: invalid timestamp \"1.5\": \"m v=1 1.5\"");
    assertError("m v=1 -", "line 1, column 7: invalid timestamp \"-\": \"m v=1 -\"");
    assertError("m v=1 99999999999999999999",
        "line 1, column 7: timestamp out of range \"99999999999999999999\": \"m v=1 99999999999999999999\"");
    assertThatThrownBy(() -> decoder.decode("m v=1 9223372036854776", InfluxPrecision.SECONDS, NOW))
        .hasMessage("line 1, column 7: timestamp out of range \"9223372036854776\": \"m v=1 9223372036854776\"");
  }

  @Test
  void duplicateAndReservedTags() {
    assertError("m,a=1,a=2 v=1", "line 1, column 7: duplicate tag key \"a\": \"m,a=1,a=2 v=1\"");
    assertError("m,a.b=1,a-b=2 v=1", "line 1, column 9: duplicate tag key \"a_b\": \"m,a.b=1,a-b=2 v=1\"");
    assertError("m,__name__=x v=1", "line 1, column 3: tag key \"__name__\" is reserved: \"m,__name__=x v=1\"");
  }

  @Test
  void garbage() {
    assertError("hello world", "line 1, column 12: expected '=' after field key: \"hello world\"");
    assertError("{\"json\": true}", "line 1, column 15: expected '=' after field key: \"{\"json\": true}\"");
    assertError("\u0000\u0001\u0002", "line 1, column 4: missing fields: \"\u0000\u0001\u0002\"");
    assertError("=", "line 1, column 2: missing fields: \"=\"");
  }

  @Test
  void oneBadLineRejectsTheWholeBody() {
    assertThatThrownBy(() -> decode("good v=1 0\ngood v=2 0\n# c\n\nbad v=x 0\ngood v=3 0"))
        .isInstanceOf(InfluxParseException.class)
        .hasMessage("line 5, column 7: invalid field value \"x\": \"bad v=x 0\"")
        .satisfies(e -> assertThat(((InfluxParseException) e).line()).isEqualTo(5));
  }

  /** Unsigned values of 2^63 and above round to the nearest double (2^63 + 1025 is not 2^63). */
  @Test
  void unsignedValuesRoundToNearest() throws InfluxParseException {
    InfluxLineDecoder decoder = new InfluxLineDecoder();
    assertThat(decoder.decode("m value=9223372036854776833u 0", InfluxPrecision.SECONDS, 0).batch().value(0))
        .isEqualTo(9.223372036854777856e18);
    assertThat(decoder.decode("m value=18446744073709551615u 0", InfluxPrecision.SECONDS, 0).batch().value(0))
        .isEqualTo(0x1p64);
  }

  /** A line with thousands of tags is refused rather than costing quadratic time. */
  @Test
  void tooManyTagsAreRefused() {
    StringBuilder line = new StringBuilder("m");
    for (int i = 0; i <= InfluxLineDecoder.MAX_TAGS; i++) {
      line.append(",t").append(i).append("=v");
    }
    line.append(" value=1 0");
    assertThatThrownBy(() -> new InfluxLineDecoder().decode(line.toString(), InfluxPrecision.SECONDS, 0))
        .isInstanceOf(InfluxParseException.class).hasMessageContaining("more than 256 tags");
  }
}
