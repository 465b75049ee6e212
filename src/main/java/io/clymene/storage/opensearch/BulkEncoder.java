package io.clymene.storage.opensearch;

import io.clymene.model.Bytes;
import io.clymene.model.SeriesBatch;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches as a bulk API body (NDJSON, every line ending in {@code \n}): for each sample a
 * {@code create} action with a deterministic {@code _id} (the series hash in 16 hex digits, {@code -}, the
 * millisecond timestamp), so a replayed sample is refused with 409 instead of stored twice, then the
 * document {@code {"@timestamp":ms,"value":v,<label>:"<value>",...}}. Labels named {@code value} or
 * {@code @timestamp} become {@code label_value} and {@code label_@timestamp}. Non-finite values (NaN, the
 * stale marker, ±Inf) cannot be stored in a {@code double} field and are left out, counted by
 * {@link BulkRequest#skipped()}. Used on one context; not thread-safe (it reuses its buffers).
 */
final class BulkEncoder {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final String prefix;
  private final IndexMode mode;
  private final byte[] fixedIndex;
  private long cachedDay = Long.MIN_VALUE;
  private byte[] cachedIndex;
  private byte[] buf = new byte[256 * 1024];
  private int len;
  private byte[] labels = new byte[1024];
  private int labelsLen;

  BulkEncoder(String index, IndexMode mode) {
    this.prefix = index;
    this.mode = mode;
    this.fixedIndex = index.getBytes(StandardCharsets.UTF_8);
  }

  /** Encodes the batches; the request owns its arrays. */
  BulkRequest encode(List<SeriesBatch> batches) {
    len = 0;
    int samples = 0;
    for (SeriesBatch b : batches) {
      samples += b.sampleCount();
    }
    int[] itemBatch = new int[samples];
    int[] itemSeries = new int[samples];
    int items = 0;
    int skipped = 0;
    int[] skippedBatch = null;
    int[] skippedSeries = null;
    for (int bi = 0; bi < batches.size(); bi++) {
      SeriesBatch b = batches.get(bi);
      for (int i = 0; i < b.size(); i++) {
        labelsLen = 0;
        b.forEachLabel(i, this::label);
        long hash = b.hash(i);
        for (int s = b.sampleStart(i); s < b.sampleEnd(i); s++) {
          double v = b.value(s);
          if (!Double.isFinite(v)) {
            if (skippedBatch == null || skipped == skippedBatch.length) {
              skippedBatch = skippedBatch == null ? new int[8] : Arrays.copyOf(skippedBatch, skipped * 2);
              skippedSeries = skippedSeries == null ? new int[8] : Arrays.copyOf(skippedSeries, skipped * 2);
            }
            skippedBatch[skipped] = bi;
            skippedSeries[skipped] = i;
            skipped++;
            continue;
          }
          long ts = b.timestamp(s);
          ascii("{\"create\":{\"_index\":\"");
          bytes(index(ts));
          ascii("\",\"_id\":\"");
          for (int shift = 60; shift >= 0; shift -= 4) {
            buf[len++] = HEX[(int) (hash >>> shift) & 0xF];
          }
          buf[len++] = '-';
          ascii(Long.toString(ts));
          ascii("\"}}\n{\"@timestamp\":");
          ascii(Long.toString(ts));
          ascii(",\"value\":");
          ascii(number(v));
          ensure(labelsLen);
          System.arraycopy(labels, 0, buf, len, labelsLen);
          len += labelsLen;
          ascii("}\n");
          itemBatch[items] = bi;
          itemSeries[items] = i;
          items++;
        }
      }
    }
    return new BulkRequest(Buffer.buffer(Arrays.copyOf(buf, len)), itemBatch, itemSeries, items,
        skipped == 0 ? new int[0] : Arrays.copyOf(skippedBatch, skipped),
        skipped == 0 ? new int[0] : Arrays.copyOf(skippedSeries, skipped));
  }

  /** The index (or data stream) of a sample. */
  private byte[] index(long timestampMs) {
    if (mode != IndexMode.DAILY) {
      return fixedIndex;
    }
    long day = IndexMode.day(timestampMs);
    if (day != cachedDay) {
      cachedDay = day;
      cachedIndex = IndexMode.dailyIndex(prefix, day).getBytes(StandardCharsets.UTF_8);
    }
    return cachedIndex;
  }

  /** Appends {@code ,"name":"value"} of one label to the series' label fragment. */
  private void label(byte[] d, int no, int nl, int vo, int vl) {
    putLabel((byte) ',');
    putLabel((byte) '"');
    if (Bytes.equalsAscii(d, no, nl, "value") || Bytes.equalsAscii(d, no, nl, "@timestamp")) {
      for (byte c : "label_".getBytes(StandardCharsets.US_ASCII)) {
        putLabel(c);
      }
    }
    escaped(d, no, nl);
    putLabel((byte) '"');
    putLabel((byte) ':');
    putLabel((byte) '"');
    escaped(d, vo, vl);
    putLabel((byte) '"');
  }

  /** JSON string escaping of UTF-8 bytes: quote, backslash and control characters. */
  private void escaped(byte[] d, int off, int n) {
    for (int k = off; k < off + n; k++) {
      byte c = d[k];
      if (c == '"' || c == '\\') {
        putLabel((byte) '\\');
        putLabel(c);
      } else if (c >= 0 && c < 0x20) {
        putLabel((byte) '\\');
        putLabel((byte) 'u');
        putLabel((byte) '0');
        putLabel((byte) '0');
        putLabel(HEX[c >> 4]);
        putLabel(HEX[c & 0xF]);
      } else {
        putLabel(c);
      }
    }
  }

  /** A finite double as a JSON number: integral values below 10^15 as {@code N.0}, others as Java prints them. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return (long) v + ".0";
    }
    return Double.toString(v);
  }

  private void putLabel(byte c) {
    if (labelsLen == labels.length) {
      labels = Arrays.copyOf(labels, labels.length * 2);
    }
    labels[labelsLen++] = c;
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int k = 0; k < s.length(); k++) {
      buf[len++] = (byte) s.charAt(k);
    }
  }

  private void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
