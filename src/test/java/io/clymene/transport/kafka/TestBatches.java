package io.clymene.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Batches used by the encoding tests, and an exact comparison (raw value bits). */
final class TestBatches {
  private TestBatches() {
  }

  /** Two series: a target's {@code up} with a stale marker, and one with UTF-8, quotes and extremes. */
  static SeriesBatch mixed() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("job", "node").label("__name__", "up").label("instance", "h:9100")
        .sample(1_700_000_000_000L, 1).sample(1_700_000_015_000L, StaleMarkers.STALE_NAN);
    b.endSeries();
    b.beginSeries().label("__name__", "temp_\u00e9").label("room", "k\u00fcche \"1\" <&> \u2028 \uD83D\uDE00")
        .sample(-5, -2.5).sample(Long.MAX_VALUE, Double.POSITIVE_INFINITY)
        .sample(Long.MIN_VALUE, Double.NEGATIVE_INFINITY).sample(42, Double.NaN).sample(7, 0.1 + 0.2)
        .sample(8, Double.MIN_VALUE).sample(9, Double.MAX_VALUE).sample(10, 1e-7).sample(11, 123456789.0);
    b.endSeries();
    return b.build();
  }

  /** A batch of one series with one sample; labels as alternating names and values. */
  static SeriesBatch one(long ts, double value, String... labels) {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries();
    for (int i = 0; i < labels.length; i += 2) {
      b.label(labels[i], labels[i + 1]);
    }
    b.sample(ts, value);
    assertThat(b.endSeries()).isNull();
    return b.build();
  }

  /** Series {@code i}'s labels as "name=value" strings, decoded from the raw UTF-8. */
  static List<String> labels(SeriesBatch b, int i) {
    List<String> out = new ArrayList<>();
    b.forEachLabel(i, (buf, no, nl, vo, vl) -> out.add(new String(buf, no, nl, StandardCharsets.UTF_8) + "="
        + new String(buf, vo, vl, StandardCharsets.UTF_8)));
    return out;
  }

  /** Exact equality of series, labels, hashes, timestamps and value bits. */
  static void assertSameBatch(SeriesBatch got, SeriesBatch want) {
    assertThat(got.size()).as("series").isEqualTo(want.size());
    assertThat(got.sampleCount()).as("samples").isEqualTo(want.sampleCount());
    for (int i = 0; i < want.size(); i++) {
      assertThat(labels(got, i)).isEqualTo(labels(want, i));
      assertThat(got.hash(i)).isEqualTo(want.hash(i));
      int n = want.sampleEnd(i) - want.sampleStart(i);
      assertThat(got.sampleEnd(i) - got.sampleStart(i)).isEqualTo(n);
      for (int s = 0; s < n; s++) {
        assertThat(got.timestamp(got.sampleStart(i) + s)).isEqualTo(want.timestamp(want.sampleStart(i) + s));
        assertThat(Double.doubleToRawLongBits(got.value(got.sampleStart(i) + s)))
            .as("bits of value %s of series %s", s, i)
            .isEqualTo(Double.doubleToRawLongBits(want.value(want.sampleStart(i) + s)));
      }
    }
  }
}
