package io.clymene.agent.scrape;

import io.clymene.model.Labels;
import java.util.List;

/**
 * Which member of a cluster of agents scrapes which target. A standalone agent scrapes every target
 * ({@link #STANDALONE}); in a cluster, the owners of a target are computed from its hash (the same on every
 * member), and the agent scrapes only targets it is an owner of. Implementations are immutable snapshots:
 * a membership change gives the agent a new one.
 */
public interface TargetShards {

  /** A standalone agent: scrapes everything, adds no label. */
  TargetShards STANDALONE = new TargetShards() {
    @Override
    public List<String> owners(long targetHash) {
      return List.of();
    }

    @Override
    public boolean scrapesHere(long targetHash) {
      return true;
    }

    @Override
    public String self() {
      return null;
    }
  };

  /** The members that scrape a target, best first; empty for a standalone agent. */
  List<String> owners(long targetHash);

  /** Whether this member scrapes the target. */
  default boolean scrapesHere(long targetHash) {
    return owners(targetHash).contains(self());
  }

  /** This member's name, or null for a standalone agent. */
  String self();

  /**
   * Labels this member adds to every series it sends (the replica label when targets are scraped by more
   * than one member); none by default.
   */
  default Labels seriesLabels() {
    return Labels.EMPTY;
  }

  /** The members sharing the targets (empty for a standalone agent), for status pages. */
  default List<String> members() {
    return List.of();
  }
}
