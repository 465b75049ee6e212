package io.clymene.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing of targets onto members: every member scores every target
 * and a target belongs to the {@code n} members with the highest scores. Every member computes the same
 * owners from the same member names, and when a member joins or leaves only the targets it wins or held
 * move. Immutable.
 */
public final class Rendezvous {
  private final List<String> members;
  private final long[] seeds;

  /** @param members the member names; order does not matter */
  public Rendezvous(List<String> members) {
    List<String> sorted = new ArrayList<>(members);
    sorted.sort(null);
    this.members = List.copyOf(sorted);
    this.seeds = new long[sorted.size()];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = fnv1a(sorted.get(i));
    }
  }

  /** The member names, sorted. */
  public List<String> members() {
    return members;
  }

  /**
   * The members a target belongs to, best first.
   *
   * @param targetHash a hash of the target's identity, the same on every member
   * @param n how many owners (capped at the number of members)
   */
  public List<String> owners(long targetHash, int n) {
    int k = Math.min(n, members.size());
    List<String> out = new ArrayList<>(k);
    long[] best = new long[k];
    int[] who = new int[k];
    int filled = 0;
    for (int i = 0; i < seeds.length; i++) {
      long score = mix(seeds[i] ^ targetHash);
      int pos = filled;
      while (pos > 0 && Long.compareUnsigned(score, best[pos - 1]) > 0) {
        pos--;
      }
      if (pos >= k) {
        continue;
      }
      int last = Math.min(filled, k - 1);
      for (int j = last; j > pos; j--) {
        best[j] = best[j - 1];
        who[j] = who[j - 1];
      }
      best[pos] = score;
      who[pos] = i;
      filled = Math.min(filled + 1, k);
    }
    for (int i = 0; i < filled; i++) {
      out.add(members.get(who[i]));
    }
    return out;
  }

  /** SplitMix64's finalizer: spreads close inputs over the whole range. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
