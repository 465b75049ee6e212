package io.clymene.codec.json;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;


/**
 * Writes the {@code json-lines} format: one flat JSON object per sample, newline-terminated, labels first
 * (in label-name order) then {@code timestamp} (Unix ms) and {@code value} (Go's shortest float with a
 * {@code .0} or exponent; {@code "NaN"}, {@code "+Inf"}, {@code "-Inf"}, {@code "StaleNaN"} as strings),
 * labels named {@code timestamp}, {@code value} or starting with {@code label:} prefixed with {@code label:}.
 * Kafka's {@code json-lines} records and the {@code file} and {@code stdout} storage write it, so one reader
 * serves all of them (the Kafka codec documents and reads it). Reusable, not thread-safe.
 */
public final class JsonLinesEncoder {
  /** The prefix of label names that would collide with {@code timestamp}, {@code value} or the prefix. */
  public static final String ESCAPE_PREFIX = "label:";
  private static final byte[] TIMESTAMP = "timestamp".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VALUE = "value".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PREFIX = ESCAPE_PREFIX.getBytes(StandardCharsets.US_ASCII);

  private final GoJsonWriter out = new GoJsonWriter();

  /** The lines of every sample of the batches, in order; the array is the caller's. */
  public byte[] encode(List<SeriesBatch> batches) {
    GoJsonWriter w = out;
    w.reset();
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        int from = b.sampleStart(i);
        int to = b.sampleEnd(i);
        if (from == to) {
          continue;
        }
        int labelsStart = w.length();
        w.raw('{');
        b.forEachLabel(i, this::writeLabel);
        int labelsEnd = w.length();
        for (int s = from; s < to; s++) {
          if (s > from) {
            w.repeat(labelsStart, labelsEnd);
          }
          w.raw("\"timestamp\":").number(b.timestamp(s)).raw(",\"value\":");
          writeValue(b.value(s));
          w.raw("}\n");
        }
      }
    }
    return w.toByteArray();
  }

  private void writeLabel(byte[] buf, int nameOff, int nameLen, int valueOff, int valueLen) {
    GoJsonWriter w = out;
    if (needsEscape(buf, nameOff, nameLen)) {
      byte[] escaped = new byte[PREFIX.length + nameLen];
      System.arraycopy(PREFIX, 0, escaped, 0, PREFIX.length);
      System.arraycopy(buf, nameOff, escaped, PREFIX.length, nameLen);
      w.string(escaped, 0, escaped.length);
    } else {
      w.string(buf, nameOff, nameLen);
    }
    w.raw(':').string(buf, valueOff, valueLen).raw(',');
  }

  private static boolean needsEscape(byte[] buf, int off, int len) {
    return Arrays.equals(buf, off, off + len, TIMESTAMP, 0, TIMESTAMP.length)
        || Arrays.equals(buf, off, off + len, VALUE, 0, VALUE.length)
        || (len >= PREFIX.length && Arrays.equals(buf, off, off + PREFIX.length, PREFIX, 0, PREFIX.length));
  }

  private void writeValue(double v) {
    GoJsonWriter w = out;
    if (Double.isNaN(v)) {
      w.raw(StaleMarkers.isStale(v) ? "\"StaleNaN\"" : "\"NaN\"");
    } else if (Double.isInfinite(v)) {
      w.raw(v > 0 ? "\"+Inf\"" : "\"-Inf\"");
    } else {
      String s = GoJsonWriter.formatGoFloat(v);
      w.raw(s);
      if (s.indexOf('.') < 0 && s.indexOf('e') < 0) {
        w.raw(".0");
      }
    }
  }

}
