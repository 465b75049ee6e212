package io.clymene.storage.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RowBinary rows byte for byte: one row spelled out by hand (the layout ClickHouse 18.16 read in
 * {@code ClickHouseWriterIT}), then rows of several series and samples decoded back and compared with the
 * batch, including a series without a name, non-ASCII values, long labels (two-byte lengths), NaN bits
 * and days before and after the Date range.
 */
class RowBinaryEncoderTest {

  @Test
  void oneRowAsClickHouseReadsIt() {
    SeriesBatch.Builder bb = new SeriesBatch.Builder();
    bb.beginSeries().label("__name__", "up").label("job", "j").label("instance", "h:1").sample(1_728_000_000_123L, 1.5);
    bb.endSeries();
    SeriesBatch b = bb.build();

    byte[] got = new RowBinaryEncoder().encode(List.of(b)).getBytes();

    ByteArrayOutputStream want = new ByteArrayOutputStream();
    want.writeBytes(new byte[] {2, 'u', 'p'});
    want.writeBytes(le(b.hash(0)));
    want.writeBytes(new byte[] {2, 8, 'i', 'n', 's', 't', 'a', 'n', 'c', 'e', 3, 'j', 'o', 'b'});
    want.writeBytes(new byte[] {2, 3, 'h', ':', '1', 1, 'j'});
    want.writeBytes(new byte[] {0x20, 0x4e}); // 20000 days = 2024-10-04
    want.writeBytes(le(1_728_000_000_123L));
    want.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f}); // 1.5
    assertThat(got).isEqualTo(want.toByteArray());
  }

  @Test
  void rowsOfSeveralSeriesDecodeBackToTheBatch() {
    String longValue = "v".repeat(300);
    SeriesBatch.Builder bb = new SeriesBatch.Builder();
    bb.beginSeries().label("__name__", "http_requests_total").label("path", "/ä€").label("code", "200")
        .sample(1_700_000_000_000L, 1).sample(1_700_000_015_000L, StaleMarkers.STALE_NAN)
        .sample(1_700_000_030_000L, Double.POSITIVE_INFINITY);
    bb.endSeries();
    bb.beginSeries().label("a", longValue).sample(-5, Double.NaN).sample(7_000_000_000_000_000L, -0.0);
    bb.endSeries();
    SeriesBatch b = bb.build();
    bb.beginSeries().label("__name__", "x").sample(0, 42);
    bb.endSeries();
    SeriesBatch second = bb.build();

    ByteBuffer in = ByteBuffer.wrap(new RowBinaryEncoder().encode(List.of(b, second)).getBytes())
        .order(ByteOrder.LITTLE_ENDIAN);
    List<String> rows = new ArrayList<>();
    while (in.hasRemaining()) {
      rows.add(string(in) + " " + Long.toHexString(in.getLong()) + " " + strings(in) + " " + strings(in) + " "
          + Short.toUnsignedInt(in.getShort()) + " " + in.getLong() + " " + Long.toHexString(in.getLong()));
    }
    String h0 = Long.toHexString(b.hash(0));
    String h1 = Long.toHexString(b.hash(1));
    assertThat(rows).containsExactly(
        "http_requests_total " + h0 + " [code, path] [200, /ä€] 19675 1700000000000 3ff0000000000000",
        "http_requests_total " + h0 + " [code, path] [200, /ä€] 19675 1700000015000 7ff0000000000002",
        "http_requests_total " + h0 + " [code, path] [200, /ä€] 19675 1700000030000 7ff0000000000000",
        " " + h1 + " [a] [" + longValue + "] 0 -5 7ff8000000000000",
        " " + h1 + " [a] [" + longValue + "] 65535 7000000000000000 8000000000000000",
        "x " + Long.toHexString(second.hash(0)) + " [] [] 0 0 4045000000000000");
  }

  private static byte[] le(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  private static int leb128(ByteBuffer in) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.get() & 0xFF;
      v |= (b & 0x7F) << shift;
      if (b < 0x80) {
        return v;
      }
    }
  }

  private static String string(ByteBuffer in) {
    byte[] s = new byte[leb128(in)];
    in.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static List<String> strings(ByteBuffer in) {
    int n = leb128(in);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(string(in));
    }
    return out;
  }
}
