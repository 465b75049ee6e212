package io.clymene.agent.discovery.kubernetes;

import io.clymene.agent.config.TargetGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Hands groups to the discoverer's sink, one update at a time. Nothing is sent before the first full update
 * (all informers synced) or after {@link #stop()}. Groups are built under the same lock that sends them, so
 * updates leave in the order of the cache states they were built from.
 */
final class GroupEmitter {
  private final Consumer<List<TargetGroup>> sink;
  private boolean ready;
  private boolean stopped;

  GroupEmitter(Consumer<List<TargetGroup>> sink) {
    this.sink = sink;
  }

  /** Sends the first update: a group for every object of every source; later calls do nothing. */
  synchronized void sendAll(List<GroupSource<?>> sources) {
    if (ready || stopped) {
      return;
    }
    ready = true;
    List<TargetGroup> all = new ArrayList<>();
    for (GroupSource<?> s : sources) {
      s.addAll(all);
    }
    sink.accept(all);
  }

  /** Builds and sends one group (null: nothing to send) once the first update is out. */
  synchronized void send(Supplier<TargetGroup> group) {
    if (!ready || stopped) {
      return;
    }
    TargetGroup g = group.get();
    if (g != null) {
      sink.accept(List.of(g));
    }
  }

  /** No update leaves after this returns. */
  synchronized void stop() {
    stopped = true;
  }
}
