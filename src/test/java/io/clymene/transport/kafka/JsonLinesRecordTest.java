package io.clymene.transport.kafka;

import static io.clymene.transport.kafka.TestBatches.assertSameBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code json-lines} encoding: one flat object per sample per line. */
class JsonLinesRecordTest {
  private final KafkaRecordEncoder encoder = new KafkaRecordEncoder(KafkaEncoding.JSON_LINES);
  private final KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.JSON_LINES, 1 << 20);

  private static final String MIXED = ""
      + "{\"__name__\":\"up\",\"instance\":\"h:9100\",\"job\":\"node\",\"timestamp\":1700000000000,"
      + "\"value\":1.0}\n"
      + "{\"__name__\":\"up\",\"instance\":\"h:9100\",\"job\":\"node\",\"timestamp\":1700000015000,"
      + "\"value\":\"StaleNaN\"}\n"
      + series1(-5, "-2.5") + series1(Long.MAX_VALUE, "\"+Inf\"") + series1(Long.MIN_VALUE, "\"-Inf\"")
      + series1(42, "\"NaN\"") + series1(7, "0.30000000000000004") + series1(8, "5e-324")
      + series1(9, "1.7976931348623157e+308") + series1(10, "1e-7") + series1(11, "123456789.0");

  private static String series1(long ts, String value) {
    return "{\"__name__\":\"temp_\u00e9\","
        + "\"room\":\"k\u00fcche \\\"1\\\" \\u003c\\u0026\\u003e \\u2028 \uD83D\uDE00\","
        + "\"timestamp\":" + ts + ",\"value\":" + value + "}\n";
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void encodesOneObjectPerSamplePerLine() {
    assertThat(text(encoder.encode(TestBatches.mixed()))).isEqualTo(MIXED);
    assertThat(encoder.encode(List.of())).isEmpty();
  }

  @Test
  void roundTripsExactlyIncludingStaleMarkers() throws Exception {
    SeriesBatch batch = TestBatches.mixed();

    SeriesBatch got = decoder.decode(encoder.encode(batch));

    assertSameBatch(got, batch);
    assertThat(StaleMarkers.isStale(got.value(1))).isTrue();
  }

  @Test
  void labelsNamedLikeTheSampleFieldsArePrefixed() throws Exception {
    SeriesBatch batch = TestBatches.one(1, 2, "__name__", "m", "value", "v", "timestamp", "t", "label:x", "y",
        "labelx", "z");

    byte[] value = encoder.encode(batch);

    assertThat(text(value)).isEqualTo("{\"__name__\":\"m\",\"label:label:x\":\"y\",\"labelx\":\"z\","
        + "\"label:timestamp\":\"t\",\"label:value\":\"v\",\"timestamp\":1,\"value\":2.0}\n");
    assertSameBatch(decoder.decode(value), batch);
  }

  @Test
  void consecutiveObjectsOfOneSeriesBecomeOneSeries() throws Exception {
    String lines = """
        {"job":"a","__name__":"up","value":1,"timestamp":1}
        {"__name__":"up","job":"a","timestamp":2,"value":"2.5"}

        {"__name__":"up","job":"b","timestamp":3,"value":3,"empty":"","nothing":null}
        {"__name__":"up","job":"a","timestamp":4,"value":4.0}""";

    SeriesBatch got = decoder.decode(bytes(lines));

    assertThat(got.size()).isEqualTo(3);
    assertThat(TestBatches.labels(got, 0)).containsExactly("__name__=up", "job=a");
    assertThat(got.sampleEnd(0) - got.sampleStart(0)).isEqualTo(2);
    assertThat(got.value(1)).isEqualTo(2.5);
    assertThat(TestBatches.labels(got, 1)).containsExactly("__name__=up", "job=b");
    assertThat(got.timestamp(3)).isEqualTo(4);
  }

  @Test
  void readsTheGoClymenesFlattenForDruidRecords() throws Exception {
    // plugin/storage/kafka/marshaller.go jsonFlattenMarshaller: encoding/json of a map (keys sorted), the
    // timestamp a time.Time (RFC 3339, UTC), objects concatenated without separators
    String go = "{\"__name__\":\"up\",\"instance\":\"h:9100\",\"job\":\"node\","
        + "\"timestamp\":\"2023-11-14T22:13:20Z\","
        + "\"value\":1}{\"__name__\":\"up\",\"instance\":\"h:9100\",\"job\":\"node\","
        + "\"timestamp\":\"2023-11-14T22:13:35.5Z\",\"value\":0.5}";

    SeriesBatch got = decoder.decode(bytes(go));

    assertThat(got.size()).isEqualTo(1);
    assertThat(got.timestamp(0)).isEqualTo(1_700_000_000_000L);
    assertThat(got.timestamp(1)).isEqualTo(1_700_000_015_500L);
    assertThat(got.value(1)).isEqualTo(0.5);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // input | offset | path | problem
      "[1]| 0 | $[0] | expected a JSON object (one sample), got an array",
      "{\"__name__\":\"up\",\"value\":1}| 0 | $[0] | missing \"timestamp\" field",
      "{\"__name__\":\"up\",\"timestamp\":1}| 0 | $[0] | missing \"value\" field",
      "{\"__name__\":\"up\",\"timestamp\":1,\"value\":1} {\"job\":\"x\",\"timestamp\":1,\"value\":1}"
          + "| 42 | $[1] | missing \"__name__\" field",
      "{\"__name__\":\"up\",\"job\":7,\"timestamp\":1,\"value\":1}| 23 | $[0].job | expected a "
          + "string label value, got a number",
      "{\"__name__\":\"up\",\"job\":\"a\",\"label:job\":\"b\",\"timestamp\":1,\"value\":1}| 0 | $[0] "
          + "| duplicate label name \"job\"",
      "{\"__name__\":\"up\",\"timestamp\":\"yesterday\",\"value\":1}| 29 | $[0].timestamp | expected "
          + "Unix milliseconds or an RFC 3339 time, got \"yesterday\"",
      "{\"__name__\":\"up\",\"timestamp\":1.5,\"value\":1}| 29 | $[0].timestamp | expected an "
          + "integer, got 1.5",
      "{\"__name__\":\"up\",\"timestamp\":1,\"value\":null}| 39 | $[0].value | expected a number, got null",
      "{\"__name__\":\"up\",\"timestamp\":1,\"value\":\"Infinity\"}| 39 | $[0].value | expected a "
          + "number or \"NaN\", \"StaleNaN\", \"+Inf\" or \"-Inf\", got \"Infinity\"",
      "{\"__name__\":\"up\",\"timestamp\":1,\"timestamp\":2,\"value\":1}| 31 | $[0].timestamp | "
          + "duplicate field \"timestamp\"",
      "{\"__name__\":\"up\",\"timestamp\":1,\"value\":1} x| 42 | $[1] | expected a JSON object (one "
          + "sample), got character 'x'",
      "{\"__name__\":\"up\",\"timestamp\":1,\"value\":1| 40 | $[0].value | expected ',' or '}', got "
          + "end of input",
      "{\"\":\"x\",\"__name__\":\"up\",\"timestamp\":1,\"value\":1}| 1 | $[0]. | empty label name",
  })
  void badInputIsATypedErrorSayingWhereAndWhat(String input, long offset, String path, String problem) {
    assertThatThrownBy(() -> decoder.decode(bytes(input)))
        .isInstanceOfSatisfying(RecordDecodeException.class, e -> {
          assertThat(e.getMessage())
              .isEqualTo("bad json-lines record at byte " + offset + " (" + path + "): " + problem);
          assertThat(e.encoding()).isEqualTo(KafkaEncoding.JSON_LINES);
        });
  }

  @Test
  void aWriteRequestIsNotMistakenForLines() {
    byte[] json = new KafkaRecordEncoder(KafkaEncoding.JSON).encode(TestBatches.mixed());

    assertThatThrownBy(() -> decoder.decode(json)).isInstanceOf(RecordDecodeException.class)
        .hasMessage("bad json-lines record at byte 14 ($[0].timeseries): "
            + "expected a string label value, got an array");
  }
}
