package io.clymene.gateway.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.gateway.decode.DecodedWrite.Version;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.Types;
import io.clymene.proto.prometheus.v2.WriteV2;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import io.clymene.storage.prometheus.RemoteWriteV2Encoder;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Round trips through our encoders and protobuf-java, and every rejected input with status and message. */
class RemoteWriteDecoderTest {
  private static final String V1 = "application/x-protobuf";
  private static final String V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

  private final RemoteWriteDecoder decoder = new RemoteWriteDecoder(1 << 20);

  private static SeriesBatch sampleBatch() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("job", "api").label("__name__", "up").label("instance", "h:1")
        .sample(1_700_000_000_000L, 1).sample(1_700_000_015_000L, StaleMarkers.STALE_NAN);
    b.endSeries();
    b.beginSeries().label("__name__", "temp_\u00e9").label("room", "k\u00fcche \"1\"")
        .sample(0, 0).sample(-5, -2.5).sample(Long.MAX_VALUE, Double.POSITIVE_INFINITY);
    b.endSeries();
    return b.build();
  }

  private static void assertSame(SeriesBatch want, SeriesBatch got) {
    assertThat(got.size()).isEqualTo(want.size());
    assertThat(got.sampleCount()).isEqualTo(want.sampleCount());
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.labels(i)).isEqualTo(want.labels(i));
      assertThat(got.hash(i)).isEqualTo(want.hash(i));
      assertThat(got.sampleEnd(i) - got.sampleStart(i)).isEqualTo(want.sampleEnd(i) - want.sampleStart(i));
      for (int s = 0; s < want.sampleEnd(i) - want.sampleStart(i); s++) {
        assertThat(got.timestamp(got.sampleStart(i) + s)).isEqualTo(want.timestamp(want.sampleStart(i) + s));
        assertThat(Double.doubleToRawLongBits(got.value(got.sampleStart(i) + s)))
            .isEqualTo(Double.doubleToRawLongBits(want.value(want.sampleStart(i) + s)));
      }
    }
  }

  private static byte[] snappy(byte[] b) throws Exception {
    return Snappy.compress(b);
  }

  @Test
  void roundTripsOurV1Encoder() throws Exception {
    SeriesBatch batch = sampleBatch();
    byte[] body = snappy(new RemoteWriteEncoder().encode(List.of(batch)));
    DecodedWrite w = decoder.decode(body, V1, "snappy");
    assertThat(w.version()).isEqualTo(Version.V1);
    assertThat(w.series()).isEqualTo(2);
    assertThat(w.samples()).isEqualTo(5);
    assertSame(batch, w.batch());
    // reusable: a second decode gives the same
    assertSame(batch, decoder.decode(body, V1, null).batch());
  }

  @Test
  void roundTripsOurV2Encoder() throws Exception {
    SeriesBatch batch = sampleBatch();
    byte[] body = snappy(new RemoteWriteV2Encoder().encode(List.of(batch)));
    DecodedWrite w = decoder.decode(body, V2, "snappy");
    assertThat(w.version()).isEqualTo(Version.V2);
    assertThat(w.series()).isEqualTo(2);
    assertThat(w.samples()).isEqualTo(5);
    assertSame(batch, w.batch());
  }

  @Test
  void decodesProtobufJavaV1AndCountsSkipped() throws Exception {
    Remote.WriteRequest req = Remote.WriteRequest.newBuilder()
        .addTimeseries(Types.TimeSeries.newBuilder()
            .addLabels(Types.Label.newBuilder().setName("__name__").setValue("x"))
            .addLabels(Types.Label.newBuilder().setName("a").setValue(""))
            .addLabels(Types.Label.newBuilder().setName("b").setValue("2"))
            .addSamples(Types.Sample.newBuilder().setValue(3.5).setTimestamp(42))
            .addExemplars(Types.Exemplar.newBuilder().setValue(1).setTimestamp(42)))
        .addTimeseries(Types.TimeSeries.newBuilder()
            .addLabels(Types.Label.newBuilder().setName("__name__").setValue("only_exemplar"))
            .addExemplars(Types.Exemplar.newBuilder().setValue(1)))
        .addMetadata(Types.MetricMetadata.newBuilder().setMetricFamilyName("x"))
        .build();
    // a histogram (TimeSeries field 4 in Prometheus' types.proto) appended to the first series by hand
    byte[] msg = req.toByteArray();
    DecodedWrite w = decoder.decode(snappy(withHistogram(req)), V1, "snappy");
    assertThat(w.series()).isEqualTo(1);
    assertThat(w.samples()).isEqualTo(1);
    assertThat(w.seriesWithoutSamples()).isEqualTo(1);
    assertThat(w.exemplarsSkipped()).isEqualTo(2);
    assertThat(w.histogramsSkipped()).isEqualTo(1);
    assertThat(w.metadataSkipped()).isEqualTo(1);
    assertThat(w.batch().labels(0)).isEqualTo(Labels.of("__name__", "x", "b", "2"));
    assertThat(w.batch().timestamp(0)).isEqualTo(42);
    assertThat(w.batch().value(0)).isEqualTo(3.5);
    assertThat(decoder.decode(snappy(msg), V1, "snappy").histogramsSkipped()).isZero();
  }

  private static byte[] withHistogram(Remote.WriteRequest req) {
    Types.TimeSeries first = req.getTimeseries(0);
    byte[] ts = first.toByteArray();
    ByteArrayOutputStream series = new ByteArrayOutputStream();
    series.writeBytes(ts);
    series.writeBytes(new byte[] {0x22, 0x02, 0x08, 0x01}); // histograms = 4 { count_int = 1 }
    byte[] s = series.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x0A);
    out.write(s.length);
    out.writeBytes(s);
    out.writeBytes(req.toBuilder().removeTimeseries(0).build().toByteArray());
    return out.toByteArray();
  }

  @Test
  void decodesProtobufJavaV2AndCountsSkipped() throws Exception {
    WriteV2.Request req = WriteV2.Request.newBuilder()
        .addAllSymbols(List.of("", "__name__", "rpc", "code", "200", "help"))
        .addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2, 3, 4))
            .addSamples(WriteV2.Sample.newBuilder().setValue(7).setTimestamp(1000).setStartTimestamp(5))
            .addSamples(WriteV2.Sample.newBuilder().setTimestamp(2000))
            .addExemplars(WriteV2.Exemplar.newBuilder().setValue(1))
            .setMetadata(WriteV2.Metadata.newBuilder().setHelpRef(5)))
        .addTimeseries(WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(1, 2))
            .addHistograms(WriteV2.Histogram.newBuilder().setCountInt(3).setTimestamp(1000)))
        .build();
    DecodedWrite w = decoder.decode(snappy(req.toByteArray()), V2, "snappy");
    assertThat(w.series()).isEqualTo(1);
    assertThat(w.samples()).isEqualTo(2);
    assertThat(w.seriesWithoutSamples()).isEqualTo(1);
    assertThat(w.histogramsSkipped()).isEqualTo(1);
    assertThat(w.exemplarsSkipped()).isEqualTo(1);
    assertThat(w.metadataSkipped()).isEqualTo(1);
    assertThat(w.batch().labels(0)).isEqualTo(Labels.of("__name__", "rpc", "code", "200"));
    assertThat(w.batch().value(0)).isEqualTo(7);
    assertThat(w.batch().timestamp(1)).isEqualTo(2000);
    assertThat(w.batch().value(1)).isEqualTo(0);
  }

  @Test
  void choosesMessageByContentType() throws Exception {
    assertThat(RemoteWriteDecoder.versionOf(null)).isEqualTo(Version.V1);
    assertThat(RemoteWriteDecoder.versionOf("application/x-protobuf")).isEqualTo(Version.V1);
    assertThat(RemoteWriteDecoder.versionOf("Application/X-Protobuf; proto=prometheus.WriteRequest"))
        .isEqualTo(Version.V1);
    assertThat(RemoteWriteDecoder.versionOf("application/x-protobuf;proto=io.prometheus.write.v2.Request"))
        .isEqualTo(Version.V2);
    assertRejected(() -> RemoteWriteDecoder.versionOf("application/json"), 415,
        "unsupported Content-Type \"application/json\": expected application/x-protobuf");
    assertRejected(() -> RemoteWriteDecoder.versionOf("application/x-protobuf;proto=foo.Bar"), 415,
        "unsupported Content-Type \"application/x-protobuf;proto=foo.Bar\": unknown proto \"foo.Bar\", "
            + "expected prometheus.WriteRequest or io.prometheus.write.v2.Request");
    assertRejected(() -> decoder.decode(snappy(new byte[0]), V1, "gzip"), 415,
        "unsupported Content-Encoding \"gzip\": expected snappy");
  }

  @Test
  void rejectsBadSnappyAndOversizedBodies() throws Exception {
    assertRejected(() -> decoder.decode(new byte[0], V1, "snappy"), 400, "bad snappy: empty body");
    assertRejected(() -> decoder.decode(new byte[] {0x05, 0x7f, 0x7f}, V1, "snappy"), 400,
        "bad snappy: corrupt input");
    assertRejected(() -> decoder.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff}, V1, "snappy"), 400, "bad snappy: invalid length header");
    RemoteWriteDecoder small = new RemoteWriteDecoder(100);
    assertRejected(() -> small.decode(snappy(new byte[101]), V1, "snappy"), 413,
        "decoded body of 101 bytes exceeds the limit of 100 bytes");
    assertThat(small.decode(snappy(new byte[0]), V1, "snappy").series()).isZero();
  }

  @Test
  void rejectsMalformedProtobufWithOffset() {
    assertRejected(() -> decodeRaw(Version.V1, 0x0A, 0x05, 0x0A), 400,
        "truncated protobuf at byte 1: length 5 runs past the end of its message (1 bytes left)");
    assertRejected(() -> decodeRaw(Version.V1, 0x0B), 400,
        "malformed protobuf at byte 0: groups are not supported (field 1)");
    assertRejected(() -> decodeRaw(Version.V1, 0x10, 0x80), 400, "truncated protobuf at byte 1: varint");
    assertRejected(() -> decodeRaw(Version.V1, 0x0A, 0x05, 0x12, 0x03, 0x09, 0x00, 0x00), 400,
        "series 0: truncated protobuf at byte 5: fixed64");
    assertRejected(() -> decodeRaw(Version.V1, 0x0A, 0x02, 0x10, 0x01), 400,
        "series 0: malformed protobuf at byte 2: TimeSeries.samples has wire type 0, expected 2");
    assertRejected(() -> decodeRaw(Version.V2, 0x2A, 0x02, 0x12, 0x05), 400,
        "series 0: truncated protobuf at byte 3: length 5 runs past the end of its message (0 bytes left)");
  }

  @Test
  void rejectsInvalidV1Series() {
    assertRejected(() -> decodeV1(series("__name__", "a", "z", "c", "job", "b")), 400,
        "series 1 ({__name__=\"a\", z=\"c\", job=\"b\"}): labels not sorted: \"job\" after \"z\"");
    assertRejected(() -> decodeV1(series("__name__", "a", "job", "b", "job", "c")), 400,
        "series 1 ({__name__=\"a\", job=\"b\", job=\"c\"}): duplicate label name \"job\"");
    assertRejected(() -> decodeV1(series("", "x", "__name__", "a")), 400,
        "series 1 ({=\"x\", __name__=\"a\"}): empty label name (label 0)");
    assertRejected(() -> decodeV1(series("job", "b")), 400, "series 1 ({job=\"b\"}): missing __name__");
    assertRejected(() -> decodeV1(series("__name__", "", "job", "b")), 400,
        "series 1 ({__name__=\"\", job=\"b\"}): missing __name__");
    Types.TimeSeries badUtf8 = Types.TimeSeries.newBuilder()
        .addLabels(Types.Label.newBuilder().setName("__name__").setValue("a#("))
        .addSamples(Types.Sample.newBuilder().setValue(1)).build();
    // series 1 starts after series 0 (2 + its length); its label value bytes follow 4 bytes of framing
    assertRejected(() -> decoder.decode(snappy(replace(Remote.WriteRequest.newBuilder().addTimeseries(okSeries())
        .addTimeseries(badUtf8).build().toByteArray(), (byte) '#', (byte) 0xC3)), V1, "snappy"), 400,
        "series 1 ({__name__=\"a\uFFFD(\"}): invalid UTF-8 in value of label \"__name__\" at byte "
            + (2 + okSeries().getSerializedSize() + 2 + 2 + 10 + 2 + 1));
  }

  @Test
  void rejectsInvalidV2Series() {
    WriteV2.Request.Builder base = WriteV2.Request.newBuilder().addAllSymbols(List.of("", "__name__", "a", "job"));
    assertRejected(() -> decodeV2(base.clone().addTimeseries(v2Series(1, 2, 3, 7))), 400,
        "series 0: label ref 7 at byte 27 out of range (4 symbols)");
    assertRejected(() -> decodeV2(base.clone().addTimeseries(v2Series(1, 2, 3))), 400,
        "series 0: odd number of label refs (3)");
    assertRejected(() -> decodeV2(base.clone().addTimeseries(v2Series(3, 2, 1, 2))), 400,
        "series 0 ({job=\"a\", __name__=\"a\"}): labels not sorted: \"__name__\" after \"job\"");
    assertRejected(() -> decodeV2(base.clone().addTimeseries(v2Series(0, 2, 1, 2))), 400,
        "series 0 ({=\"a\", __name__=\"a\"}): empty label name (label 0)");
    assertRejected(() -> decodeV2(base.clone().addTimeseries(v2Series(3, 2))), 400,
        "series 0 ({job=\"a\"}): missing __name__");
    assertRejected(() -> decodeV2(base.clone().addTimeseries(v2Series(1, 2, 1, 2))), 400,
        "series 0 ({__name__=\"a\", __name__=\"a\"}): duplicate label name \"__name__\"");
    assertRejected(() -> decodeV2(WriteV2.Request.newBuilder().addAllSymbols(List.of("x", "__name__"))), 400,
        "symbols[0] must be the empty string, got \"x\"");
    byte[] badUtf8 = replace(WriteV2.Request.newBuilder().addSymbols("").addSymbols("ok#\u0800").build()
        .toByteArray(), (byte) '#', (byte) 0xED);
    assertRejected(() -> decoder.decode(snappy(replace(badUtf8, (byte) 0xE0, (byte) 0xA0)), V2, "snappy"), 400, // ED A0 A0: a surrogate
        "symbols[1]: invalid UTF-8 at byte 6");
  }

  private static WriteV2.TimeSeries v2Series(Integer... refs) {
    return WriteV2.TimeSeries.newBuilder().addAllLabelsRefs(List.of(refs))
        .addSamples(WriteV2.Sample.newBuilder().setValue(1).setTimestamp(1)).build();
  }

  /** {@code b} with the first {@code from} byte replaced by {@code to}. */
  private static byte[] replace(byte[] b, byte from, byte to) {
    byte[] out = b.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] == from) {
        out[i] = to;
        return out;
      }
    }
    throw new AssertionError("no byte " + from);
  }

  private static Types.TimeSeries okSeries() {
    return series("__name__", "ok");
  }

  private static Types.TimeSeries series(String... nv) {
    Types.TimeSeries.Builder b = Types.TimeSeries.newBuilder();
    for (int i = 0; i < nv.length; i += 2) {
      b.addLabels(Types.Label.newBuilder().setName(nv[i]).setValue(nv[i + 1]));
    }
    return b.addSamples(Types.Sample.newBuilder().setValue(1).setTimestamp(1)).build();
  }

  /** A request whose series 0 is valid and series 1 is the one given. */
  private DecodedWrite decodeV1(Types.TimeSeries bad) throws Exception {
    byte[] msg = Remote.WriteRequest.newBuilder().addTimeseries(okSeries()).addTimeseries(bad).build().toByteArray();
    return decoder.decode(snappy(msg), V1, "snappy");
  }

  private DecodedWrite decodeV2(WriteV2.Request.Builder req) throws Exception {
    return decoder.decode(snappy(req.build().toByteArray()), V2, "snappy");
  }

  private DecodedWrite decodeRaw(Version v, int... bytes) throws Exception {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return decoder.decode(snappy(b), v == Version.V1 ? V1 : V2, "snappy");
  }

  @FunctionalInterface
  interface Call {
    Object run() throws Exception;
  }

  private static void assertRejected(Call call, int status, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(DecodeException.class, e -> {
      assertThat(e.getMessage()).isEqualTo(message);
      assertThat(e.status()).isEqualTo(status);
    });
  }
}
