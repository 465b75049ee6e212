package io.clymene.storage.prometheus;

import io.clymene.model.MetricMetadata;
import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches as a Prometheus remote-write 1.0 {@code WriteRequest} protobuf. Series labels are
 * already protobuf {@code Label} messages inside the batch, so they are copied as they are; only the
 * {@code TimeSeries} envelopes and the samples are written here. Metric metadata, when given, follows
 * as the optional {@code repeated MetricMetadata metadata = 3}. Reusable, not thread-safe.
 */
public final class RemoteWriteEncoder {
  private byte[] buf = new byte[64 * 1024];

  /** Encodes the batches; returns a new array holding the uncompressed message. */
  public byte[] encode(List<SeriesBatch> batches) {
    return encode(batches, List.of());
  }

  /**
   * Encodes the batches and metric metadata (either may be empty: Prometheus sends metadata in
   * requests of their own); returns a new array holding the uncompressed message.
   */
  public byte[] encode(List<SeriesBatch> batches, List<MetricMetadata> metadata) {
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
    for (MetricMetadata m : metadata) {
      pos = encodeMetadata(m, pos);
    }
    return Arrays.copyOf(buf, pos);
  }

  private int encodeMetadata(MetricMetadata m, int pos) {
    // not on the per-sample path: metadata is sent rarely, so plain String encoding is fine here
    byte[] family = m.family().getBytes(StandardCharsets.UTF_8);
    byte[] help = m.help().getBytes(StandardCharsets.UTF_8);
    byte[] unit = m.unit().getBytes(StandardCharsets.UTF_8);
    int type = m.type().wireValue();
    int len = (type == 0 ? 0 : 2) + bytesFieldSize(family) + bytesFieldSize(help) + bytesFieldSize(unit);
    pos = ensure(pos, 1 + 5 + len);
    buf[pos++] = 0x1A; // WriteRequest.metadata = 3
    pos = Varint.write(buf, pos, len);
    if (type != 0) {
      buf[pos++] = 0x08; // MetricMetadata.type = 1
      buf[pos++] = (byte) type;
    }
    pos = writeBytes(0x12, family, pos); // metric_family_name = 2
    pos = writeBytes(0x22, help, pos); // help = 4
    return writeBytes(0x2A, unit, pos); // unit = 5
  }

  /** Size of an optional string field: nothing when empty, as proto3 encodes defaults. */
  private static int bytesFieldSize(byte[] b) {
    return b.length == 0 ? 0 : 1 + Varint.size(b.length) + b.length;
  }

  private int writeBytes(int tag, byte[] b, int pos) {
    if (b.length == 0) {
      return pos;
    }
    buf[pos++] = (byte) tag;
    pos = Varint.write(buf, pos, b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    return pos + b.length;
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
