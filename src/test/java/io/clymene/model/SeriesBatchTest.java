package io.clymene.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.proto.prometheus.Types;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SeriesBatchTest {

  @Test
  void labelsAreSortedAndEncodedAsProtobufLabels() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("job", "node").label("__name__", "up").label("instance", "a:1").label("Zeta", "z")
        .sample(1000, 1.0);
    assertThat(b.endSeries()).isNull();
    SeriesBatch batch = b.build();

    assertThat(batch.size()).isEqualTo(1);
    assertThat(batch.labels(0)).isEqualTo(Labels.of("__name__", "up", "job", "node", "instance", "a:1",
        "Zeta", "z"));
    assertThat(batch.labels(0).names()).containsExactly("Zeta", "__name__", "instance", "job");
    assertThat(batch.metricName(0)).isEqualTo("up");

    // the label bytes are exactly TimeSeries.labels of remote write
    byte[] bytes = java.util.Arrays.copyOfRange(batch.labelData(), batch.labelStart(0), batch.labelEnd(0));
    Types.TimeSeries ts = Types.TimeSeries.parseFrom(bytes);
    assertThat(ts.getLabelsList()).extracting(Types.Label::getName)
        .containsExactly("Zeta", "__name__", "instance", "job");
    assertThat(ts.getLabels(1).getValue()).isEqualTo("up");
  }

  @Test
  void emptyValuesAreDroppedAndDuplicatesRejected() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "m").label("empty", "").sample(1, 2);
    assertThat(b.endSeries()).isNull();
    b.beginSeries().label("__name__", "m").label("a", "1").label("a", "2").sample(1, 2);
    assertThat(b.endSeries()).isEqualTo("a");
    b.beginSeries().label("__name__", "n").sample(5, 6).sample(7, 8);
    assertThat(b.endSeries()).isNull();
    SeriesBatch batch = b.build();

    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.sampleCount()).isEqualTo(3);
    assertThat(batch.labels(0)).isEqualTo(Labels.of("__name__", "m"));
    assertThat(batch.sampleEnd(1) - batch.sampleStart(1)).isEqualTo(2);
    assertThat(batch.value(batch.sampleStart(1) + 1)).isEqualTo(8.0);
    assertThat(batch.timestamp(batch.sampleStart(1) + 1)).isEqualTo(7L);
  }

  @Test
  void utf8LabelValuesAndLongLabelsSurvive() {
    String longValue = "x".repeat(300);
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "m").label("city", "Zürich ✓ 𝄞").label("long", longValue).sample(1, 1);
    b.endSeries();
    SeriesBatch batch = b.build();
    assertThat(batch.labels(0).get("city")).isEqualTo("Zürich ✓ 𝄞");
    assertThat(batch.labels(0).get("long")).isEqualTo(longValue);
    int[] seen = {0};
    batch.forEachLabel(0, (buf, no, nl, vo, vl) -> {
      if (new String(buf, no, nl, StandardCharsets.UTF_8).equals("city")) {
        assertThat(new String(buf, vo, vl, StandardCharsets.UTF_8)).isEqualTo("Zürich ✓ 𝄞");
        seen[0]++;
      }
    });
    assertThat(seen[0]).isEqualTo(1);
  }

  @Test
  void slicesShareDataAndKeepIndices() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < 10; i++) {
      b.beginSeries().label("__name__", "m").label("i", Integer.toString(i)).sample(i, i * 10.0);
      b.endSeries();
    }
    SeriesBatch batch = b.build();
    SeriesBatch slice = batch.slice(3, 6);
    assertThat(slice.size()).isEqualTo(3);
    assertThat(slice.sampleCount()).isEqualTo(3);
    assertThat(slice.labels(0).get("i")).isEqualTo("3");
    assertThat(slice.value(slice.sampleStart(2))).isEqualTo(50.0);
    assertThat(slice.hash(1)).isEqualTo(batch.hash(4));
    assertThat(slice.labelData()).isSameAs(batch.labelData());
    assertThatThrownBy(() -> batch.slice(5, 11)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void equalLabelSetsHashEquallyAndDifferentOnesDiffer() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("b", "2").label("a", "1").sample(1, 1);
    b.endSeries();
    b.beginSeries().label("a", "1").label("b", "2").sample(2, 2);
    b.endSeries();
    b.beginSeries().label("a", "1").label("b", "3").sample(3, 3);
    b.endSeries();
    SeriesBatch batch = b.build();
    assertThat(batch.hash(0)).isEqualTo(batch.hash(1));
    assertThat(batch.hash(0)).isNotEqualTo(batch.hash(2));
  }

  @Test
  void builderIsReusableAndBuildsCopies() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "first").sample(1, 1);
    b.endSeries();
    SeriesBatch one = b.build();
    b.beginSeries().label("__name__", "second").sample(2, 2);
    b.endSeries();
    SeriesBatch two = b.build();
    assertThat(one.metricName(0)).isEqualTo("first");
    assertThat(two.metricName(0)).isEqualTo("second");
    assertThat(two.size()).isEqualTo(1);
  }

  @Test
  void staleMarkerIsRecognisedByBits() {
    assertThat(StaleMarkers.isStale(StaleMarkers.STALE_NAN)).isTrue();
    assertThat(StaleMarkers.isStale(Double.NaN)).isFalse();
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "m").sample(1, StaleMarkers.STALE_NAN);
    b.endSeries();
    assertThat(Double.doubleToRawLongBits(b.build().value(0))).isEqualTo(StaleMarkers.STALE_NAN_BITS);
  }

  @Test
  void labelsValidateNames() {
    assertThatThrownBy(() -> Labels.of("1bad", "v")).hasMessageContaining("invalid label name '1bad'");
    assertThatThrownBy(() -> Labels.of("a", "1", "a", "2")).hasMessageContaining("duplicate label name 'a'");
    assertThat(Labels.of("b", "2", "a", "1").toString()).isEqualTo("{a=\"1\", b=\"2\"}");
    assertThat(Labels.of("a", "q\"\n\\").toString()).isEqualTo("{a=\"q\\\"\\n\\\\\"}");
  }
}
