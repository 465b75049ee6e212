package io.clymene.gateway.decode;

import io.clymene.model.Hashing;
import io.clymene.model.SeriesBatch;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What every batch a decoder returns must satisfy, checked independently of {@link SeriesBatch}'s own
 * accessors: each series' label bytes parse as remote-write {@code Label} messages, names are non-empty,
 * strictly increasing in unsigned byte order and valid UTF-8, values are non-empty valid UTF-8, there is a
 * non-empty {@code __name__}, the hash is the hash of the label bytes, and every series has at least one
 * sample with the sample ranges tiling the batch. Used by the decoders' fuzz tests; throws
 * {@link AssertionError}.
 */
public final class SeriesBatchInvariants {
  private static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);

  private SeriesBatchInvariants() {
  }

  /** One decoded label, as strings. */
  public record Label(String name, String value) {
  }

  /** Checks the batch and returns each series' labels in stored order. */
  public static List<List<Label>> check(SeriesBatch batch) {
    List<List<Label>> all = new ArrayList<>(batch.size());
    int samples = 0;
    for (int i = 0; i < batch.size(); i++) {
      int n = batch.sampleEnd(i) - batch.sampleStart(i);
      require(n >= 1, "series %d has %d samples", i, n);
      require(batch.sampleStart(i) == samples, "series %d samples start at %d, expected %d", i,
          batch.sampleStart(i), samples);
      samples += n;
      all.add(labels(batch, i));
    }
    require(samples == batch.sampleCount(), "sampleCount %d, series hold %d", batch.sampleCount(), samples);
    return all;
  }

  private static List<Label> labels(SeriesBatch batch, int i) {
    byte[] d = batch.labelData();
    int pos = batch.labelStart(i);
    int end = batch.labelEnd(i);
    require(0 <= pos && pos <= end && end <= d.length, "series %d label range [%d, %d) of %d", i, pos, end,
        d.length);
    require(batch.hash(i) == Hashing.hash64(d, pos, end - pos), "series %d hash mismatch", i);
    List<Label> out = new ArrayList<>();
    boolean hasName = false;
    int prevOff = -1;
    int prevLen = 0;
    while (pos < end) {
      require((d[pos++] & 0xFF) == 0x0A, "series %d: label tag at %d", i, pos - 1);
      int[] r = varint(d, pos, end);
      int labelEnd = r[1] + r[0];
      require(labelEnd <= end, "series %d: label runs past the series", i);
      pos = r[1];
      require((d[pos++] & 0xFF) == 0x0A, "series %d: name tag", i);
      r = varint(d, pos, labelEnd);
      int nOff = r[1];
      int nLen = r[0];
      require(nOff + nLen < labelEnd, "series %d: name runs past the label", i);
      pos = nOff + nLen;
      require((d[pos++] & 0xFF) == 0x12, "series %d: value tag", i);
      r = varint(d, pos, labelEnd);
      int vOff = r[1];
      int vLen = r[0];
      require(vOff + vLen == labelEnd, "series %d: value does not end the label", i);
      pos = labelEnd;

      require(nLen > 0, "series %d: empty label name", i);
      require(vLen > 0, "series %d: empty label value", i);
      String name = utf8(d, nOff, nLen, i);
      String value = utf8(d, vOff, vLen, i);
      if (prevOff >= 0) {
        require(Arrays.compareUnsigned(d, prevOff, prevOff + prevLen, d, nOff, nOff + nLen) < 0,
            "series %d: labels not strictly increasing at \"%s\"", i, name);
      }
      prevOff = nOff;
      prevLen = nLen;
      hasName |= Arrays.equals(d, nOff, nOff + nLen, METRIC_NAME, 0, METRIC_NAME.length);
      out.add(new Label(name, value));
    }
    require(hasName, "series %d has no __name__: %s", i, out);
    return out;
  }

  /** Returns {value, position after}. */
  private static int[] varint(byte[] d, int pos, int end) {
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      require(pos < end, "truncated varint");
      byte b = d[pos++];
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        require(v <= Integer.MAX_VALUE, "varint %d too large", v);
        return new int[] {(int) v, pos};
      }
    }
    throw new AssertionError("varint too long");
  }

  private static String utf8(byte[] d, int off, int len, int series) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(d, off, len)).toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("series " + series + ": invalid UTF-8 in a label");
    }
  }

  /** True if the bytes are strict UTF-8 (what the decoders must accept and nothing more). */
  public static boolean isUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Throws an {@link AssertionError} with the formatted message unless {@code ok}. */
  public static void require(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new AssertionError(String.format(format, args));
    }
  }

  /** The only acceptable failure of a decoder: a typed 400, 413 or 415 with a message. */
  public static void checkRejection(DecodeException e) {
    require(e.status() == 400 || e.status() == 413 || e.status() == 415, "status %d: %s", e.status(),
        e.getMessage());
    require(e.getMessage() != null && !e.getMessage().isBlank(), "status %d without a message", e.status());
  }
}
