package io.clymene.agent.discovery.kubernetes;

import static io.clymene.agent.discovery.kubernetes.Meta.ADDRESS;
import static io.clymene.agent.discovery.kubernetes.Meta.PREFIX;
import static io.clymene.agent.discovery.kubernetes.Meta.str;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code node} role: one group per node with one target, the kubelet's address. */
final class NodeGroups {
  /** Address types in the order Prometheus picks the target address from. */
  private static final List<String> PRIORITY =
      List.of("InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname");

  private NodeGroups() {
  }

  /** The node's group, or null when it has no address (Prometheus then sends nothing and keeps the old group). */
  static TargetGroup group(String source, Node node) {
    Map<String, String> first = new LinkedHashMap<>();
    if (node.getStatus() != null) {
      for (NodeAddress a : node.getStatus().getAddresses()) {
        first.putIfAbsent(str(a.getType()), str(a.getAddress()));
      }
    }
    String address = null;
    for (String type : PRIORITY) {
      if (first.containsKey(type)) {
        address = first.get(type);
        break;
      }
    }
    if (address == null) {
      return null;
    }
    String name = node.getMetadata().getName();
    Map<String, String> t = new HashMap<>();
    t.put(ADDRESS, Meta.joinHostPort(address, kubeletPort(node)));
    t.put("instance", name);
    first.forEach((type, a) -> t.put(Meta.sanitize(PREFIX + "node_address_" + type), a));

    Map<String, String> group = new HashMap<>();
    group.put(PREFIX + "node_name", name);
    group.put(PREFIX + "node_provider_id", node.getSpec() == null ? "" : str(node.getSpec().getProviderID()));
    Meta.labels(group, "node", node.getMetadata().getLabels());
    Meta.annotations(group, "node", node.getMetadata().getAnnotations());
    return new TargetGroup(source, List.of(Labels.of(t)), Labels.of(group));
  }

  private static int kubeletPort(Node node) {
    var d = node.getStatus().getDaemonEndpoints();
    return d == null || d.getKubeletEndpoint() == null ? 0 : Meta.num(d.getKubeletEndpoint().getPort());
  }
}
