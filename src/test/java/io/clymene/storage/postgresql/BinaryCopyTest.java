package io.clymene.storage.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary COPY stream, byte for byte (PostgreSQL's "Binary Format"), and the days of a request. */
class BinaryCopyTest {

  @Test
  void encodesHeaderRowsAndTrailer() {
    SeriesBatch.Builder builder = new SeriesBatch.Builder();
    builder.beginSeries().label("__name__", "up");
    builder.sample(BinaryCopy.PG_EPOCH_MS + 1, 1.0).sample(BinaryCopy.PG_EPOCH_MS - 2, StaleMarkers.STALE_NAN);
    builder.endSeries();
    SeriesBatch batch = builder.build();
    long id = batch.hash(0);
    byte[] out = BinaryCopy.encode(List.of(batch));
    String idHex = HexFormat.of().formatHex(ByteBuffer.allocate(8).putLong(id).array());
    String expected = "5047434f50590aff0d0a00" + "00000000" + "00000000"
        + "0003" + "00000008" + idHex + "00000008" + "00000000000003e8" + "00000008" + "3ff0000000000000"
        + "0003" + "00000008" + idHex + "00000008" + "fffffffffffff830" + "00000008" + "7ff0000000000002"
        + "ffff";
    assertThat(HexFormat.of().formatHex(out)).isEqualTo(expected);
    assertThat(out).hasSize(BinaryCopy.HEADER_BYTES + 2 * BinaryCopy.ROW_BYTES + 2);
  }

  @Test
  void daysAreUtcDaysOfEverySample() {
    SeriesBatch.Builder builder = new SeriesBatch.Builder();
    builder.beginSeries().label("a", "1").sample(0, 1).sample(86_399_999L, 1).sample(86_400_000L, 1).endSeries();
    builder.beginSeries().label("a", "2").sample(-1, 1).endSeries();
    assertThat(CopyTransaction.days(List.of(builder.build()))).containsExactly(-1L, 0L, 1L);
  }
}
