package io.clymene.transport.kafka;

import static io.clymene.transport.kafka.TestBatches.assertSameBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.clymene.codec.json.GoJsonWriter;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.proto.prometheus.Remote;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code json} encoding. The expected texts are written by hand from what gogo {@code jsonpb.Marshaler{}}
 * (the Go Clymene's {@code plugin/storage/kafka/marshaller.go}) does with {@code prompb.WriteRequest}: fields
 * in proto order, zero values left out, int64 as a string, non-finite floats as strings, Go string escapes.
 */
class JsonRecordTest {
  private final KafkaRecordEncoder encoder = new KafkaRecordEncoder(KafkaEncoding.JSON);
  private final KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.JSON, 1 << 20);

  private static final String GO_MIXED = "{\"timeseries\":["
      + "{\"labels\":[{\"name\":\"__name__\",\"value\":\"up\"},{\"name\":\"instance\",\"value\":\"h:9100\"},"
      + "{\"name\":\"job\",\"value\":\"node\"}],"
      + "\"samples\":[{\"value\":1,\"timestamp\":\"1700000000000\"},{\"value\":\"NaN\","
      + "\"timestamp\":\"1700000015000\"}]},"
      + "{\"labels\":[{\"name\":\"__name__\",\"value\":\"temp_\u00e9\"},"
      + "{\"name\":\"room\",\"value\":\"k\u00fcche \\\"1\\\" \\u003c\\u0026\\u003e \\u2028 \uD83D\uDE00\"}],"
      + "\"samples\":[{\"value\":-2.5,\"timestamp\":\"-5\"},"
      + "{\"value\":\"Infinity\",\"timestamp\":\"9223372036854775807\"},"
      + "{\"value\":\"-Infinity\",\"timestamp\":\"-9223372036854775808\"},"
      + "{\"value\":\"NaN\",\"timestamp\":\"42\"},"
      + "{\"value\":0.30000000000000004,\"timestamp\":\"7\"},"
      + "{\"value\":5e-324,\"timestamp\":\"8\"},"
      + "{\"value\":1.7976931348623157e+308,\"timestamp\":\"9\"},"
      + "{\"value\":1e-7,\"timestamp\":\"10\"},"
      + "{\"value\":123456789,\"timestamp\":\"11\"}]}]}";

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void encodesExactlyWhatGoJsonpbWrites() {
    assertThat(text(encoder.encode(TestBatches.mixed()))).isEqualTo(GO_MIXED);
  }

  @Test
  void leavesOutZeroFieldsAsJsonpbDoes() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "z").sample(0, 0.0).sample(0, -0.0).sample(1, 0.0).sample(0, 2);
    b.endSeries();

    assertThat(text(encoder.encode(b.build()))).isEqualTo("{\"timeseries\":[{\"labels\":[{\"name\":"
        + "\"__name__\","
        + "\"value\":\"z\"}],\"samples\":[{},{},{\"timestamp\":\"1\"},{\"value\":2}]}]}");
    assertThat(text(encoder.encode(List.of()))).isEqualTo("{}");
    assertThat(text(encoder.encode(SeriesBatch.EMPTY))).isEqualTo("{}");
  }

  @Test
  void escapesControlCharactersAsGo() {
    SeriesBatch batch = TestBatches.one(1, 1, "__name__", "m", "a", "\t\n\r\u0001\u001f\u007f\\/\u2029");

    assertThat(text(encoder.encode(batch)))
        .contains("{\"name\":\"a\",\"value\":\"\\t\\n\\r\\u0001\\u001f\u007f\\\\/\\u2029\"}");
  }

  @Test
  void invalidUtf8InLabelsBecomesReplacementCharactersAsInGo() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    byte[] name = bytes("__name__");
    byte[] value = {'a', (byte) 0xff, (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'b'}; // 0xff, then a surrogate
    b.beginSeries().label(name, 0, name.length, value, 0, value.length).sample(1, 1);
    b.endSeries();

    assertThat(text(encoder.encode(b.build()))).contains("\"value\":\"a\\ufffd\\ufffd\\ufffd\\ufffdb\"");
  }

  @ParameterizedTest
  @CsvSource({
      "1.0, 1", "0.5, 0.5", "-2.5, -2.5", "100, 100", "1e20, 100000000000000000000", "1e21, 1e+21",
      "1.5e21, 1.5e+21", "1e23, 1e+23", "0.000001, 0.000001", "1e-7, 1e-7", "1.2345e-7, 1.2345e-7",
      "1e-10, 1e-10", "123.456, 123.456", "0.00001, 0.00001", "-0.0, -0", "9007199254740993, "
          + "9007199254740992",
      // Java 17's Double.toString prints 2.82879384806159008E17 here; Go and we print the shortest digits
      "2.82879384806159E17, 282879384806159000", "1.0E-5, 0.00001", "5e-324, 5e-324",
      "4.35, 4.35", "0.1, 0.1", "1234567.125, 1234567.125"})
  void formatsFloatsAsGoEncodingJson(double v, String go) {
    assertThat(GoJsonWriter.formatGoFloat(v)).isEqualTo(go);
  }

  @Test
  void decodesGoJsonpbOutput() throws Exception {
    SeriesBatch got = decoder.decode(bytes(GO_MIXED));

    SeriesBatch want = TestBatches.mixed();
    assertThat(got.size()).isEqualTo(2);
    assertThat(TestBatches.labels(got, 1)).isEqualTo(TestBatches.labels(want, 1));
    // JSON has one NaN: the stale marker comes back as an ordinary NaN (Go's jsonpb does the same)
    assertThat(Double.isNaN(got.value(1))).isTrue();
    assertThat(StaleMarkers.isStale(got.value(1))).isFalse();
    for (int s = 0; s < want.sampleCount(); s++) {
      assertThat(got.timestamp(s)).isEqualTo(want.timestamp(s));
      if (s != 1) {
        assertThat(Double.doubleToRawLongBits(got.value(s)))
            .isEqualTo(Double.doubleToRawLongBits(want.value(s)));
      }
    }
  }

  @Test
  void roundTripsExceptStaleMarkersAndNegativeZero() throws Exception {
    SeriesBatch batch = TestBatches.mixed();

    SeriesBatch got = decoder.decode(encoder.encode(batch));

    assertThat(text(encoder.encode(got))).isEqualTo(GO_MIXED);
    SeriesBatch plain =
        TestBatches.one(1_700_000_000_000L, 42.5, "__name__", "x_\u4e2d", "job", "\u00fc\u00df");
    assertSameBatch(decoder.decode(encoder.encode(plain)), plain);
  }

  @Test
  void protobufJavasJsonFormatReadsOursAsTheSameWriteRequest() throws Exception {
    // an independent implementation of the proto3 JSON mapping (jsonpb's spec) agrees on the content
    SeriesBatch batch = TestBatches.mixed();
    Remote.WriteRequest.Builder parsed = Remote.WriteRequest.newBuilder();

    JsonFormat.parser().merge(text(encoder.encode(batch)), parsed);

    // generated equals() compares doubles by doubleToLongBits, so any NaN equals the stale marker
    assertThat(parsed.build())
        .isEqualTo(Remote.WriteRequest.parseFrom(new RemoteWriteEncoder().encode(List.of(batch))));
  }

  @Test
  void readsProtobufJavasJsonFormatOutput() throws Exception {
    SeriesBatch batch = TestBatches.mixed();
    Remote.WriteRequest request =
        Remote.WriteRequest.parseFrom(new RemoteWriteEncoder().encode(List.of(batch)));

    SeriesBatch got = decoder.decode(bytes(JsonFormat.printer().print(request)));

    assertThat(text(encoder.encode(got))).isEqualTo(GO_MIXED);
  }

  @Test
  void acceptsWhatJsonpbUnmarshalAccepts() throws Exception {
    String pretty = """
        {
          "timeseries": [ null, {
            "samples": [ {"timestamp": 1700000000000, "value": "1.5"}, {"value": "Infinity"}, null ],
            "labels": [ {"value": "up", "name": "__name__"}, {"name": "empty", "value": null},
                        {"name": "job", "value": "a\\u00e9\\ud83d\\ude00\\/"} ]
          }, {"labels": [{"name": "__name__", "value": "no_samples"}]} ]
        }
        """;

    SeriesBatch got = decoder.decode(bytes(pretty));

    assertThat(got.size()).isEqualTo(1);
    assertThat(TestBatches.labels(got, 0)).containsExactly("__name__=up", "job=a\u00e9\uD83D\uDE00/");
    assertThat(got.timestamp(0)).isEqualTo(1_700_000_000_000L);
    assertThat(got.value(0)).isEqualTo(1.5);
    assertThat(got.value(1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(got.timestamp(2)).isZero();
    assertThat(got.value(2)).isZero();
    assertThat(decoder.decode(bytes("{}")).size()).isZero();
    assertThat(decoder.decode(bytes("{\"timeseries\":null}")).size()).isZero();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // input | offset | path | problem
      "''| 0 | $ | expected a JSON object (a WriteRequest), got end of input",
      "[]| 0 | $ | expected a JSON object (a WriteRequest), got an array",
      "{\"timeseries\":[| 15 | $.timeseries[0] | expected a TimeSeries object, got end of input",
      "{}x| 2 | $ | unexpected character 'x' after the WriteRequest",
      "{\"timeseries\":[]]| 16 | $.timeseries | expected ',' or '}', got character ']'",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"up\"}],"
          + "\"samples\":[{\"value\":1,\"timestamp\":1.5}]}]}"
          + "| 94 | $.timeseries[0].samples[0].timestamp | expected an integer, got 1.5",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"up\"}],"
          + "\"samples\":[{\"value\":\"abc\"}]}]}"
          + "| 80 | $.timeseries[0].samples[0].value | expected a number or \"NaN\", \"Infinity\" or "
          + "\"-Infinity\", got \"abc\"",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"up\"}],"
          + "\"samples\":[{\"value\":1e400}]}]}"
          + "| 80 | $.timeseries[0].samples[0].value | number 1e400 is out of the range of a double",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"up\"}],"
          + "\"samples\":[{\"value\":true}]}]}"
          + "| 80 | $.timeseries[0].samples[0].value | expected a number, got a boolean",
      "{\"timeseries\":[{\"labels\":{\"name\":\"__name__\"}}]}| 25 | $.timeseries[0].labels | "
          + "expected an array of Label, got an object",
      "{\"timeseries\":[{\"labels\":[{\"name\":5}]}]}| 34 | $.timeseries[0].labels[0].name | "
          + "expected a string, got a number",
      "{\"timeseries\":[{\"exemplars\":[]}]}| 16 | $.timeseries[0].exemplars | unknown field "
          + "\"exemplars\" in TimeSeries (expected \"labels\" or \"samples\")",
      "{\"__name__\":\"up\",\"timestamp\":1,\"value\":1.0}| 1 | $.__name__ | unknown field "
          + "\"__name__\" in WriteRequest (expected \"timeseries\")",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"job\",\"value\":\"x\"}],\"samples\":[{\"value\":1}]}]}"
          + "| 15 | $.timeseries[0] | missing __name__ in series {job=\"x\"}",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"__name__\",\"value\":\"a\"},{\"name\":\"__name__\","
          + "\"value\":\"b\"}],\"samples\":[{}]}]}"
          + "| 15 | $.timeseries[0] | duplicate label name \"__name__\" in series {__name__=\"a\", "
          + "__name__=\"b\"}",
      "{\"timeseries\":[{\"labels\":[{\"value\":\"x\"}],\"samples\":[{}]}]}| 26 | "
          + "$.timeseries[0].labels[0] | empty label name (value \"x\")",
      "{\"timeseries\":[{\"labels\":[],\"labels\":[]}]}| 28 | $.timeseries[0].labels | duplicate "
          + "field \"labels\"",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"a\\x\"}]}]}| 36 | $.timeseries[0].labels[0].name | "
          + "invalid escape \\x in string",
      "{\"timeseries\":[{\"labels\":[{\"name\":\"a| 34 | $.timeseries[0].labels[0].name | "
          + "unterminated string",
      "{\"timeseries\":[{\"samples\":[{\"timestamp\":\"99999999999999999999\"}]}]}| 40 | "
          + "$.timeseries[0].samples[0].timestamp | integer 99999999999999999999 is out of the range "
          + "of an int64",
      "{\"timeseries\":[{\"samples\":[{\"value\":NaN}]}]}| 36 | $.timeseries[0].samples[0].value | "
          + "unexpected character 'N'",
      "{\"timeseries\":[{\"samples\":[{\"value\":01}]}]}| 37 | $.timeseries[0].samples[0].value | "
          + "expected ',' or '}', got a number",
  })
  void badInputIsATypedErrorSayingWhereAndWhat(String input, long offset, String path, String problem) {
    assertThatThrownBy(() -> decoder.decode(bytes(input)))
        .isInstanceOfSatisfying(RecordDecodeException.class, e -> {
          assertThat(e.getMessage())
              .isEqualTo("bad json record at byte " + offset + " (" + path + "): " + problem);
          assertThat(e.encoding()).isEqualTo(KafkaEncoding.JSON);
          assertThat(e.offset()).isEqualTo(offset);
          assertThat(e.path()).isEqualTo(path);
        });
  }

  @ParameterizedTest
  @CsvSource({"0, true", "-0, true", "12, true", "1.5e-3, true", "1E+9, true", "01, false", "1., false",
      ".5, false", "-, false", "1e, false", "+1, false", "0x1, false", "' 1', false", "'', false"})
  void recognisesJsonNumbersInStrings(String s, boolean number) {
    assertThat(JsonReader.isNumber(s)).isEqualTo(number);
  }

  @Test
  void invalidUtf8AndRawControlCharactersAreRejected() {
    byte[] bad = bytes("{\"timeseries\":[{\"labels\":[{\"name\":\"a?\"}]}]}");
    bad[37] = (byte) 0xc0;
    assertThatThrownBy(() -> decoder.decode(bad)).isInstanceOf(RecordDecodeException.class)
        .hasMessage("bad json record at byte 37 ($.timeseries[0].labels[0].name): invalid UTF-8 in string");
    assertThatThrownBy(() -> decoder.decode(bytes("{\"timeseries\":[{\"labels\":[{\"name\":\"a\n\"}]}]}")))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageEndingWith("control character 0x0a in string (must be escaped)");
  }

  @Test
  void oversizedValueIsATypedError() {
    KafkaRecordDecoder small = new KafkaRecordDecoder(KafkaEncoding.JSON, 8);
    assertThatThrownBy(() -> small.decode(bytes(GO_MIXED))).isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("exceeds the limit of 8 bytes");
  }
}
