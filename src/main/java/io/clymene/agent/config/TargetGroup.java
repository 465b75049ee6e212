package io.clymene.agent.config;

import io.clymene.model.Labels;
import java.util.ArrayList;
import java.util.List;

/**
 * A group of targets sharing labels, as in a {@code static_configs} entry or a group found by service
 * discovery. Each target is a label set holding at least {@code __address__} (discoverers add per-target
 * {@code __meta_*} labels); a target's own labels win over the group's. A group with no targets, sent by a
 * discoverer, removes the group of the same source.
 *
 * @param source identifies the group within its discoverer, e.g. {@code static_configs[0]} or a file name
 * @param targets the targets' own labels
 * @param labels labels given to every target of the group
 */
public record TargetGroup(String source, List<Labels> targets, Labels labels) {
  public TargetGroup {
    targets = List.copyOf(targets);
  }

  /** A group of plain addresses. */
  public static TargetGroup ofAddresses(String source, List<String> addresses, Labels labels) {
    List<Labels> targets = new ArrayList<>(addresses.size());
    for (String a : addresses) {
      targets.add(Labels.of("__address__", a));
    }
    return new TargetGroup(source, targets, labels);
  }

  /** An empty group: removes the group with this source. */
  public static TargetGroup removed(String source) {
    return new TargetGroup(source, List.of(), Labels.EMPTY);
  }
}
