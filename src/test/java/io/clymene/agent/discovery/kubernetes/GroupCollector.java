package io.clymene.agent.discovery.kubernetes;

import io.clymene.agent.config.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A discoverer sink for tests: keeps every update and the resulting groups by source, and lets a test wait
 * (woken by each update, with a deadline) until they reach an expected state.
 */
final class GroupCollector implements Consumer<List<TargetGroup>> {
  private static final long TIMEOUT_MILLIS = 10_000;
  private final List<List<TargetGroup>> updates = new ArrayList<>();
  private final Map<String, TargetGroup> groups = new LinkedHashMap<>();

  @Override
  public synchronized void accept(List<TargetGroup> update) {
    updates.add(List.copyOf(update));
    for (TargetGroup g : update) {
      if (g.targets().isEmpty()) {
        groups.remove(g.source());
      } else {
        groups.put(g.source(), g);
      }
    }
    notifyAll();
  }

  synchronized List<List<TargetGroup>> updates() {
    return List.copyOf(updates);
  }

  synchronized TargetGroup group(String source) {
    return groups.get(source);
  }

  /** Waits for the first update, the one a discoverer sends once it knows everything. */
  List<TargetGroup> awaitFirst() {
    return await("the first update", () -> updates.isEmpty() ? null : updates.get(0));
  }

  /** Waits until the group of a source exists and satisfies a condition. */
  TargetGroup awaitGroup(String source, Predicate<TargetGroup> condition) {
    return await("group " + source + " to match", () -> {
      TargetGroup g = groups.get(source);
      return g != null && condition.test(g) ? g : null;
    });
  }

  /** Waits until some update has carried a group of this source. */
  void awaitUpdateOf(String source) {
    await("an update of " + source, () -> updates.stream().flatMap(List::stream)
        .anyMatch(g -> g.source().equals(source)) ? Boolean.TRUE : null);
  }

  /** Waits until the source has no group (after having had one or never). */
  void awaitRemoved(String source) {
    await("group " + source + " removed", () -> groups.containsKey(source) ? null : Boolean.TRUE);
  }

  private synchronized <T> T await(String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new AssertionError("timed out after " + TIMEOUT_MILLIS + " ms waiting for " + what + "; updates: "
            + updates);
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
