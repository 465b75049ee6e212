package io.clymene.storage.prometheus;

import io.clymene.model.Hashing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A set of byte strings numbered 0, 1, 2... in order of first insertion, looked up by byte range so
 * that no {@code String} is created. Keys are copied into the table's own buffer when first seen.
 *
 * <p>Open addressing with linear probing; every slot carries the generation it was written in, so
 * {@link #clear()} takes constant time however large an earlier request made the table. Reusable, not
 * thread-safe.
 */
final class ByteRangeTable {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] keys = new byte[16 * 1024];
  private int keysLength;
  /** Per entry: offset of its key in {@link #keys}, length and hash. */
  private int[] offsets = new int[1024];
  private int[] lengths = new int[1024];
  private int[] hashes = new int[1024];
  private int count;
  /** {@code generation << 32 | entry}; a slot of another generation is empty. */
  private long[] slots = new long[2048];
  private int generation = 1;

  /** Forgets every entry. */
  void clear() {
    if (++generation == 0) {
      Arrays.fill(slots, 0L);
      generation = 1;
    }
    count = 0;
    keysLength = 0;
  }

  /** Number of entries. */
  int size() {
    return count;
  }

  /**
   * The entry for {@code len} bytes at {@code off}: its number if present, else {@code -1 - n} after
   * adding it as entry {@code n}.
   */
  int indexOrAdd(byte[] buf, int off, int len) {
    long h64 = Hashing.hash64(buf, off, len);
    int h = (int) (h64 ^ (h64 >>> 32));
    int mask = slots.length - 1;
    int i = h & mask;
    while (true) {
      long slot = slots[i];
      if ((int) (slot >>> 32) != generation) {
        return -1 - add(i, buf, off, len, h);
      }
      int e = (int) slot;
      if (hashes[e] == h && lengths[e] == len && equal(buf, off, keys, offsets[e], len)) {
        return e;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Whether two ranges hold the same bytes. Keys are short (label names and values), where comparing
   * eight bytes at a time beats {@link Arrays#equals(byte[], int, int, byte[], int, int)}'s setup.
   */
  static boolean equal(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int k = 0;
    for (; k + 8 <= len; k += 8) {
      if ((long) LONGS.get(a, aOff + k) != (long) LONGS.get(b, bOff + k)) {
        return false;
      }
    }
    for (; k < len; k++) {
      if (a[aOff + k] != b[bOff + k]) {
        return false;
      }
    }
    return true;
  }

  private int add(int slot, byte[] buf, int off, int len, int h) {
    if (keysLength + len > keys.length) {
      keys = Arrays.copyOf(keys, Math.max(keysLength + len, keys.length * 2));
    }
    System.arraycopy(buf, off, keys, keysLength, len);
    if (count == offsets.length) {
      int n = count * 2;
      offsets = Arrays.copyOf(offsets, n);
      lengths = Arrays.copyOf(lengths, n);
      hashes = Arrays.copyOf(hashes, n);
    }
    int e = count++;
    offsets[e] = keysLength;
    lengths[e] = len;
    hashes[e] = h;
    keysLength += len;
    slots[slot] = ((long) generation << 32) | e;
    if (count * 2 > slots.length) {
      grow();
    }
    return e;
  }

  /** Doubles the slots and re-inserts this generation's entries. */
  private void grow() {
    slots = new long[slots.length * 2];
    generation = 1;
    int mask = slots.length - 1;
    for (int e = 0; e < count; e++) {
      int i = hashes[e] & mask;
      while ((int) (slots[i] >>> 32) == generation) {
        i = (i + 1) & mask;
      }
      slots[i] = ((long) generation << 32) | e;
    }
  }
}
