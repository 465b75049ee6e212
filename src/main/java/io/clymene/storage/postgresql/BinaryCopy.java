package io.clymene.storage.postgresql;

import io.clymene.model.SeriesBatch;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The samples of a request as a {@code COPY ... FROM STDIN (FORMAT binary)} stream of
 * {@code (series_id bigint, time timestamptz, value double precision)} rows
 * (postgresql.org/docs/15/sql-copy.html, "Binary Format"): the 11-byte signature, flags and header
 * extension length 0; per row a field count and each field's length and bytes; the trailer -1; all in
 * network byte order. {@code timestamptz} is microseconds since 2000-01-01 UTC; {@code float8} is the
 * value's raw IEEE-754 bits, so NaN, ±Inf and Prometheus' stale marker are stored exactly.
 */
final class BinaryCopy {
  /** {@code PGCOPY\n\377\r\n\0}. */
  private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
  static final int HEADER_BYTES = SIGNATURE.length + 4 + 4;
  /** Field count, then three 8-byte fields each with its length. */
  static final int ROW_BYTES = 2 + 3 * (4 + 8);
  /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in Unix milliseconds. */
  static final long PG_EPOCH_MS = 946_684_800_000L;

  private BinaryCopy() {
  }

  /** The COPY statement for a schema's samples table. */
  static String statement(String schema) {
    return "COPY " + schema + ".samples (series_id, time, value) FROM STDIN (FORMAT binary)";
  }

  /** Encodes every sample of the batches; the array is exactly as long as the stream. */
  static byte[] encode(List<SeriesBatch> batches) {
    long samples = 0;
    for (SeriesBatch b : batches) {
      samples += b.sampleCount();
    }
    long size = HEADER_BYTES + samples * ROW_BYTES + 2;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("too many samples for one COPY: " + samples);
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    out.put(SIGNATURE).putInt(0).putInt(0);
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        long id = b.hash(i);
        for (int s = b.sampleStart(i), end = b.sampleEnd(i); s < end; s++) {
          out.putShort((short) 3)
              .putInt(8).putLong(id)
              .putInt(8).putLong(micros(b.timestamp(s)))
              .putInt(8).putLong(Double.doubleToRawLongBits(b.value(s)));
        }
      }
    }
    out.putShort((short) -1);
    return out.array();
  }

  /** A Unix millisecond timestamp as PostgreSQL's binary timestamptz. */
  static long micros(long unixMillis) {
    return (unixMillis - PG_EPOCH_MS) * 1000;
  }
}
