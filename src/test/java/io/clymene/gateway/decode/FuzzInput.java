package io.clymene.gateway.decode;

import java.util.Arrays;

/**
 * Reads choices from a fuzzer's byte input, front to back, so that structure-aware fuzz targets can build
 * a valid request from it and the fuzzer's mutations stay local. Past the end every read returns zero.
 */
public final class FuzzInput {
  private final byte[] data;
  private int pos;

  public FuzzInput(byte[] data) {
    this.data = data;
  }

  /** The next byte, 0..255. */
  public int nextByte() {
    return pos < data.length ? data[pos++] & 0xFF : 0;
  }

  /** A number in {@code [0, bound)}, for {@code 0 < bound <= 65536}. */
  public int nextInt(int bound) {
    int v = bound <= 256 ? nextByte() : nextByte() << 8 | nextByte();
    return v % bound;
  }

  public boolean nextBoolean() {
    return (nextByte() & 1) != 0;
  }

  /** Eight bytes, big-endian. */
  public long nextLong() {
    long v = 0;
    for (int k = 0; k < 8; k++) {
      v = v << 8 | nextByte();
    }
    return v;
  }

  /** Up to {@code max} bytes, the count read first. */
  public byte[] nextBytes(int max) {
    int n = Math.min(nextInt(max + 1), data.length - pos);
    byte[] b = Arrays.copyOfRange(data, pos, pos + Math.max(n, 0));
    pos += b.length;
    return b;
  }

  /** Everything not yet read. */
  public byte[] remaining() {
    byte[] b = Arrays.copyOfRange(data, Math.min(pos, data.length), data.length);
    pos = data.length;
    return b;
  }
}
