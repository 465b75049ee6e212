package io.clymene.agent.scrape;

import java.util.Arrays;

/**
 * What a scrape loop remembers about its target's series, in a few flat arrays: for each raw series
 * text seen (keyed by a 64-bit hash of {@code name{labels}} as written by the target), the final
 * encoded label set (after target labels and metric relabeling) and its hash, or that relabeling drops
 * it, and the last scrape that saw it. A repeated line costs a hash and a lookup instead of parsing,
 * sorting and relabeling its labels; and since the final labels are kept, the series that vanish
 * between scrapes can be given stale markers. About 200 bytes per series, most of them the encoded
 * labels. Not thread-safe.
 */
final class SeriesCache {
  static final int NONE = -1;
  private static final byte DROPPED = 1;
  private static final byte COMMITTED = 2;

  // open-addressing table (linear probing): slot -> entry id + 1, 0 when empty; keys live in rawKey
  // small at first: a job may have thousands of targets, some of which never answer
  private int[] slots = new int[16];
  private int mask = 15;

  // entries
  private long[] rawKey = new long[8];
  private long[] seriesHash = new long[8];
  private int[] labelOff = new int[8];
  private int[] labelLen = new int[8];
  private int[] lastSeen = new int[8];
  private int[] tracked = new int[8];
  /** Newest timestamp per entry; allocated only once a target sends timestamps of its own. */
  private long[] lastTs;
  private byte[] flags = new byte[8];
  private int entries;
  private int[] free = new int[4];
  private int freeCount;
  private int live;

  private byte[] arena = new byte[256];
  private int arenaLen;
  private int garbage;

  /** Number of cached series (dropped ones included). */
  int size() {
    return live;
  }

  /** The entry of a raw series, or {@link #NONE}. */
  int lookup(long key) {
    int i = (int) mix(key) & mask;
    while (true) {
      int s = slots[i];
      if (s == 0) {
        return NONE;
      }
      if (rawKey[s - 1] == key) {
        return s - 1;
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds a series kept with these final labels. */
  int add(long key, byte[] labels, int off, int len, long hash, int iteration) {
    int id = newEntry(key, iteration);
    ensureArena(len);
    System.arraycopy(labels, off, arena, arenaLen, len);
    labelOff[id] = arenaLen;
    labelLen[id] = len;
    arenaLen += len;
    seriesHash[id] = hash;
    flags[id] = 0;
    return id;
  }

  /** Adds a series that metric relabeling drops. */
  int addDropped(long key, int iteration) {
    int id = newEntry(key, iteration);
    labelOff[id] = 0;
    labelLen[id] = 0;
    seriesHash[id] = 0;
    flags[id] = DROPPED;
    return id;
  }

  boolean dropped(int id) {
    return (flags[id] & DROPPED) != 0;
  }

  /** Marks a series as having had a sample in a successful scrape. */
  void committed(int id) {
    flags[id] |= COMMITTED;
  }

  /** Whether the series ever had a sample in a successful scrape (only those get stale markers). */
  boolean isCommitted(int id) {
    return (flags[id] & COMMITTED) != 0;
  }

  int lastSeen(int id) {
    return lastSeen[id];
  }

  void seen(int id, int iteration) {
    lastSeen[id] = iteration;
  }

  /** Records that the series was appended without its own timestamp in this append, for staleness. */
  void track(int id, int iteration) {
    tracked[id] = iteration;
  }

  /** The last append that tracked the series for staleness. */
  int tracked(int id) {
    return tracked[id];
  }

  /** The newest timestamp appended for the series (samples older than it are out of order). */
  long lastTimestamp(int id) {
    return lastTs == null ? Long.MIN_VALUE : lastTs[id];
  }

  void lastTimestamp(int id, long ts) {
    if (lastTs == null) {
      lastTs = new long[rawKey.length];
      Arrays.fill(lastTs, Long.MIN_VALUE);
    }
    lastTs[id] = ts;
  }

  long hash(int id) {
    return seriesHash[id];
  }

  byte[] arena() {
    return arena;
  }

  int labelOffset(int id) {
    return labelOff[id];
  }

  int labelLength(int id) {
    return labelLen[id];
  }

  /** Visits every live entry; the visitor may call {@link #remove} on the entry it is given. */
  void forEach(java.util.function.IntConsumer visitor) {
    for (int id = 0; id < entries; id++) {
      if (!isFree(id)) {
        visitor.accept(id);
      }
    }
  }

  /** Forgets an entry. */
  void remove(int id) {
    long key = rawKey[id];
    int i = (int) mix(key) & mask;
    while (slots[i] != id + 1) {
      i = (i + 1) & mask;
    }
    // backward-shift deletion keeps probe chains intact without tombstones
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      if (slots[j] == 0) {
        break;
      }
      int home = (int) mix(rawKey[slots[j] - 1]) & mask;
      boolean between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!between) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = 0;
    garbage += labelLen[id];
    lastSeen[id] = Integer.MIN_VALUE;
    rawKey[id] = 0;
    labelLen[id] = 0;
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, freeCount * 2);
    }
    free[freeCount++] = id;
    live--;
    if (garbage > 64 * 1024 && garbage > arenaLen / 2) {
      compact();
    }
  }

