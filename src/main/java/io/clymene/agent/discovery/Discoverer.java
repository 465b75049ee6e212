package io.clymene.agent.discovery;

import io.clymene.agent.config.TargetGroup;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

/**
 * One running service discovery mechanism of one job, as a Prometheus discoverer: it sends target groups
 * when it starts and whenever they change. An update may hold only the changed groups; a group with no
 * targets removes the group of the same source. The first update should hold every group known at start
 * (possibly none), so that the job knows the discoverer is ready.
 *
 * <p>The sink may be called from any thread. When a refresh fails the discoverer keeps its last groups,
 * reports the failure through {@link DiscoveryContext#failed} and tries again later.
 */
public interface Discoverer {

  /** Starts discovering; groups go to {@code sink}. */
  void start(Consumer<List<TargetGroup>> sink);

  /** Stops every timer, watch and client; no update is sent afterwards. */
  Future<Void> stop();
}
