package io.clymene.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordKeysTest {

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void keyIsFnv1aOfJobAndInstance() {
    // FNV-1a 64 of 01 "node" ff "h:9100", computed independently
    SeriesBatch b = TestBatches.one(1, 1, "__name__", "up", "job", "node", "instance", "h:9100");
    assertThat(hex(RecordKeys.key(b, 0))).isEqualTo("d10f49042393d1b9");

    // same target, other metric and labels: same key
    SeriesBatch other = TestBatches.one(5, 2, "__name__", "node_load1", "instance", "h:9100", "job", "node",
        "cpu", "0");
    assertThat(RecordKeys.key(other, 0)).isEqualTo(RecordKeys.key(b, 0));
  }

  @Test
  void jobWithoutInstanceStillKeysByTarget() {
    SeriesBatch b = TestBatches.one(1, 1, "__name__", "up", "job", "node");
    assertThat(hex(RecordKeys.key(b, 0))).isEqualTo("55052093b57e2195");
  }

  @Test
  void withoutTargetLabelsTheWholeLabelSetIsHashed() {
    // FNV-1a 64 of 02 and the Label bytes 0a0e 0a08 "__name__" 1202 "up"
    SeriesBatch b = TestBatches.one(1, 1, "__name__", "up");
    assertThat(hex(RecordKeys.key(b, 0))).isEqualTo("6c5e0d9673fdb1d1");
    SeriesBatch c = TestBatches.one(1, 1, "__name__", "down");
    assertThat(RecordKeys.key(c, 0)).isNotEqualTo(RecordKeys.key(b, 0));
  }

  @Test
  void groupsSeriesByKeyInOrderOfFirstAppearance() {
    SeriesBatch.Builder bb = new SeriesBatch.Builder();
    bb.beginSeries().label("__name__", "a").label("job", "j").label("instance", "1").sample(1, 1);
    bb.endSeries();
    bb.beginSeries().label("__name__", "b").label("job", "j").label("instance", "2").sample(1, 2);
    bb.endSeries();
    bb.beginSeries().label("__name__", "c").label("job", "j").label("instance", "1").sample(1, 3);
    bb.endSeries();
    SeriesBatch batch = bb.build();
    SeriesBatch second = TestBatches.one(2, 4, "__name__", "d", "job", "j", "instance", "2");

    List<RecordKeys.KeyGroup> groups = RecordKeys.groupByKey(List.of(batch, second));

    assertThat(groups).hasSize(2);
    assertThat(groups.get(0).key()).isEqualTo(RecordKeys.key(batch, 0));
    assertThat(groups.get(0).seriesCount()).isEqualTo(2);
    assertThat(groups.get(0).batches()).hasSize(1);
    assertThat(groups.get(0).batches().get(0).metricName(0)).isEqualTo("a");
    assertThat(groups.get(0).batches().get(0).metricName(1)).isEqualTo("c");
    assertThat(groups.get(1).key()).isEqualTo(RecordKeys.key(batch, 1));
    assertThat(groups.get(1).batches()).hasSize(2);
    assertThat(groups.get(1).batches().get(1)).isSameAs(second);

    assertThat(RecordKeys.groupByKey(SeriesBatch.EMPTY)).isEmpty();
  }
}
