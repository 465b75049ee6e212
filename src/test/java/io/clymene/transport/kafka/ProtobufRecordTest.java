package io.clymene.transport.kafka;

import static io.clymene.transport.kafka.TestBatches.assertSameBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** The {@code protobuf} encoding: snappy block + remote-write 1.0, as the Go Clymene writes and reads. */
class ProtobufRecordTest {
  private final KafkaRecordEncoder encoder = new KafkaRecordEncoder(KafkaEncoding.PROTOBUF);
  private final KafkaRecordDecoder decoder = new KafkaRecordDecoder(KafkaEncoding.PROTOBUF, 1 << 20);

  /**
   * WriteRequest{timeseries: [{labels: [{name: "__name__", value: "up"}], samples: [{value: 1, timestamp:
   * 1000}]}]}, by hand; Go's gogo proto.Marshal writes the same bytes (all fields non-zero, in field order).
   */
  private static final String TINY_MESSAGE =
      "0a1e" // WriteRequest.timeseries (1, LEN) 30 bytes
          + "0a0e" + "0a08" + "5f5f6e616d655f5f" + "1202" + "7570" // labels: {name "__name__", value "up"}
          + "120c" + "09" + "000000000000f03f" + "10" + "e807"; // samples: Sample{value 1.0 (LE), ts 1000}

  @Test
  void encodesTheExactGoBytesOfATinyRequest() throws Exception {
    byte[] value = encoder.encode(TestBatches.one(1000, 1.0, "__name__", "up"));

    // snappy block format: varint uncompressed length 32, then one literal of 32 bytes (tag (32-1)<<2);
    // too short for either snappy to look for matches, so Go's snappy.Encode writes these bytes too
    assertThat(HexFormat.of().formatHex(value)).isEqualTo("20" + "7c" + TINY_MESSAGE);
    assertThat(HexFormat.of().formatHex(Snappy.uncompress(value))).isEqualTo(TINY_MESSAGE);
  }

  @Test
  void decodesTheTinyRequest() throws Exception {
    byte[] value = HexFormat.of().parseHex("207c" + TINY_MESSAGE);

    SeriesBatch got = decoder.decode(value);

    assertSameBatch(got, TestBatches.one(1000, 1.0, "__name__", "up"));
  }

  @Test
  void decodesGoRecordsThatLeaveOutZeroFields() throws Exception {
    // gogo writes proto3 scalars only when non-zero: {timestamp: 1000} with value 0, {value: 2} with ts 0
    String message = "0a22" + "0a0e0a085f5f6e616d655f5f12027570"
        + "1203" + "10e807"
        + "1209" + "090000000000000040"
        + "1200"; // a Sample with both fields 0: an empty message
    byte[] value = Snappy.compress(HexFormat.of().parseHex(message));

    SeriesBatch got = decoder.decode(value);

    assertThat(got.size()).isEqualTo(1);
    assertThat(got.sampleCount()).isEqualTo(3);
    assertThat(got.timestamp(0)).isEqualTo(1000);
    assertThat(got.value(0)).isEqualTo(0.0);
    assertThat(got.timestamp(1)).isZero();
    assertThat(got.value(1)).isEqualTo(2.0);
    assertThat(got.timestamp(2)).isZero();
  }

  @Test
  void decodesTheGoEncodingOfAnEmptyRequest() throws Exception {
    // proto.Marshal of an empty WriteRequest is no bytes; snappy.Encode of no bytes is one 0x00
    assertThat(decoder.decode(new byte[] {0}).size()).isZero();
    assertThat(encoder.encode(List.of())).containsExactly(0);
  }

  @Test
  void roundTripsKeepingStaleMarkerBitsInfinitiesAndUtf8() throws Exception {
    SeriesBatch batch = TestBatches.mixed();

    SeriesBatch got = decoder.decode(encoder.encode(List.of(batch, batch.slice(0, 1))));

    assertThat(got.size()).isEqualTo(3);
    assertSameBatch(got.slice(0, 2), batch);
    assertThat(StaleMarkers.isStale(got.value(1))).isTrue();
  }

