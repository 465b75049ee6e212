package io.clymene.storage.spill;

import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The compact binary form of a {@link SeriesBatch}, as stored in one spill record.
 *
 * <p>Layout (fixed-width fields little-endian):
 * <pre>
 *   u8      version (1)
 *   u32     series
 *   u32     samples
 *   i64     oldest timestamp   (0 when there are no samples)
 *   i64     newest timestamp
 *   varint  label bytes in total
 *   series times: varint label length, varint sample count, u64 hash
 *   label bytes   (the protobuf Label run of each series, as the batch holds them)
 *   values        (u64 raw IEEE-754 bits per sample, so NaN payloads such as StaleNaN stay exact)
 *   timestamps    (zig-zag varint of the difference to the previous sample's timestamp)
 * </pre>
 * Only the series a view ({@link SeriesBatch#slice}, {@link SeriesBatch#select}) exposes are written,
 * never its shared arrays. Scrape batches share one timestamp, so a sample costs about 9 bytes.
 * The header fields are at fixed offsets so a record's size and time range are read without decoding.
 */
public final class SeriesBatchFormat {
  /** The format version written in the first byte. */
  public static final byte VERSION = 1;
  /** Bytes before the variable part. */
  public static final int HEADER_BYTES = 1 + 4 + 4 + 8 + 8;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
      ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class,
      ByteOrder.LITTLE_ENDIAN);

  private SeriesBatchFormat() {
  }

  /** An upper bound of {@link #encode}'s output size for {@code batch}. */
  public static long maxEncodedSize(SeriesBatch batch) {
    long labels = 0;
    for (int i = 0; i < batch.size(); i++) {
      labels += batch.labelEnd(i) - batch.labelStart(i);
    }
    return HEADER_BYTES + 5 + batch.size() * (5L + 5 + 8) + labels + batch.sampleCount() * (8L + 10);
  }

  /**
   * Encodes {@code batch} at {@code pos}; the caller provides at least {@link #maxEncodedSize} bytes.
   *
   * @return the position after the encoded batch
   */
  public static int encode(SeriesBatch batch, byte[] out, int pos) {
    int series = batch.size();
    int start = pos;
    out[pos] = VERSION;
    INTS.set(out, pos + 1, series);
    INTS.set(out, pos + 5, batch.sampleCount());
    pos += HEADER_BYTES;
    int labelBytes = 0;
    for (int i = 0; i < series; i++) {
      labelBytes += batch.labelEnd(i) - batch.labelStart(i);
    }
    pos = Varint.write(out, pos, labelBytes);
    for (int i = 0; i < series; i++) {
      pos = Varint.write(out, pos, batch.labelEnd(i) - batch.labelStart(i));
      pos = Varint.write(out, pos, batch.sampleEnd(i) - batch.sampleStart(i));
      LONGS.set(out, pos, batch.hash(i));
      pos += 8;
    }
    byte[] labels = batch.labelData();
    for (int i = 0; i < series; i++) {
      int len = batch.labelEnd(i) - batch.labelStart(i);
      System.arraycopy(labels, batch.labelStart(i), out, pos, len);
      pos += len;
    }
    for (int i = 0; i < series; i++) {
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        LONGS.set(out, pos, Double.doubleToRawLongBits(batch.value(s)));
        pos += 8;
      }
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long prev = 0;
    for (int i = 0; i < series; i++) {
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        long ts = batch.timestamp(s);
        min = Math.min(min, ts);
        max = Math.max(max, ts);
        long delta = ts - prev;
        pos = Varint.write64(out, pos, (delta << 1) ^ (delta >> 63));
        prev = ts;
      }
    }
    LONGS.set(out, start + 9, batch.sampleCount() == 0 ? 0L : min);
    LONGS.set(out, start + 17, batch.sampleCount() == 0 ? 0L : max);
    return pos;
  }

  /** The number of series of the batch encoded at {@code off}. */
  public static int seriesCount(byte[] buf, int off) {
    return (int) INTS.get(buf, off + 1);
  }

  /** The number of samples of the batch encoded at {@code off}. */
  public static int sampleCount(byte[] buf, int off) {
    return (int) INTS.get(buf, off + 5);
  }

  /** The oldest sample timestamp of the batch encoded at {@code off}. */
  public static long minTimestamp(byte[] buf, int off) {
    return (long) LONGS.get(buf, off + 9);
  }

  /** The newest sample timestamp of the batch encoded at {@code off}. */
  public static long maxTimestamp(byte[] buf, int off) {
    return (long) LONGS.get(buf, off + 17);
  }

  /**
   * Decodes the batch of {@code len} bytes at {@code off}.
   *
   * @param builder a builder to reuse (reset before and after)
   * @throws IllegalArgumentException if the bytes are not a batch of this format
   */
  public static SeriesBatch decode(byte[] buf, int off, int len, SeriesBatch.Builder builder) {
    builder.reset();
    try {
      return decodeChecked(buf, off, len, builder);
    } catch (IndexOutOfBoundsException e) {
      builder.reset();
      throw new IllegalArgumentException("malformed spill record: fields run past its " + len + " bytes", e);
    }
  }

  private static SeriesBatch decodeChecked(byte[] buf, int off, int len, SeriesBatch.Builder builder) {
    int end = off + len;
    if (len < HEADER_BYTES || buf[off] != VERSION) {
      throw new IllegalArgumentException("malformed spill record: " + len + " bytes, version "
          + (len > 0 ? buf[off] : -1) + " (expected " + VERSION + ")");
    }
    int series = seriesCount(buf, off);
    int samples = sampleCount(buf, off);
    if (series < 0 || samples < 0 || series > len || samples > len) {
      throw new IllegalArgumentException("malformed spill record: " + series + " series, " + samples
          + " samples in " + len + " bytes");
    }
    long r = Varint.read(buf, off + HEADER_BYTES);
    int labelBytes = Varint.value(r);
    int headers = Varint.position(r);
    // first pass: find where the series headers end, so labels, values and timestamps can be read in step
    int p = headers;
    for (int i = 0; i < series; i++) {
      p = Varint.position(Varint.read(buf, p));
      p = Varint.position(Varint.read(buf, p)) + 8;
    }
    int labelPos = p;
    int valueStart = labelPos + labelBytes;
    int valuePos = valueStart;
    int tsPos = valueStart + 8 * samples;
    if (labelBytes < 0 || tsPos > end || tsPos < labelPos) {
      throw new IllegalArgumentException("malformed spill record: label or value section past its end");
    }
    p = headers;
    long prev = 0;
    int seen = 0;
    for (int i = 0; i < series; i++) {
      r = Varint.read(buf, p);
      int labelLen = Varint.value(r);
      r = Varint.read(buf, Varint.position(r));
      int n = Varint.value(r);
      p = Varint.position(r);
      long hash = (long) LONGS.get(buf, p);
      p += 8;
      seen += n;
      if (labelLen < 0 || n < 0 || labelPos + labelLen > valueStart || seen > samples) {
        throw new IllegalArgumentException("malformed spill record: series " + i + " exceeds its section");
      }
      builder.beginEncodedSeries(buf, labelPos, labelLen, hash);
      labelPos += labelLen;
      for (int k = 0; k < n; k++) {
        long v = 0;
        int shift = 0;
        byte b;
        do {
          if (shift > 63 || tsPos >= end) {
            throw new IllegalArgumentException("malformed spill record: bad timestamp varint");
          }
          b = buf[tsPos++];
          v |= (long) (b & 0x7F) << shift;
          shift += 7;
        } while (b < 0);
        prev += (v >>> 1) ^ -(v & 1);
        builder.sample(prev, Double.longBitsToDouble((long) LONGS.get(buf, valuePos)));
        valuePos += 8;
      }
      builder.endSeries();
    }
    if (seen != samples || labelPos != valueStart || tsPos != end) {
      builder.reset();
      throw new IllegalArgumentException("malformed spill record: " + seen + " of " + samples
          + " samples, " + (end - tsPos) + " trailing bytes");
    }
    return builder.build();
  }
}
