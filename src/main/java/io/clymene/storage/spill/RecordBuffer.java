package io.clymene.storage.spill;

import io.clymene.model.SeriesBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Framed spill records in one reusable buffer, so that an append writes many records with one system
 * call. A record is {@code [u32 payload length][u32 CRC32C][payload]}, little-endian; the checksum
 * covers the length field and the payload, so a torn or damaged record, including its length, is
 * detected. Not thread-safe.
 */
final class RecordBuffer {
  /** Bytes of a record's frame before its payload. */
  static final int FRAME_BYTES = 8;
  /** A buffer grown beyond this for one huge append is not kept. */
  private static final int MAX_RETAINED = 16 << 20;

  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class,
      ByteOrder.LITTLE_ENDIAN);

  private final CRC32C crc = new CRC32C();
  private byte[] buf = new byte[64 * 1024];
  private int length;
  private int count;
  private int[] starts = new int[16];
  private int[] samples = new int[16];
  private long[] minTs = new long[16];
  private long[] maxTs = new long[16];

  void clear() {
    if (buf.length > MAX_RETAINED) {
      buf = new byte[64 * 1024];
    }
    length = 0;
    count = 0;
  }

  /** Frames and encodes one batch after the records already buffered. */
  void add(SeriesBatch batch) {
    long need = length + FRAME_BYTES + SeriesBatchFormat.maxEncodedSize(batch);
    if (need > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("batch too large to spill: " + batch);
    }
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, buf.length * 2L)));
    }
    if (count == starts.length) {
      int n = count * 2;
      starts = Arrays.copyOf(starts, n);
      samples = Arrays.copyOf(samples, n);
      minTs = Arrays.copyOf(minTs, n);
      maxTs = Arrays.copyOf(maxTs, n);
    }
    int start = length;
    int payload = start + FRAME_BYTES;
    int end = SeriesBatchFormat.encode(batch, buf, payload);
    INTS.set(buf, start, end - payload);
    INTS.set(buf, start + 4, checksum(crc, buf, start, end - payload));
    starts[count] = start;
    samples[count] = batch.sampleCount();
    minTs[count] = SeriesBatchFormat.minTimestamp(buf, payload);
    maxTs[count] = SeriesBatchFormat.maxTimestamp(buf, payload);
    count++;
    length = end;
  }

  /** The CRC32C of a record framed at {@code start} with a payload of {@code payloadLength} bytes. */
  static int checksum(CRC32C crc, byte[] buf, int start, int payloadLength) {
    crc.reset();
    crc.update(buf, start, 4);
    crc.update(buf, start + FRAME_BYTES, payloadLength);
    return (int) crc.getValue();
  }

  /** The payload length field of the record framed at {@code start}. */
  static int payloadLength(byte[] buf, int start) {
    return (int) INTS.get(buf, start);
  }

  /** The stored checksum of the record framed at {@code start}. */
  static int storedChecksum(byte[] buf, int start) {
    return (int) INTS.get(buf, start + 4);
  }

  byte[] array() {
    return buf;
  }

  int count() {
    return count;
  }

  int start(int record) {
    return starts[record];
  }

  /** Framed size of a record. */
  int size(int record) {
    return (record + 1 < count ? starts[record + 1] : length) - starts[record];
  }

  int samples(int record) {
    return samples[record];
  }

  long minTs(int record) {
    return minTs[record];
  }

  long maxTs(int record) {
    return maxTs[record];
  }
}
