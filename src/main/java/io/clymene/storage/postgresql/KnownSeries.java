package io.clymene.storage.postgresql;

/**
 * Series ids known to be in the {@code series} table, so their rows are not inserted again: a bounded,
 * thread-safe set of longs in two generations of open-addressing tables. When the current generation
 * holds half the bound it becomes the previous one and the oldest is forgotten, so series still being
 * written stay known (a hit in the previous generation is copied forward) and a forgotten id costs only
 * one more {@code INSERT ... ON CONFLICT DO NOTHING}. About {@code 16 * bound} bytes at most.
 */
final class KnownSeries {
  private final int generationSize;
  private long[] current;
  private int currentCount;
  private boolean currentHasZero;
  private long[] previous;
  private boolean previousHasZero;

  /** @param bound the most ids kept (both generations together) */
  KnownSeries(int bound) {
    this.generationSize = Math.max(16, bound / 2);
    this.current = new long[tableSize(generationSize)];
    this.previous = new long[0];
  }

  private static int tableSize(int entries) {
    return Integer.highestOneBit(Math.max(16, entries) * 2 - 1) << 1; // load factor at most 0.5
  }

  /** Whether the id is known; refreshes it into the current generation. */
  synchronized boolean contains(long id) {
    if (id == 0 ? currentHasZero : find(current, id)) {
      return true;
    }
    if (id == 0 ? previousHasZero : find(previous, id)) {
      add(id);
      return true;
    }
    return false;
  }

  /** Remembers an id (after its row was committed). */
  synchronized void add(long id) {
    if (id == 0) {
      currentHasZero = true;
      return;
    }
    if (currentCount >= generationSize) {
      previous = current;
      previousHasZero = currentHasZero;
      current = new long[previous.length];
      currentHasZero = false;
      currentCount = 0;
    }
    long[] t = current;
    int mask = t.length - 1;
    for (int i = spread(id) & mask; ; i = (i + 1) & mask) {
      if (t[i] == id) {
        return;
      }
      if (t[i] == 0) {
        t[i] = id;
        currentCount++;
        return;
      }
    }
  }

  /** Forgets everything (e.g. when the tables may have been recreated). */
  synchronized void clear() {
    current = new long[current.length];
    currentCount = 0;
    currentHasZero = false;
    previous = new long[0];
    previousHasZero = false;
  }

  private static boolean find(long[] t, long id) {
    if (t.length == 0) {
      return false;
    }
    int mask = t.length - 1;
    for (int i = spread(id) & mask; ; i = (i + 1) & mask) {
      if (t[i] == id) {
        return true;
      }
      if (t[i] == 0) {
        return false;
      }
    }
  }

  private static int spread(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
