package io.clymene.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** A fast 64-bit hash of byte ranges (xxHash64's structure), used to identify series. */
public final class Hashing {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private Hashing() {
  }

  /** Hash of {@code len} bytes at {@code off}. */
  public static long hash64(byte[] buf, int off, int len) {
    long h = P5 + len;
    int pos = off;
    int end = off + len;
    while (pos + 8 <= end) {
      long k = (long) LONGS.get(buf, pos);
      k *= P2;
      k = Long.rotateLeft(k, 31);
      k *= P1;
      h ^= k;
      h = Long.rotateLeft(h, 27) * P1 + P4;
      pos += 8;
    }
    while (pos < end) {
      h ^= (buf[pos] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      pos++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }
}