  @Test
  void oneEncoderEncodesRecordsOfAnySizeInTurn() throws Exception {
    // the encoder keeps snappy's output buffer up to a bound: records larger and smaller than it, in turn
    KafkaRecordDecoder large = new KafkaRecordDecoder(KafkaEncoding.PROTOBUF, 64 << 20);
    int[] seriesCounts = {3, 40_000, 1, 2_000, 40_000, 5};
    for (int n : seriesCounts) {
      SeriesBatch.Builder b = new SeriesBatch.Builder();
      for (int i = 0; i < n; i++) {
        b.beginSeries().label("__name__", "m_" + i).label("job", "j").label("pad", "x".repeat(64) + i)
            .sample(1000L + i, i);
        b.endSeries();
      }
      SeriesBatch batch = b.build();

      byte[] value = encoder.encode(batch);

      assertThat(value).isEqualTo(new KafkaRecordEncoder(KafkaEncoding.PROTOBUF).encode(batch));
      assertSameBatch(large.decode(value), batch);
    }
    assertThat(Snappy.maxCompressedLength(40_000 * 100)).isGreaterThan(KafkaRecordEncoder.KEEP_BUFFER_BYTES);
  }

  @Test
  void truncatedSnappyIsATypedError() throws Exception {
    byte[] value = encoder.encode(TestBatches.mixed());
    byte[] cut = Arrays.copyOf(value, value.length / 2);

    assertThatThrownBy(() -> decoder.decode(cut))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageStartingWith("bad protobuf record: bad snappy")
        .satisfies(e -> assertThat(((RecordDecodeException) e).encoding()).isEqualTo(KafkaEncoding.PROTOBUF));
  }

  @Test
  void framedSnappyOrPlainProtobufIsRejected() {
    // a Go consumer reads block format only; the framing format's stream identifier is not a block
    byte[] framed = HexFormat.of().parseHex("ff060000734e61507059");
    assertThatThrownBy(() -> decoder.decode(framed)).isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("snappy");
  }

  @Test
  void malformedProtobufNamesTheProblemAndOffset() throws Exception {
    // timeseries field claiming 30 bytes of which 3 follow
    byte[] value = Snappy.compress(HexFormat.of().parseHex("0a1e0a0e0a"));

    assertThatThrownBy(() -> decoder.decode(value))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageStartingWith("bad protobuf record: ")
        .hasMessageContaining("byte");
  }

  @Test
  void invalidSeriesAreRejectedLikeTheGatewayDoes() throws Exception {
    // labels job then __name__: not sorted
    String series = "0a0b0a036a6f62120461706931" + "0a0e0a085f5f6e616d655f5f12027570" + "1203" + "10e807";
    byte[] value = Snappy.compress(HexFormat.of().parseHex("0a" + Integer.toHexString(series.length() / 2)
        + series));

    assertThatThrownBy(() -> decoder.decode(value))
        .isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("series 0")
        .hasMessageContaining("not sorted");
  }

  @Test
  void nullAndEmptyValuesAreTypedErrors() {
    assertThatThrownBy(() -> decoder.decode(null)).isInstanceOf(RecordDecodeException.class)
        .hasMessage("bad protobuf record: null record value (a tombstone?)");
    assertThatThrownBy(() -> decoder.decode(new byte[0])).isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void oversizedValueIsATypedError() throws Exception {
    KafkaRecordDecoder small = new KafkaRecordDecoder(KafkaEncoding.PROTOBUF, 16);
    byte[] value = encoder.encode(TestBatches.mixed());

    assertThatThrownBy(() -> small.decode(value)).isInstanceOf(RecordDecodeException.class)
        .hasMessageContaining("exceeds the limit of 16 bytes");
  }
}
