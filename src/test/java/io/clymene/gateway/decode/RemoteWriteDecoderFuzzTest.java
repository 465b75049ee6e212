package io.clymene.gateway.decode;

import static io.clymene.gateway.decode.SeriesBatchInvariants.checkRejection;
import static io.clymene.gateway.decode.SeriesBatchInvariants.require;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.clymene.gateway.decode.DecodedWrite.Version;
import io.clymene.gateway.decode.SeriesBatchInvariants.Label;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.storage.prometheus.RemoteWriteEncoder;
import io.clymene.storage.prometheus.RemoteWriteV2Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xerial.snappy.Snappy;

/**
 * Fuzzes {@link RemoteWriteDecoder}: whatever the body and headers, it returns a consistent
 * {@link DecodedWrite} or throws a {@link DecodeException} with status 400, 413 or 415, never anything
 * else. The first input byte picks a mode (bits 0-1), the headers (bits 2-4) and the decoder (bit 5, one
 * with a 100-byte limit to reach the 413 paths):
 * <ol start="0">
 *   <li>the rest is the raw body;</li>
 *   <li>the rest is the protobuf message, snappy-compressed here so the fuzzer gets past snappy; the body
 *       and {@link RemoteWriteDecoder#decodeMessage} must agree;</li>
 *   <li>a 1.0 request is built from the rest (random labels, sorted or not, samples, exemplars,
 *       histograms, metadata), and</li>
 *   <li>a 2.0 request with a random symbol table and random label references;</li>
 * </ol>
 * for 2 and 3 the test knows whether the request is valid and what it holds, and checks the decoder
 * agrees exactly.
 *
 * <p>In the normal test suite this runs in its own JVM with {@code JAZZER_FUZZ=1} for {@code maxDuration}
 * (see the surefire {@code fuzz} execution in the pom); elsewhere it replays the seeds below.
 */
class RemoteWriteDecoderFuzzTest {
  private static final String CT_V1 = "application/x-protobuf";
  private static final String CT_V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
  private static final String[] NAMES = {"__name__", "a", "b", "job", "instance", "le", "", "\u00e9"};
  private static final String[] VALUES = {"up", "", "x", "1", "k\u00fcche"};

  private final RemoteWriteDecoder decoder = new RemoteWriteDecoder(1 << 16);
  private final RemoteWriteDecoder tiny = new RemoteWriteDecoder(100);

