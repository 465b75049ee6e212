package io.clymene.storage.lineprotocol;

import io.clymene.model.Bytes;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches as InfluxDB line protocol: measurement = metric name, tags = the other labels, the sample
 * in field {@code value}, millisecond timestamps (send with {@code precision=ms}). One line per sample:
 * {@code <metric>[,<tag>=<value>...] value=<float> <ms>}. Names and values are escaped as line protocol
 * requires, newlines in label values become spaces (a line cannot carry them), and the {@link
 * LineProtocolDialect} decides the rest (renamed labels, {@code :} in names, NaN and ±Inf). Not
 * thread-safe: one encoder per writer shard; its buffers are reused.
 */
public final class LineProtocolEncoder {
  private static final byte[] METRIC_NAME = Labels.METRIC_NAME.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LABEL_PREFIX = "label_".getBytes(StandardCharsets.US_ASCII);
  private static final String UNNAMED = "unnamed";

  private final LineProtocolDialect dialect;
  private final byte[][] clashing;
  private byte[] buf = new byte[64 * 1024];
  private int len;
  private byte[] key = new byte[1024];
  private int keyLen;
  private long skipped;

  /** An encoder for one store's rules. */
  public LineProtocolEncoder(LineProtocolDialect dialect) {
    this.dialect = dialect;
    this.clashing = dialect.clashing().stream().map(s -> s.getBytes(StandardCharsets.US_ASCII))
        .toArray(byte[][]::new);
  }

  /** Encodes the batches; the returned array is a copy owned by the caller. */
  public byte[] encode(List<SeriesBatch> batches) {
    len = 0;
    skipped = 0;
    boolean nonFinite = dialect.storesNonFinite();
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        boolean keyed = false;
        for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
          double v = b.value(s);
          if (!nonFinite && !Double.isFinite(v)) {
            skipped++;
            continue;
          }
          if (!keyed) {
            encodeKey(b, i);
            keyed = true;
          }
          ensure(keyLen + 64);
          System.arraycopy(key, 0, buf, len, keyLen);
          len += keyLen;
          appendAscii(" value=");
          appendDouble(v);
          buf[len++] = ' ';
          appendAscii(Long.toString(b.timestamp(s)));
          buf[len++] = '\n';
        }
      }
    }
    return Arrays.copyOf(buf, len);
  }

  /** Samples the last {@link #encode} left out because the dialect cannot store them (NaN, ±Inf, stale). */
  public long skipped() {
    return skipped;
  }

  /** Builds "measurement,tag=value,..." for series i into {@link #key}. */
  private void encodeKey(SeriesBatch b, int i) {
    keyLen = 0;
    int[] nameRange = {-1, 0};
    byte[] data = b.labelData();
    b.forEachLabel(i, (d, no, nl, vo, vl) -> {
      if (nl == METRIC_NAME.length && Bytes.equals(d, no, METRIC_NAME, 0, nl)) {
        nameRange[0] = vo;
        nameRange[1] = vl;
      }
    });
    if (nameRange[0] < 0 || nameRange[1] == 0) {
      for (int k = 0; k < UNNAMED.length(); k++) {
        putKey((byte) UNNAMED.charAt(k));
      }
    } else {
      for (int k = 0; k < nameRange[1]; k++) {
        byte c = data[nameRange[0] + k];
        putEscaped(c == ':' && dialect.colonToUnderscore() ? (byte) '_' : c, false);
      }
    }
    b.forEachLabel(i, (d, no, nl, vo, vl) -> {
      if (nl == METRIC_NAME.length && Bytes.equals(d, no, METRIC_NAME, 0, nl)
          || vl == 0 && dialect.omitEmptyTags()) {
        return;
      }
      putKey((byte) ',');
      if (clashes(d, no, nl)) {
        for (byte c : LABEL_PREFIX) {
          putKey(c);
        }
      }
      for (int k = 0; k < nl; k++) {
        putEscaped(d[no + k], true);
      }
      putKey((byte) '=');
      for (int k = 0; k < vl; k++) {
        byte c = d[vo + k];
        putEscaped(c == '\n' || c == '\r' ? (byte) ' ' : c, true);
      }
    });
  }

  private boolean clashes(byte[] d, int offset, int length) {
    for (byte[] c : clashing) {
      if (c.length == length && Bytes.equals(d, offset, c, 0, length)) {
        return true;
      }
    }
    return false;
  }

  private void putEscaped(byte c, boolean tag) {
    if (c == ',' || c == ' ' || (tag && c == '=') || c == '\\') {
      putKey((byte) '\\');
    }
    putKey(c);
  }

  private void putKey(byte c) {
    if (keyLen == key.length) {
      key = Arrays.copyOf(key, key.length * 2);
    }
    key[keyLen++] = c;
  }

  private void appendDouble(double v) {
    if (Double.isNaN(v)) {
      appendAscii("NaN");
    } else if (Double.isInfinite(v)) {
      appendAscii(v > 0 ? "Infinity" : "-Infinity");
    } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      appendAscii(Long.toString((long) v));
      appendAscii(".0");
    } else {
      appendAscii(Double.toString(v));
    }
  }

  private void appendAscii(String s) {
    ensure(s.length());
    for (int k = 0; k < s.length(); k++) {
      buf[len++] = (byte) s.charAt(k);
    }
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(len + extra, buf.length * 2));
    }
  }
}
