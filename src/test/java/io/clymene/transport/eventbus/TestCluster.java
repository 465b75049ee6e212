package io.clymene.transport.eventbus;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.clymene.testing.Await;
import io.clymene.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Clustered Vert.x instances in this JVM, joined by Hazelcast over TCP-IP on 127.0.0.1 with an explicit
 * member list (multicast and phone-home off, a cluster name of its own so that nothing else joins), for
 * tests of the clustered event bus.
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

  private static Config config(String name, int port, List<String> members) {
    Config config = ConfigUtil.loadConfig(); // the multimap and maps Vert.x needs
    config.setClusterName(name);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return config;
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
