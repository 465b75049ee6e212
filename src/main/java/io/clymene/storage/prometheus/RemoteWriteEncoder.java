package io.clymene.storage.prometheus;

import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches as a Prometheus remote-write 1.0 {@code WriteRequest} protobuf. Series labels are
 * already protobuf {@code Label} messages inside the batch, so they are copied as they are; only the
 * {@code TimeSeries} envelopes and the samples are written here. Reusable, not thread-safe.
 */
public final class RemoteWriteEncoder {
  private byte[] buf = new byte[64 * 1024];

  /** Encodes the batches; returns a new array holding the uncompressed message. */
  public byte[] encode(List<SeriesBatch> batches) {
    int pos = 0;
    for (SeriesBatch b : batches) {
      byte[] labels = b.labelData();
      for (int i = 0; i < b.size(); i++) {
        int lStart = b.labelStart(i);
        int lLen = b.labelEnd(i) - lStart;
        int sStart = b.sampleStart(i);
        int sEnd = b.sampleEnd(i);
        int samplesLen = 0;
        for (int s = sStart; s < sEnd; s++) {
          int sampleLen = sampleSize(b.timestamp(s));
          samplesLen += 1 + Varint.size(sampleLen) + sampleLen;
        }
        int seriesLen = lLen + samplesLen;
        pos = ensure(pos, 1 + 5 + seriesLen);
        buf[pos++] = 0x0A; // WriteRequest.timeseries = 1
        pos = Varint.write(buf, pos, seriesLen);
        System.arraycopy(labels, lStart, buf, pos, lLen);
        pos += lLen;
        for (int s = sStart; s < sEnd; s++) {
          long ts = b.timestamp(s);
          buf[pos++] = 0x12; // TimeSeries.samples = 2
          pos = Varint.write(buf, pos, sampleSize(ts));
          buf[pos++] = 0x09; // Sample.value = 1, fixed64
          pos = putDouble(buf, pos, b.value(s));
          buf[pos++] = 0x10; // Sample.timestamp = 2, varint
          pos = Varint.write64(buf, pos, ts);
        }
      }
    }
    return Arrays.copyOf(buf, pos);
  }

  private static int sampleSize(long ts) {
    return 1 + 8 + 1 + Varint.size64(ts);
  }

  private static int putDouble(byte[] b, int pos, double v) {
    long bits = Double.doubleToRawLongBits(v);
    for (int k = 0; k < 8; k++) {
      b[pos++] = (byte) (bits >>> (8 * k));
    }
    return pos;
  }

  private int ensure(int pos, int extra) {
    if (pos + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(pos + extra, buf.length * 2));
    }
    return pos;
  }
}
