package io.clymene.model;

/**
 * Protobuf base-128 varints on byte arrays. {@link #read} packs the value and the position after it into
 * one long so that readers need no holder object.
 */
public final class Varint {

  private Varint() {
  }

  /** Encoded size of an unsigned 32-bit value. */
  public static int size(int value) {
    if ((value & (~0 << 7)) == 0) {
      return 1;
    }
    if ((value & (~0 << 14)) == 0) {
      return 2;
    }
    if ((value & (~0 << 21)) == 0) {
      return 3;
    }
    if ((value & (~0 << 28)) == 0) {
      return 4;
    }
    return 5;
  }

  /** Encoded size of a 64-bit value (negative values take 10 bytes, as protobuf int64 does). */
  public static int size64(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes an unsigned 32-bit varint; returns the position after it. */
  public static int write(byte[] buf, int pos, int value) {
    while ((value & ~0x7F) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
    return pos;
  }

  /** Writes a 64-bit varint; returns the position after it. */
  public static int write64(byte[] buf, int pos, long value) {
    while ((value & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
    return pos;
  }

  /**
   * Reads an unsigned 32-bit varint at {@code pos}.
   *
   * @return the value in the low 32 bits and the position after it in the high 32 bits
   */
  public static long read(byte[] buf, int pos) {
    int result = 0;
    int shift = 0;
    while (true) {
      byte b = buf[pos++];
      result |= (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
      if (shift > 28) {
        // tolerate up to 10 bytes as protobuf does for negative int32, keep the low bits
        while (buf[pos++] < 0) {
          // skip continuation bytes
        }
        break;
      }
    }
    return ((long) pos << 32) | (result & 0xFFFFFFFFL);
  }

  /** The value part of {@link #read}'s result. */
  public static int value(long packed) {
    return (int) packed;
  }

  /** The position part of {@link #read}'s result. */
  public static int position(long packed) {
    return (int) (packed >>> 32);
  }
}
