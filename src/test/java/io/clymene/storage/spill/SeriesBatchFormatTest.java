package io.clymene.storage.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SeriesBatchFormatTest {
  private final SeriesBatch.Builder builder = new SeriesBatch.Builder();

  /** A batch with special values, several samples per series and timestamps far apart. */
  static SeriesBatch tricky() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "node").label("city", "Zürich ✓")
        .sample(1_700_000_000_000L, 1);
    b.endSeries();
    b.beginSeries().label("__name__", "nan").sample(5, Double.NaN).sample(4, StaleMarkers.STALE_NAN)
        .sample(-3, Double.longBitsToDouble(0x7ff8dead0000beefL)).sample(Long.MAX_VALUE, -0.0);
    b.endSeries();
    b.beginSeries().label("__name__", "inf").sample(Long.MIN_VALUE, Double.POSITIVE_INFINITY)
        .sample(0, Double.MIN_VALUE);
    b.endSeries();
    b.beginSeries().label("__name__", "many").label("x", "y".repeat(200));
    for (int i = 0; i < 300; i++) {
      b.sample(1_000L * i, i * 0.5);
    }
    b.endSeries();
    return b.build();
  }

  static byte[] encode(SeriesBatch batch) {
    byte[] out = new byte[(int) SeriesBatchFormat.maxEncodedSize(batch)];
    int end = SeriesBatchFormat.encode(batch, out, 0);
    return Arrays.copyOf(out, end);
  }

  /** Series by series: label bytes, hash, timestamps and raw value bits are identical. */
  static void assertSameBatch(SeriesBatch actual, SeriesBatch expected) {
    assertThat(actual.size()).isEqualTo(expected.size());
    assertThat(actual.sampleCount()).isEqualTo(expected.sampleCount());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(Arrays.copyOfRange(actual.labelData(), actual.labelStart(i), actual.labelEnd(i)))
          .isEqualTo(Arrays.copyOfRange(expected.labelData(), expected.labelStart(i), expected.labelEnd(i)));
      assertThat(actual.labels(i)).isEqualTo(expected.labels(i));
      assertThat(actual.hash(i)).isEqualTo(expected.hash(i));
      int n = expected.sampleEnd(i) - expected.sampleStart(i);
      assertThat(actual.sampleEnd(i) - actual.sampleStart(i)).isEqualTo(n);
      for (int k = 0; k < n; k++) {
        assertThat(actual.timestamp(actual.sampleStart(i) + k))
            .isEqualTo(expected.timestamp(expected.sampleStart(i) + k));
        assertThat(Double.doubleToRawLongBits(actual.value(actual.sampleStart(i) + k)))
            .isEqualTo(Double.doubleToRawLongBits(expected.value(expected.sampleStart(i) + k)));
      }
    }
  }

  @Test
  void roundTripKeepsLabelsHashesTimestampsAndValueBitsExact() {
    SeriesBatch batch = tricky();
    byte[] bytes = encode(batch);
    SeriesBatch back = SeriesBatchFormat.decode(bytes, 0, bytes.length, builder);
    assertSameBatch(back, batch);
    assertThat(StaleMarkers.isStale(back.value(back.sampleStart(1) + 1))).isTrue();
    assertThat(SeriesBatchFormat.seriesCount(bytes, 0)).isEqualTo(4);
    assertThat(SeriesBatchFormat.sampleCount(bytes, 0)).isEqualTo(307);
    assertThat(SeriesBatchFormat.minTimestamp(bytes, 0)).isEqualTo(Long.MIN_VALUE);
    assertThat(SeriesBatchFormat.maxTimestamp(bytes, 0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void slicesAndSelectionsAreWrittenAsJustTheirSeries() {
    SeriesBatch batch = tricky();
    SeriesBatch slice = batch.slice(1, 3);
    SeriesBatch selection = batch.select(new int[] {3, 0});
    SeriesBatch sliceOfSelection = selection.slice(1, 2);
    for (SeriesBatch view : new SeriesBatch[] {slice, selection, sliceOfSelection}) {
      byte[] bytes = encode(view);
      assertSameBatch(SeriesBatchFormat.decode(bytes, 0, bytes.length, builder), view);
      // exactly the bytes of a standalone batch of those series, nothing of the shared arrays
      assertThat(bytes).isEqualTo(encode(copy(view)));
    }
  }

  private static SeriesBatch copy(SeriesBatch view) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < view.size(); i++) {
      b.beginEncodedSeries(view.labelData(), view.labelStart(i), view.labelEnd(i) - view.labelStart(i),
          view.hash(i));
      for (int s = view.sampleStart(i); s < view.sampleEnd(i); s++) {
        b.sample(view.timestamp(s), view.value(s));
      }
      b.endSeries();
    }
    return b.build();
  }

  @Test
  void aScrapedSeriesCostsItsLabelsAndAboutTwentyBytes() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < 1000; i++) {
      b.beginSeries().label("__name__", "m").label("i", Integer.toString(i)).sample(1_700_000_000_000L, i);
      b.endSeries();
    }
    SeriesBatch batch = b.build();
    long labelBytes = batch.labelEnd(999) - batch.labelStart(0);
    // per series: 2 varints, an 8-byte hash, 8 bytes of value and a 1-byte timestamp delta
    assertThat(encode(batch).length - labelBytes).isLessThan(1000 * 20 + 64);
  }

  @Test
  void emptyBatchRoundTrips() {
    byte[] bytes = encode(SeriesBatch.EMPTY);
    assertThat(bytes).hasSize(SeriesBatchFormat.HEADER_BYTES + 1);
    assertThat(SeriesBatchFormat.decode(bytes, 0, bytes.length, builder).isEmpty()).isTrue();
  }

  @Test
  void formatIsStable() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").sample(1000, 1).sample(2000, StaleMarkers.STALE_NAN);
    b.endSeries();
    SeriesBatch batch = b.build();
    String hash = HexFormat.of().formatHex(longLe(batch.hash(0)));
    // version, 1 series, 2 samples, min 1000, max 2000, 16 label bytes, (16, 2, hash), labels,
    // values 1.0 and StaleNaN, timestamps +1000 (zig-zag d00f) and +1000
    assertThat(HexFormat.of().formatHex(encode(batch))).isEqualTo("01" + "01000000" + "02000000"
        + "e803000000000000" + "d007000000000000" + "10" + "1002" + hash
        + "0a0e0a085f5f6e616d655f5f12027570"
        + "000000000000f03f" + "020000000000f07f" + "d00f" + "d00f");
  }

  @Test
  void malformedBytesAreRejected() {
    byte[] bytes = encode(tricky());
    assertThatThrownBy(() -> SeriesBatchFormat.decode(bytes, 0, bytes.length - 1, builder))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SeriesBatchFormat.decode(bytes, 0, 40, builder))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] wrongVersion = bytes.clone();
    wrongVersion[0] = 9;
    assertThatThrownBy(() -> SeriesBatchFormat.decode(wrongVersion, 0, wrongVersion.length, builder))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 9");
    // the builder is usable afterwards
    assertSameBatch(SeriesBatchFormat.decode(bytes, 0, bytes.length, builder), tricky());
  }

  private static byte[] longLe(long v) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (v >>> (8 * i));
    }
    return out;
  }
}
