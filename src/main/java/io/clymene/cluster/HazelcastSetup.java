package io.clymene.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.clymene.config.HostPort;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hazelcast configuration of a member: Vert.x's own maps (from vertx-hazelcast's default
 * configuration), this member's address and port, TCP-IP or Kubernetes DNS join, multicast, auto-detection
 * and phone-home off, a heartbeat every second and the configured failure timeout, and the member's
 * attributes (name, role) that the other members read.
 */
public final class HazelcastSetup {
  /** Member attribute: the member's name. */
  static final String MEMBER_NAME = "clymene.member";
  /** Member attribute: the member's role. */
  static final String ROLE = "clymene.role";
  /** Member attribute: {@code true} when the member scrapes (agent, all-in-one). */
  static final String SCRAPES = "clymene.scrapes";

  private HazelcastSetup() {
  }

  /** A cluster manager for a member of the given role. */
  public static HazelcastClusterManager clusterManager(ClusterOptions options, String role, boolean scrapes) {
    return new HazelcastClusterManager(config(options, role, scrapes));
  }

  /** The configuration of a member of the given role. */
  public static Config config(ClusterOptions options, String role, boolean scrapes) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(options.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Vert.x and our own stop sequence close the instance; Hazelcast's hook would race them
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds",
        Long.toString(Math.max(2, options.failureTimeout().toSeconds())));
    // join the members that answer now instead of waiting 5 s for more
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
    // members that started apart (each alone, say before DNS listed the others) find and merge with each other
    // within seconds, not Hazelcast's default 5 minutes: until then both would scrape the same targets
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
    // the cluster holds only Vert.x's small maps (event-bus subscriptions) and the stop announcements: few
    // partitions and threads keep a member's footprint small; every member uses the same partition count
    config.setProperty("hazelcast.partition.count", "23");
    config.setProperty("hazelcast.io.thread.count", "1");
    config.setProperty("hazelcast.operation.thread.count", "2");
    config.setProperty("hazelcast.operation.generic.thread.count", "1");
    config.setProperty("hazelcast.event.thread.count", "1");
    config.setProperty("hazelcast.clientengine.thread.count", "1");
    config.setProperty("hazelcast.health.monitoring.level", "OFF");
    config.getMemberAttributeConfig().setAttribute(MEMBER_NAME, options.memberName());
    config.getMemberAttributeConfig().setAttribute(ROLE, role);
    config.getMemberAttributeConfig().setAttribute(SCRAPES, Boolean.toString(scrapes));

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.port()).setPortAutoIncrement(false);
    network.setPublicAddress(HostPort.format(options.host(), options.port()));
    if (isIpAddress(options.host())) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).setInterfaces(List.of(options.host()));
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (options.serviceDns() != null) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", options.serviceDns())
          .setProperty("service-port", Integer.toString(options.port()));
    } else {
      List<String> members = new ArrayList<>(options.members());
      String self = HostPort.format(options.host(), options.port());
      if (!members.contains(self)) {
        members.add(self);
      }
      join.getTcpIpConfig().setEnabled(true).setMembers(members)
          .setConnectionTimeoutSeconds((int) Math.max(1, Math.min(5, options.failureTimeout().toSeconds())));
    }
    return config;
  }

  private static boolean isIpAddress(String host) {
    return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.contains(":");
  }
}
