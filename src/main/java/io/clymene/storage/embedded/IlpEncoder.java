package io.clymene.storage.embedded;

import io.clymene.model.Bytes;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches as InfluxDB line protocol for QuestDB: one table per metric name, labels as tags
 * (symbol columns), the sample in field {@code value}, millisecond timestamps. QuestDB's rules are
 * applied: a {@code :} in a metric name becomes {@code _} (table names cannot hold it), labels named
 * {@code value} or {@code timestamp} become {@code label_value} and {@code label_timestamp}, and
 * newlines in label values become spaces (line protocol cannot carry them).
 */
public final class IlpEncoder {
  private static final byte[] METRIC_NAME = Labels.METRIC_NAME.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final String UNNAMED = "unnamed";

  private byte[] buf = new byte[64 * 1024];
  private int len;
  private byte[] key = new byte[1024];
  private int keyLen;

  /** Encodes the batches; the returned array is a copy owned by the caller. */
  public byte[] encode(List<SeriesBatch> batches) {
    len = 0;
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        encodeKey(b, i);
        for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
          ensure(keyLen + 64);
          System.arraycopy(key, 0, buf, len, keyLen);
          len += keyLen;
          appendAscii(" value=");
          appendDouble(b.value(s));
          buf[len++] = ' ';
          appendAscii(Long.toString(b.timestamp(s)));
          buf[len++] = '\n';
        }
      }
    }
    return Arrays.copyOf(buf, len);
  }

  /** Builds "table,tag=value,..." for series i into {@link #key}. */
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
    if (nameRange[0] < 0) {
      for (int k = 0; k < UNNAMED.length(); k++) {
        putKey((byte) UNNAMED.charAt(k));
      }
    } else {
      for (int k = 0; k < nameRange[1]; k++) {
        byte c = data[nameRange[0] + k];
        putEscaped(c == ':' ? (byte) '_' : c, false);
      }
    }
    b.forEachLabel(i, (d, no, nl, vo, vl) -> {
      if (nl == METRIC_NAME.length && Bytes.equals(d, no, METRIC_NAME, 0, nl)) {
        return;
      }
      putKey((byte) ',');
      if (Bytes.equalsAscii(d, no, nl, "value") || Bytes.equalsAscii(d, no, nl, "timestamp")) {
        for (byte c : "label_".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
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
