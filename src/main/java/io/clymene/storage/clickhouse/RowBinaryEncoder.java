package io.clymene.storage.clickhouse;

import io.clymene.model.Bytes;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches as ClickHouse {@code RowBinary} rows of the samples table, one row per sample, columns in
 * the order of {@link #COLUMNS}: {@code metric_name String, fingerprint UInt64, labels.name Array(String),
 * labels.value Array(String), date Date, timestamp_ms Int64, value Float64}.
 *
 * <p>Read straight from the batch's columns, without objects per sample or per label: a series' leading
 * columns (name, fingerprint = {@link SeriesBatch#hash}, the labels other than {@code __name__} in name order)
 * are encoded once and copied for each further sample. RowBinary: strings and arrays are an unsigned LEB128
 * length or count followed by the bytes or elements, numbers little-endian, {@code Date} the UInt16 day
 * number since 1970-01-01 (UTC day of the timestamp, kept within 0..65535). Values are written bit for bit,
 * so NaN, ±Inf and Prometheus' stale marker arrive as they are. Not thread-safe: one encoder per writer,
 * used on its context.
 */
final class RowBinaryEncoder implements SeriesBatch.LabelVisitor {
  /** The insert's column list, in the order rows are encoded. */
  static final String COLUMNS = "metric_name, fingerprint, labels.name, labels.value, date, timestamp_ms, value";
  private static final long MS_PER_DAY = 86_400_000L;
  /** A scratch buffer grown beyond this is not kept between requests. */
  private static final int KEEP_BYTES = 16 << 20;

  private byte[] buf = new byte[64 << 10];
  private int pos;
  // label visitor state: 0 = count labels and find the metric name, 1 = write names, 2 = write values
  private int pass;
  private int labelCount;
  private byte[] labelData;
  private int nameOff;
  private int nameLen;

  /** The rows of every sample of {@code batches}, in order. */
  Buffer encode(List<SeriesBatch> batches) {
    pos = 0;
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        series(b, i);
      }
    }
    Buffer out = Buffer.buffer(pos).appendBytes(buf, 0, pos);
    if (buf.length > KEEP_BYTES) {
      buf = new byte[64 << 10];
    }
    return out;
  }

  private void series(SeriesBatch b, int i) {
    int start = b.sampleStart(i);
    int end = b.sampleEnd(i);
    if (start == end) {
      return;
    }
    labelData = b.labelData();
    labelCount = 0;
    nameLen = 0;
    pass = 0;
    b.forEachLabel(i, this);
    int prefixStart = pos;
    ensure(Varint.size(nameLen) + nameLen + 8 + 2 * Varint.size(labelCount) + (b.labelEnd(i) - b.labelStart(i)));
    string(labelData, nameOff, nameLen);
    longLe(b.hash(i));
    pos = Varint.write(buf, pos, labelCount);
    pass = 1;
    b.forEachLabel(i, this);
    pos = Varint.write(buf, pos, labelCount);
    pass = 2;
    b.forEachLabel(i, this);
    int prefixLen = pos - prefixStart;
    for (int s = start; s < end; s++) {
      if (s > start) {
        ensure(prefixLen + 18);
        System.arraycopy(buf, prefixStart, buf, pos, prefixLen);
        pos += prefixLen;
      } else {
        ensure(18);
      }
      long ts = b.timestamp(s);
      int day = (int) Math.max(0, Math.min(0xFFFF, Math.floorDiv(ts, MS_PER_DAY)));
      buf[pos++] = (byte) day;
      buf[pos++] = (byte) (day >>> 8);
      longLe(ts);
      longLe(Double.doubleToRawLongBits(b.value(s)));
    }
  }

  @Override
  public void label(byte[] data, int nOff, int nLen, int vOff, int vLen) {
    if (Bytes.equalsAscii(data, nOff, nLen, Labels.METRIC_NAME)) {
      if (pass == 0) {
        nameOff = vOff;
        nameLen = vLen;
      }
      return;
    }
    switch (pass) {
      case 0 -> labelCount++;
      case 1 -> string(data, nOff, nLen);
      default -> string(data, vOff, vLen);
    }
  }

  /** Capacity was ensured by the caller (a series' label bytes bound its strings and their lengths). */
  private void string(byte[] data, int off, int len) {
    pos = Varint.write(buf, pos, len);
    System.arraycopy(data, off, buf, pos, len);
    pos += len;
  }

  private void longLe(long v) {
    for (int k = 0; k < 8; k++) {
      buf[pos++] = (byte) (v >>> (8 * k));
    }
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }
}
