package io.clymene.agent.parse;

import java.nio.charset.StandardCharsets;

/**
 * The labels of the sample line being parsed, as byte ranges; reused from line to line, valid only
 * during the {@link SampleSink#sample} call. Values containing escapes point into a separate buffer.
 */
public final class ParsedLabels {
  private byte[] nameBuf;
  private int[] nameOff = new int[16];
  private int[] nameLen = new int[16];
  private byte[][] valueBuf = new byte[16][];
  private int[] valueOff = new int[16];
  private int[] valueLen = new int[16];
  private int count;
  private int seriesEnd;

  void reset(byte[] names) {
    nameBuf = names;
    count = 0;
  }

  void seriesEnd(int end) {
    this.seriesEnd = end;
  }

  /**
   * The end (exclusive) of the series text {@code name{labels}} as written in the body; from the metric
   * name's offset to here is the series' identity within one target.
   */
  public int seriesEnd() {
    return seriesEnd;
  }

  void add(int nOff, int nLen, byte[] vBuf, int vOff, int vLen) {
    if (count == nameOff.length) {
      int n = count * 2;
      nameOff = java.util.Arrays.copyOf(nameOff, n);
      nameLen = java.util.Arrays.copyOf(nameLen, n);
      valueBuf = java.util.Arrays.copyOf(valueBuf, n);
      valueOff = java.util.Arrays.copyOf(valueOff, n);
      valueLen = java.util.Arrays.copyOf(valueLen, n);
    }
    nameOff[count] = nOff;
    nameLen[count] = nLen;
    valueBuf[count] = vBuf;
    valueOff[count] = vOff;
    valueLen[count] = vLen;
    count++;
  }

  public int size() {
    return count;
  }

  /** The buffer holding every label name. */
  public byte[] nameBuffer() {
    return nameBuf;
  }

  public int nameOffset(int i) {
    return nameOff[i];
  }

  public int nameLength(int i) {
    return nameLen[i];
  }

  /** The buffer holding label {@code i}'s value (the body, or the unescape buffer). */
  public byte[] valueBuffer(int i) {
    return valueBuf[i];
  }

  public int valueOffset(int i) {
    return valueOff[i];
  }

  public int valueLength(int i) {
    return valueLen[i];
  }

  /** Label {@code i}'s name (allocates; for messages and tests). */
  public String name(int i) {
    return new String(nameBuf, nameOff[i], nameLen[i], StandardCharsets.UTF_8);
  }

  /** Label {@code i}'s value (allocates; for messages and tests). */
  public String value(int i) {
    return new String(valueBuf[i], valueOff[i], valueLen[i], StandardCharsets.UTF_8);
  }
}
