package io.clymene.agent.config;

import io.clymene.model.Labels;
import java.util.List;

/**
 * A group of targets sharing labels, as in a {@code static_configs} entry or a discovered group.
 *
 * @param source where the group came from, e.g. {@code static_configs[0]}
 * @param targets the target addresses ({@code host:port})
 * @param labels labels given to every target of the group
 */
public record TargetGroup(String source, List<String> targets, Labels labels) {
  public TargetGroup {
    targets = List.copyOf(targets);
  }
}
