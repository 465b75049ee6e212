package io.clymene.cluster;

import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.config.HostPort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How this process joins a Clymene cluster, read from the {@code cluster} section of the Clymene config.
 * Members find each other by a TCP-IP member list or by Kubernetes DNS (a headless Service); multicast and
 * Hazelcast's phone-home are always off. Immutable.
 *
 * @param enabled whether the process joins a cluster at all
 * @param name the cluster's name: members with another name never join this one
 * @param host this member's address, bound and advertised to the others
 * @param port this member's cluster (Hazelcast) port
 * @param busPort the clustered event bus' TCP port, 0 for any free port
 * @param members the TCP-IP join list ({@code host:port}); empty with Kubernetes discovery
 * @param serviceDns the headless Service whose DNS records list the members, or null for the member list
 * @param memberName this member's name in the targets API and the replica label
 * @param replicationFactor how many scraping members scrape each target
 * @param replicaLabel the label naming the member on every series when {@code replicationFactor > 1}
 * @param failureTimeout how long a silent member is waited for before it is taken as gone
 */
public record ClusterOptions(boolean enabled, String name, String host, int port, int busPort, List<String> members,
                             String serviceDns, String memberName, int replicationFactor, String replicaLabel,
                             Duration failureTimeout) {

  /** The cluster port when none is configured (ARCHITECTURE.md). */
  public static final int DEFAULT_PORT = 5801;
  /** The cluster name when none is configured. */
  public static final String DEFAULT_NAME = "clymene";
  /** The replica label when none is configured. */
  public static final String DEFAULT_REPLICA_LABEL = "replica";
  /** How long a member may stay silent by default. */
  public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(5);

  public ClusterOptions {
    members = List.copyOf(members);
  }

  /** A process that does not cluster. */
  public static ClusterOptions disabled() {
    return new ClusterOptions(false, DEFAULT_NAME, "127.0.0.1", DEFAULT_PORT, 0, List.of(), null, "127.0.0.1:"
        + DEFAULT_PORT, 1, DEFAULT_REPLICA_LABEL, DEFAULT_FAILURE_TIMEOUT);
  }

  /**
   * Reads the {@code cluster} section (normalized by the schema, may be null).
   *
   * @throws ConfigException naming the key of a bad value
   */
  public static ClusterOptions from(JsonObject section) {
    JsonObject s = section == null ? new JsonObject() : section;
    String host = s.getString("host", "127.0.0.1");
    if (host.isBlank()) {
      throw new ConfigException(null, "cluster.host", "expected this member's address (an IP address or host name)");
    }
    int port = s.getInteger("port", DEFAULT_PORT);
    if (port < 1) {
      throw new ConfigException(null, "cluster.port", "expected a port between 1 and 65535, got " + port);
    }
    JsonObject k8s = s.getJsonObject("kubernetes");
    String serviceDns = k8s == null ? null : k8s.getString("service_dns");
    if (k8s != null && (serviceDns == null || serviceDns.isBlank())) {
      throw new ConfigException(null, "cluster.kubernetes.service_dns",
          "missing; Kubernetes discovery needs the headless Service's DNS name, e.g. "
          + "clymene-agent-cluster.monitoring.svc.cluster.local");
    }
    List<String> members = members(s.getJsonArray("members"), serviceDns != null);
    if (isLoopback(host)) {
      for (int i = 0; i < members.size(); i++) {
        if (!isLoopback(HostPort.parse(members.get(i)).host())) {
          throw new ConfigException(null, "cluster.host", "is " + host + " but cluster.members[" + i + "] is "
              + members.get(i) + ": members on other hosts cannot reach this one; set cluster.host to this "
              + "host's address");
        }
      }
    }
    int rf = s.getInteger("replication_factor", 1);
    if (rf < 1 || rf > 100) {
      throw new ConfigException(null, "cluster.replication_factor", "expected 1 to 100 members per target, got " + rf);
    }
    String label = s.getString("replica_label", DEFAULT_REPLICA_LABEL);
    if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*") || label.startsWith("__")) {
      throw new ConfigException(null, "cluster.replica_label",
          "expected a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __), got '" + label + "'");
    }
    Duration timeout = s.containsKey("failure_timeout") ? Durations.parse(s.getString("failure_timeout"))
        : DEFAULT_FAILURE_TIMEOUT;
    if (timeout.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new ConfigException(null, "cluster.failure_timeout", "expected at least 2s (members send a heartbeat "
          + "every second), got " + Durations.format(timeout));
    }
    String memberName = s.getString("member_name", "");
    if (memberName.isBlank()) {
      memberName = HostPort.format(host, port);
    }
    return new ClusterOptions(s.getBoolean("enabled", false), s.getString("name", DEFAULT_NAME), host, port,
        s.getInteger("bus_port", 0), members, serviceDns, memberName, rf, label, timeout);
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  private static List<String> members(JsonArray list, boolean kubernetes) {
    if (list == null || list.isEmpty()) {
      return List.of();
    }
    if (kubernetes) {
      throw new ConfigException(null, "cluster.members", "set either members (TCP-IP join) or kubernetes.service_dns, "
          + "not both");
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String text = String.valueOf(list.getValue(i)).trim();
      try {
        HostPort.parse(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(null, "cluster.members[" + i + "]", e.getMessage()
            + (text.matches(".*:[0-9]+-[0-9]+") ? " (one port; ranges such as 5801-5805 are not supported, list "
            + "each member)" : ""));
      }
      if (!seen.add(text)) {
        throw new ConfigException(null, "cluster.members[" + i + "]", "duplicate member '" + text + "'");
      }
      out.add(text);
    }
    return out;
  }
}