  /** Forgets everything. */
  void clear() {
    Arrays.fill(slots, 0);
    entries = 0;
    freeCount = 0;
    live = 0;
    arenaLen = 0;
    garbage = 0;
  }

  /** Approximate bytes held. */
  long memoryBytes() {
    return 4L * slots.length + (8L + 8 + 4 + 4 + 4 + 4 + 1 + (lastTs == null ? 0 : 8)) * rawKey.length
        + 4L * free.length + arena.length;
  }

  private boolean isFree(int id) {
    return lastSeen[id] == Integer.MIN_VALUE;
  }

  private int newEntry(long key, int iteration) {
    // keep the table at most 70% full
    if ((live + 1) * 10L > slots.length * 7L) {
      grow();
    }
    int id;
    if (freeCount > 0) {
      id = free[--freeCount];
    } else {
      if (entries == rawKey.length) {
        int n = entries + (entries >> 1);
        rawKey = Arrays.copyOf(rawKey, n);
        seriesHash = Arrays.copyOf(seriesHash, n);
        labelOff = Arrays.copyOf(labelOff, n);
        labelLen = Arrays.copyOf(labelLen, n);
        lastSeen = Arrays.copyOf(lastSeen, n);
        tracked = Arrays.copyOf(tracked, n);
        if (lastTs != null) {
          lastTs = Arrays.copyOf(lastTs, n);
          Arrays.fill(lastTs, entries, n, Long.MIN_VALUE);
        }
        flags = Arrays.copyOf(flags, n);
      }
      id = entries++;
    }
    rawKey[id] = key;
    lastSeen[id] = iteration;
    tracked[id] = Integer.MIN_VALUE;
    if (lastTs != null) {
      lastTs[id] = Long.MIN_VALUE;
    }
    insertSlot(key, id);
    live++;
    return id;
  }

  private void insertSlot(long key, int id) {
    int i = (int) mix(key) & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = id + 1;
  }

  private void grow() {
    int[] oldSlots = slots;
    slots = new int[oldSlots.length * 2];
    mask = slots.length - 1;
    for (int i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] != 0) {
        int j = (int) mix(rawKey[oldSlots[i] - 1]) & mask;
        while (slots[j] != 0) {
          j = (j + 1) & mask;
        }
        slots[j] = oldSlots[i];
      }
    }
  }

  private void ensureArena(int len) {
    if (arenaLen + len > arena.length) {
      if (garbage > arenaLen / 2) {
        compact();
      }
      if (arenaLen + len > arena.length) {
        // grow by a quarter: the arena is the bulk of a target's memory
        arena = Arrays.copyOf(arena, Math.max(arenaLen + len, arena.length + (arena.length >> 2)));
      }
    }
  }

  /** Copies the live label bytes into a fresh arena, dropping what removed entries left behind. */
  private void compact() {
    byte[] fresh = new byte[Math.max(4096, (arenaLen - garbage) * 5 / 4)];
    int pos = 0;
    for (int id = 0; id < entries; id++) {
      if (!isFree(id) && labelLen[id] > 0) {
        System.arraycopy(arena, labelOff[id], fresh, pos, labelLen[id]);
        labelOff[id] = pos;
        pos += labelLen[id];
      }
    }
    arena = fresh;
    arenaLen = pos;
    garbage = 0;
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
