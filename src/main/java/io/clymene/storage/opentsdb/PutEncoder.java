package io.clymene.storage.opentsdb;

import io.clymene.model.SeriesBatch;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes batches for OpenTSDB's {@code /api/put} (JSON arrays of data points, split into bodies of at
 * most {@code maxBodyBytes}) or telnet {@code put} lines (each at most {@link #MAX_TELNET_LINE} bytes, the
 * TSD's line frame limit). HTTP timestamps are Unix milliseconds (13 digits, which OpenTSDB 2.x reads as
 * ms); telnet timestamps are whole Unix seconds (milliseconds dropped), as Telegraf sends them, because
 * other telnet receivers read only seconds (VictoriaMetrics 1.79 drops a 13-digit telnet timestamp as
 * "too big"); samples of one series within one second then meet at one timestamp (use {@code url} to keep
 * milliseconds).
 * Non-finite values are skipped and counted ({@link #unsupported()}); series OpenTSDB would refuse are
 * skipped and counted ({@link #rejected()}, see {@link OpenTsdbSeries}). Not thread-safe.
 */
final class PutEncoder {
  /** OpenTSDB reads telnet commands with {@code LineBasedFrameDecoder(1024)}. */
  static final int MAX_TELNET_LINE = 1024;

  /** One HTTP body and the series (packed batch index, series index) whose points it holds. */
  record Body(Buffer json, int points, long[] series) {
  }

  private static final byte[] VALUE_FIELD = ",\"value\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SPACE = {' '};
  /** One sample's timestamp, separator and value (at most 20 + 9 + 24 bytes). */
  private final byte[] scratch = new byte[64];
  private final int maxTags;
  private long unsupported;
  private long rejected;
  private String firstRejection;

  PutEncoder(int maxTags) {
    this.maxTags = maxTags;
  }

  /** Non-finite samples skipped by the last encode. */
  long unsupported() {
    return unsupported;
  }

  /** Samples of series OpenTSDB would refuse, skipped by the last encode. */
  long rejected() {
    return rejected;
  }

  /** Why the first refused series of the last encode was refused, with its labels; null if none. */
  String firstRejection() {
    return firstRejection;
  }

  /** JSON bodies of at most {@code maxBodyBytes} each ({@code [..]} of point objects). */
  List<Body> json(List<SeriesBatch> batches, int maxBodyBytes) {
    reset();
    List<Body> bodies = new ArrayList<>();
    Buffer body = Buffer.buffer(Math.min(maxBodyBytes, 64 * 1024)).appendByte((byte) '[');
    int points = 0;
    long[] series = new long[16];
    int seriesCount = 0;
    for (int b = 0; b < batches.size(); b++) {
      SeriesBatch batch = batches.get(b);
      for (int i = 0; i < batch.size(); i++) {
        OpenTsdbSeries s = accept(batch, i);
        if (s == null) {
          continue;
        }
        byte[] head = ("{\"metric\":\"" + s.metric() + "\",\"timestamp\":").getBytes(StandardCharsets.UTF_8);
        byte[] tail = tagsJson(s).getBytes(StandardCharsets.UTF_8);
        boolean listed = false;
        for (int k = batch.sampleStart(i); k < batch.sampleEnd(i); k++) {
          double v = batch.value(k);
          if (!Double.isFinite(v)) {
            unsupported++;
            continue;
          }
          int midLength = mid(batch.timestamp(k), VALUE_FIELD, v);
          int size = head.length + midLength + tail.length + 1;
          if (points > 0 && body.length() + size + 1 > maxBodyBytes) {
            bodies.add(new Body(body.appendByte((byte) ']'), points, Arrays.copyOf(series, seriesCount)));
            body = Buffer.buffer(Math.min(maxBodyBytes, 64 * 1024)).appendByte((byte) '[');
            points = 0;
            seriesCount = 0;
            listed = false;
          }
          if (points > 0) {
            body.appendByte((byte) ',');
          }
          body.appendBytes(head).appendBytes(scratch, 0, midLength).appendBytes(tail);
          points++;
          if (!listed) {
            if (seriesCount == series.length) {
              series = Arrays.copyOf(series, seriesCount * 2);
            }
            series[seriesCount++] = ((long) b << 32) | i;
            listed = true;
          }
        }
      }
    }
    if (points > 0) {
      bodies.add(new Body(body.appendByte((byte) ']'), points, Arrays.copyOf(series, seriesCount)));
    }
    return bodies;
  }

  /** Telnet {@code put <metric> <seconds> <value> <k=v ...>} lines, one per sample. */
  Buffer telnet(List<SeriesBatch> batches) {
    reset();
    Buffer out = Buffer.buffer(64 * 1024);
    for (SeriesBatch batch : batches) {
      for (int i = 0; i < batch.size(); i++) {
        OpenTsdbSeries s = accept(batch, i);
        if (s == null) {
          continue;
        }
        byte[] head = ("put " + s.metric() + " ").getBytes(StandardCharsets.UTF_8);
        StringBuilder t = new StringBuilder();
        for (int k = 0; k < s.tags().size(); k += 2) {
          t.append(' ').append(s.tags().get(k)).append('=').append(s.tags().get(k + 1));
        }
        byte[] tail = t.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        for (int k = batch.sampleStart(i); k < batch.sampleEnd(i); k++) {
          double v = batch.value(k);
          if (!Double.isFinite(v)) {
            unsupported++;
            continue;
          }
          int midLength = mid(Math.floorDiv(batch.timestamp(k), 1000), SPACE, v);
          if (head.length + midLength + tail.length > MAX_TELNET_LINE) {
            reject(batch, i, "a put line longer than " + MAX_TELNET_LINE + " bytes (the TSD's line limit)", 1);
            continue;
          }
          out.appendBytes(head).appendBytes(scratch, 0, midLength).appendBytes(tail);
        }
      }
    }
    return out;
  }

  /** Writes {@code <timestamp><separator><value>} into {@link #scratch}; returns its length. */
  private int mid(long timestamp, byte[] separator, double v) {
    int n = putLong(0, timestamp);
    System.arraycopy(separator, 0, scratch, n, separator.length);
    n += separator.length;
    return OpenTsdbSeries.isIntegral(v) ? putLong(n, (long) v) : putAscii(n, Double.toString(v));
  }

  private int putLong(int at, long v) {
    if (v == Long.MIN_VALUE) {
      return putAscii(at, Long.toString(v));
    }
    if (v < 0) {
      scratch[at++] = '-';
      v = -v;
    }
    int start = at;
    do {
      scratch[at++] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v != 0);
    for (int i = start, j = at - 1; i < j; i++, j--) {
      byte t = scratch[i];
      scratch[i] = scratch[j];
      scratch[j] = t;
    }
    return at;
  }

  private int putAscii(int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      scratch[at++] = (byte) s.charAt(i);
    }
    return at;
  }

  private void reset() {
    unsupported = 0;
    rejected = 0;
    firstRejection = null;
  }

  /** The series when OpenTSDB accepts it, else null (its samples counted as rejected). */
  private OpenTsdbSeries accept(SeriesBatch batch, int i) {
    OpenTsdbSeries s = OpenTsdbSeries.of(batch, i);
    String why = OpenTsdbSeries.rejection(s, maxTags);
    if (why == null) {
      return s;
    }
    reject(batch, i, why, batch.sampleEnd(i) - batch.sampleStart(i));
    return null;
  }

  private void reject(SeriesBatch batch, int i, String why, int samples) {
    rejected += samples;
    if (firstRejection == null) {
      firstRejection = why + ": " + batch.labels(i);
    }
  }

  private static String tagsJson(OpenTsdbSeries s) {
    // sanitised names hold no character JSON needs to escape
    StringBuilder t = new StringBuilder(",\"tags\":{");
    for (int k = 0; k < s.tags().size(); k += 2) {
      t.append(k == 0 ? "\"" : ",\"").append(s.tags().get(k)).append("\":\"").append(s.tags().get(k + 1)).append('"');
    }
    return t.append("}}").toString();
  }
}