  static Stream<Arguments> seeds() throws IOException {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "api").sample(1_700_000_000_000L, 1)
        .sample(1_700_000_015_000L, StaleMarkers.STALE_NAN);
    b.endSeries();
    b.beginSeries().label("__name__", "temp").label("room", "k\u00fcche").sample(-5, -2.5);
    b.endSeries();
    SeriesBatch batch = b.build();
    byte[] v1 = new RemoteWriteEncoder().encode(List.of(batch));
    byte[] v2 = new RemoteWriteV2Encoder().encode(List.of(batch));
    return Stream.of(
        seed(0, 0, Snappy.compress(v1)),
        seed(0, 2, Snappy.compress(v2)),
        seed(1, 1, v1),
        seed(1, 2, v2),
        seed(2, 0, new byte[] {3, 2, 0, 1, 1, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
        seed(3, 0, new byte[] {4, 1, 2, 3, 1, 2, 0, 1, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  }

  private static Arguments seed(int mode, int headers, byte[] rest) {
    byte[] b = new byte[rest.length + 1];
    b[0] = (byte) (mode | headers << 2);
    System.arraycopy(rest, 0, b, 1, rest.length);
    return Arguments.of((Object) b);
  }

  @MethodSource("seeds")
  @FuzzTest(maxDuration = "12s")
  void decode(byte[] data) throws IOException {
    FuzzInput in = new FuzzInput(data);
    int first = in.nextByte();
    int headers = first >>> 2 & 7;
    RemoteWriteDecoder d = (first & 0x20) != 0 ? tiny : decoder;
    switch (first & 3) {
      case 0 -> raw(d, headers, in.remaining());
      case 1 -> message(d, headers, in.remaining());
      case 2 -> structuredV1(in);
      default -> structuredV2(in);
    }
  }

  /** Arbitrary body and headers: anything but a typed error or a consistent result is a bug. */
  private void raw(RemoteWriteDecoder d, int headers, byte[] body) {
    String[] h = headers(headers);
    try {
      DecodedWrite w = d.decode(body, h[0], h[1]);
      require(h[2] != null, "accepted headers %s", Arrays.toString(h));
      require(w.version().name().equals(h[2]), "version %s for %s", w.version(), h[0]);
      checkResult(w);
    } catch (DecodeException e) {
      checkRejection(e);
      require(h[2] != null || e.status() == 415, "headers %s gave %d, not 415", Arrays.toString(h), e.status());
    }
  }

  /** An arbitrary message that gets past snappy; the body and the message path must agree. */
  private void message(RemoteWriteDecoder d, int headers, byte[] msg) throws IOException {
    Version version = (headers & 1) == 0 ? Version.V1 : Version.V2;
    String ct = version == Version.V1 ? ((headers & 2) == 0 ? null : CT_V1) : CT_V2;
    Object viaBody = outcome(() -> d.decode(Snappy.compress(msg), ct, (headers & 4) == 0 ? null : "snappy"));
    Object viaMessage = outcome(() -> d.decodeMessage(version, msg, msg.length));
    if (viaBody instanceof DecodedWrite a && viaMessage instanceof DecodedWrite b) {
      require(a.version() == version, "version %s, sent %s", a.version(), version);
      checkResult(a);
      checkResult(b);
      require(a.equals(b) || sameContent(a, b), "body and message paths decoded differently");
    } else if (viaBody instanceof DecodeException a && viaMessage instanceof DecodeException b) {
      require(a.status() == b.status() && a.getMessage().equals(b.getMessage()),
          "body path: %d %s; message path: %d %s", a.status(), a.getMessage(), b.status(), b.getMessage());
    } else {
      throw new AssertionError("body path gave " + viaBody + ", message path " + viaMessage);
    }
  }

  /** A 1.0 request built from the input; the test knows whether it is valid and what it holds. */
  private void structuredV1(FuzzInput in) throws IOException {
    Proto req = new Proto();
    Expected want = new Expected();
    int nSeries = in.nextInt(5);
    for (int i = 0; i < nSeries; i++) {
      List<byte[][]> labels = randomLabels(in);
      Proto ts = new Proto();
      boolean samplesFirst = in.nextBoolean();
      List<long[]> samples = randomSamples(in);
      if (samplesFirst) {
        writeSamples(ts, samples);
      }
      for (byte[][] l : labels) {
        Proto label = new Proto();
        if (l[0].length > 0 || in.nextBoolean()) { // an empty name may be written or left out
          label.bytes(1, l[0]);
        }
        label.bytes(2, l[1]);
        ts.message(1, label);
      }
      if (!samplesFirst) {
        writeSamples(ts, samples);
      }
      int exemplars = in.nextInt(3);
      for (int k = 0; k < exemplars; k++) {
        ts.bytes(3, in.nextBytes(8));
      }
      int histograms = in.nextInt(3);
      for (int k = 0; k < histograms; k++) {
        ts.bytes(4, in.nextBytes(8));
      }
      if (in.nextInt(8) == 0) {
        ts.tag(9, 0).varint(in.nextLong()); // unknown field
      }
      req.message(1, ts);
      if (in.nextInt(4) == 0) {
        req.bytes(3, in.nextBytes(8)); // metadata
        want.metadata++;
      }
      want.add(labels, samples, exemplars, histograms, true);
    }
    expect(Version.V1, null, req.toByteArray(), want, in.nextBoolean());
  }

  /** A 2.0 request with a random symbol table and references, some out of range. */
  private void structuredV2(FuzzInput in) throws IOException {
    int nSym = in.nextInt(8);
    List<byte[]> symbols = new ArrayList<>();
    for (int k = 0; k < nSym; k++) {
      symbols.add(k == 0 && in.nextInt(8) != 0 ? new byte[0] : symbol(in));
    }
    boolean valid = symbols.isEmpty() || symbols.get(0).length == 0;
    for (byte[] s : symbols) {
      valid &= SeriesBatchInvariants.isUtf8(s);
    }
    Expected want = new Expected();
    List<Proto> series = new ArrayList<>();
    int nSeries = in.nextInt(5);
    for (int i = 0; i < nSeries; i++) {
      Proto ts = new Proto();
      int nRefs = in.nextInt(7);
      long[] refs = new long[nRefs];
      boolean refsOk = (nRefs & 1) == 0;
      for (int k = 0; k < nRefs; k++) {
        refs[k] = in.nextInt(16) == 0 ? in.nextLong() : in.nextInt(nSym + 2);
        refsOk &= refs[k] >= 0 && refs[k] < nSym;
      }
      if (in.nextBoolean()) {
        Proto packed = new Proto();
        for (long r : refs) {
          packed.varint(r);
        }
        ts.message(1, packed);
      } else {
        for (long r : refs) {
          ts.tag(1, 0).varint(r);
        }
      }
      List<long[]> samples = randomSamples(in);
      writeSamples(ts, samples);
      int histograms = in.nextInt(3);
      for (int k = 0; k < histograms; k++) {
        ts.bytes(3, in.nextBytes(8));
      }
      int exemplars = in.nextInt(3);
      for (int k = 0; k < exemplars; k++) {
        ts.bytes(4, in.nextBytes(8));
      }
      if (in.nextInt(4) == 0) {
        ts.bytes(5, in.nextBytes(8));
        want.metadata++;
      }
      series.add(ts);
      List<byte[][]> labels = new ArrayList<>();
      if (refsOk) {
        for (int k = 0; k < nRefs; k += 2) {
          labels.add(new byte[][] {symbols.get((int) refs[k]), symbols.get((int) refs[k + 1])});
        }
      }
      want.add(labels, samples, exemplars, histograms, refsOk);
    }
    Proto req = new Proto();
    boolean symbolsLast = in.nextBoolean();
    if (!symbolsLast) {
      symbols.forEach(s -> req.bytes(4, s));
    }
    series.forEach(ts -> req.message(5, ts));
    if (symbolsLast) {
      symbols.forEach(s -> req.bytes(4, s));
    }
    want.valid &= valid;
    expect(Version.V2, CT_V2, req.toByteArray(), want, true);
  }

  private void expect(Version version, String ct, byte[] msg, Expected want, boolean compress)
      throws IOException {
    try {
      DecodedWrite w = compress
          ? decoder.decode(Snappy.compress(msg), ct, "snappy")
          : decoder.decodeMessage(version, msg, msg.length);
      require(want.valid, "accepted an invalid %s request", version);
      require(w.version() == version, "version %s", w.version());
      List<List<Label>> got = checkResult(w);
      require(got.equals(want.labels), "labels %s, sent %s", got, want.labels);
      require(w.seriesWithoutSamples() == want.withoutSamples, "seriesWithoutSamples %d, expected %d",
          w.seriesWithoutSamples(), want.withoutSamples);
      require(w.histogramsSkipped() == want.histograms && w.exemplarsSkipped() == want.exemplars
              && w.metadataSkipped() == want.metadata, "skipped counts %s, expected h=%d e=%d m=%d", w,
          want.histograms, want.exemplars, want.metadata);
      SeriesBatch b = w.batch();
      int s = 0;
      for (int i = 0; i < b.size(); i++) {
        for (int k = b.sampleStart(i); k < b.sampleEnd(i); k++, s++) {
          long[] sample = want.samples.get(s);
          require(b.timestamp(k) == sample[0]
                  && Double.doubleToRawLongBits(b.value(k)) == sample[1], "sample %d differs", s);
        }
      }
    } catch (DecodeException e) {
      checkRejection(e);
      require(!want.valid || (msg.length > decoder.maxDecodedBytes() && e.status() == 413),
          "rejected a valid %s request: %d %s", version, e.status(), e.getMessage());
    }
  }

  /** Up to 5 labels, each name and value from a small pool or random bytes; sorted half the time. */
  private static List<byte[][]> randomLabels(FuzzInput in) {
    int n = in.nextInt(6);
    List<byte[][]> labels = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      labels.add(new byte[][] {symbol(in), symbol(in)});
    }
    if (in.nextBoolean()) {
      labels.sort((x, y) -> Arrays.compareUnsigned(x[0], y[0]));
    }
    return labels;
  }

  private static byte[] symbol(FuzzInput in) {
    int c = in.nextInt(16);
    if (c < NAMES.length) {
      return NAMES[c].getBytes(StandardCharsets.UTF_8);
    }
    if (c < NAMES.length + VALUES.length) {
      return VALUES[c - NAMES.length].getBytes(StandardCharsets.UTF_8);
    }
    return in.nextBytes(6);
  }

  private static List<long[]> randomSamples(FuzzInput in) {
    int n = in.nextInt(4);
    List<long[]> samples = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      samples.add(new long[] {in.nextLong(), in.nextLong()});
    }
    return samples;
  }

  private static void writeSamples(Proto ts, List<long[]> samples) {
    for (long[] s : samples) {
      Proto sample = new Proto();
      sample.tag(1, 1).fixed64(s[1]);
      sample.tag(2, 0).varint(s[0]);
      ts.message(2, sample);
    }
  }

  /** Consistency of any successful decode; returns the labels of each series. */
  private static List<List<Label>> checkResult(DecodedWrite w) {
    List<List<Label>> labels = SeriesBatchInvariants.check(w.batch());
    require(w.series() == w.batch().size(), "series %d, batch holds %d", w.series(), w.batch().size());
    require(w.samples() == w.batch().sampleCount(), "samples %d, batch holds %d", w.samples(),
        w.batch().sampleCount());
    require(w.seriesWithoutSamples() >= 0 && w.histogramsSkipped() >= 0 && w.exemplarsSkipped() >= 0
        && w.metadataSkipped() >= 0, "negative count in %s", w);
    return labels;
  }

  private static boolean sameContent(DecodedWrite a, DecodedWrite b) {
    SeriesBatch x = a.batch();
    SeriesBatch y = b.batch();
    if (a.series() != b.series() || a.samples() != b.samples()
        || a.seriesWithoutSamples() != b.seriesWithoutSamples() || a.histogramsSkipped() != b.histogramsSkipped()
        || a.exemplarsSkipped() != b.exemplarsSkipped() || a.metadataSkipped() != b.metadataSkipped()) {
      return false;
    }
    for (int i = 0; i < x.size(); i++) {
      if (!Arrays.equals(x.labelData(), x.labelStart(i), x.labelEnd(i), y.labelData(), y.labelStart(i),
          y.labelEnd(i)) || x.sampleEnd(i) - x.sampleStart(i) != y.sampleEnd(i) - y.sampleStart(i)) {
        return false;
      }
    }
    for (int k = 0; k < x.sampleCount(); k++) {
      if (x.timestamp(k) != y.timestamp(k)
          || Double.doubleToRawLongBits(x.value(k)) != Double.doubleToRawLongBits(y.value(k))) {
        return false;
      }
    }
    return true;
  }

  /** {Content-Type, Content-Encoding, expected version name or null for a 415}. */
  private static String[] headers(int variant) {
    return switch (variant) {
      case 0 -> new String[] {null, null, "V1"};
      case 1 -> new String[] {CT_V1, "snappy", "V1"};
      case 2 -> new String[] {CT_V2, "snappy", "V2"};
      case 3 -> new String[] {"Application/X-Protobuf; proto=\"io.prometheus.write.v2.Request\"", " SNAPPY ",
          "V2"};
      case 4 -> new String[] {"text/plain", null, null};
      case 5 -> new String[] {CT_V1, "gzip", null};
      case 6 -> new String[] {"application/x-protobuf;proto=foo.Bar", "snappy", null};
      default -> new String[] {"application/x-protobuf; proto=prometheus.WriteRequest", "", "V1"};
    };
  }

  private interface Call {
    DecodedWrite run() throws DecodeException, IOException;
  }

  /** The result, or the typed exception; anything else propagates and fails the test. */
  private static Object outcome(Call call) throws IOException {
    try {
      return call.run();
    } catch (DecodeException e) {
      checkRejection(e);
      return e;
    }
  }

  /** What a built request holds, and whether every series in it is valid. */
  private static final class Expected {
    boolean valid = true;
    final List<List<Label>> labels = new ArrayList<>();
    final List<long[]> samples = new ArrayList<>();
    int withoutSamples;
    int histograms;
    int exemplars;
    int metadata;

    void add(List<byte[][]> sent, List<long[]> sentSamples, int exemplars, int histograms, boolean refsOk) {
      this.exemplars += exemplars;
      this.histograms += histograms;
      boolean ok = refsOk;
      boolean hasName = false;
      List<Label> kept = new ArrayList<>();
      for (int k = 0; k < sent.size(); k++) {
        byte[] name = sent.get(k)[0];
        byte[] value = sent.get(k)[1];
        ok &= name.length > 0 && SeriesBatchInvariants.isUtf8(name) && SeriesBatchInvariants.isUtf8(value);
        ok &= k == 0 || Arrays.compareUnsigned(sent.get(k - 1)[0], name) < 0;
        hasName |= Arrays.equals(name, "__name__".getBytes(StandardCharsets.US_ASCII)) && value.length > 0;
        if (value.length > 0) { // empty values are absent labels
          kept.add(new Label(new String(name, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8)));
        }
      }
      valid &= ok && hasName;
      if (sentSamples.isEmpty()) {
        withoutSamples++;
      } else {
        labels.add(kept);
        samples.addAll(sentSamples);
      }
    }
  }

  /** Just enough protobuf writing to build requests, including invalid ones. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto tag(int field, int wire) {
      return varint((long) field << 3 | wire);
    }

    Proto varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out.write((int) v);
      return this;
    }

    Proto fixed64(long v) {
      for (int k = 0; k < 8; k++) {
        out.write((int) (v >>> 8 * k));
      }
      return this;
    }

    Proto bytes(int field, byte[] b) {
      tag(field, 2).varint(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    Proto message(int field, Proto m) {
      return bytes(field, m.toByteArray());
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
