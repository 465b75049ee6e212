package io.clymene.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A fast 64-bit hash of byte ranges (wyhash's structure: 64x64 to 128-bit multiply-and-fold over
 * 16-byte blocks), used to identify series. Good distribution, few instructions per byte.
 */
public final class Hashing {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long S0 = 0xa0761d6478bd642fL;
  private static final long S1 = 0xe7037ed1a0b428dbL;
  private static final long S2 = 0x8ebc6af09c88c6e3L;
  private static final long S3 = 0x589965cc75374cc3L;

  private Hashing() {
  }

  private static long mix(long a, long b) {
    return Math.multiplyHigh(a, b) ^ (a * b);
  }

  /** Hash of {@code len} bytes at {@code off}. */
  public static long hash64(byte[] buf, int off, int len) {
    long seed = S0 ^ len;
    int pos = off;
    int end = off + len;
    while (end - pos >= 16) {
      long a = (long) LONGS.get(buf, pos);
      long b = (long) LONGS.get(buf, pos + 8);
      seed = mix(a ^ S1, b ^ seed);
      pos += 16;
    }
    long a;
    long b;
    int left = end - pos;
    if (left >= 8) {
      a = (long) LONGS.get(buf, pos);
      b = tail(buf, pos + 8, left - 8);
    } else {
      a = tail(buf, pos, left);
      b = 0;
    }
    return mix(S1 ^ len, mix(a ^ S2, b ^ seed ^ S3));
  }

  /** Up to 8 bytes as a little-endian long. */
  private static long tail(byte[] buf, int pos, int n) {
    if (n >= 4) {
      long lo = (int) INTS.get(buf, pos) & 0xFFFFFFFFL;
      long hi = (int) INTS.get(buf, pos + n - 4) & 0xFFFFFFFFL;
      return lo | (hi << 32);
    }
    if (n > 0) {
      return (buf[pos] & 0xFFL) | ((buf[pos + (n >> 1)] & 0xFFL) << 8) | ((buf[pos + n - 1] & 0xFFL) << 16);
    }
    return 0;
  }
}
