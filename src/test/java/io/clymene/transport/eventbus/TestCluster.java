package io.clymene.transport.eventbus;

import com.hazelcast.config.Config;
import io.clymene.cluster.ClusterOptions;
import io.clymene.cluster.HazelcastSetup;
import io.clymene.testing.Await;
import io.clymene.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Clustered Vert.x instances in this JVM, joined by Hazelcast over TCP-IP on 127.0.0.1 with an explicit
 * member list, configured as cluster mode configures members (multicast and phone-home off) with a cluster name
 * of their own so that nothing else joins, for tests of the clustered event bus.
 */
final class TestCluster implements AutoCloseable {
  private final List<Vertx> members = new ArrayList<>();
  private final List<HazelcastClusterManager> managers = new ArrayList<>();

  /** Starts {@code n} members and waits until they form one cluster. */
  static TestCluster start(int n, Duration timeout) throws Exception {
    String name = "clymene-test-" + UUID.randomUUID();
    List<String> addresses = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int port = Ports.free();
      ports.add(port);
      addresses.add("127.0.0.1:" + port);
    }
    TestCluster cluster = new TestCluster();
    try {
      // one after the other: each joins the cluster the first one formed
      for (int port : ports) {
        HazelcastClusterManager manager = new HazelcastClusterManager(config(name, port, addresses));
        cluster.managers.add(manager);
        VertxOptions options = new VertxOptions();
        options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
        cluster.members.add(Vertx.builder().with(options).withClusterManager(manager).buildClustered()
            .toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      }
      for (HazelcastClusterManager m : cluster.managers) {
        Await.until("every member to see " + n + " members", timeout, () -> m.getNodes().size() == n);
      }
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The member's configuration as cluster mode builds it (HazelcastSetup), with a cluster name of its own. */
  private static Config config(String name, int port, List<String> members) {
    return HazelcastSetup.config(ClusterOptions.from(new JsonObject().put("enabled", true).put("name", name)
        .put("host", "127.0.0.1").put("port", port).put("members", new JsonArray(members))), "test", false);
  }

  /** The {@code i}th member. */
  Vertx member(int i) {
    return members.get(i);
  }

  @Override
  public void close() throws Exception {
    List<Future<Void>> closed = new ArrayList<>();
    for (Vertx v : members) {
      closed.add(v.close());
    }
    Future.join(closed).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
