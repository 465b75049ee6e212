package io.clymene.cli;

import io.clymene.agent.scrape.TargetShards;
import io.clymene.cluster.ClusterMembers;
import io.clymene.cluster.ClusterOptions;
import io.clymene.cluster.Rendezvous;
import io.clymene.model.Labels;
import java.util.List;

/**
 * The agent's share of the targets in a cluster: the scraping members' names, as this member sees them,
 * hashed with {@link Rendezvous}. A new snapshot is taken at every join and leave.
 */
final class ClusterSharding implements TargetShards {
  private final Rendezvous rendezvous;
  private final String self;
  private final int replicationFactor;
  private final Labels seriesLabels;

  private ClusterSharding(List<String> members, ClusterOptions options) {
    this.rendezvous = new Rendezvous(members);
    this.self = options.memberName();
    this.replicationFactor = options.replicationFactor();
    this.seriesLabels = replicationFactor > 1 ? Labels.of(options.replicaLabel(), self) : Labels.EMPTY;
  }

  /** The division of the targets among the members there are now. */
  static ClusterSharding now(ClusterMembers members, ClusterOptions options) {
    return new ClusterSharding(members.scraping(), options);
  }

  @Override
  public List<String> owners(long targetHash) {
    return rendezvous.owners(targetHash, replicationFactor);
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public Labels seriesLabels() {
    return seriesLabels;
  }

  @Override
  public List<String> members() {
    return rendezvous.members();
  }
}
