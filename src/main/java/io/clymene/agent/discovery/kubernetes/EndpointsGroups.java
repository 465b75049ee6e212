package io.clymene.agent.discovery.kubernetes;

import static io.clymene.agent.discovery.kubernetes.Meta.ADDRESS;
import static io.clymene.agent.discovery.kubernetes.Meta.PREFIX;
import static io.clymene.agent.discovery.kubernetes.Meta.str;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code endpoints} role: one group per Endpoints object, one target per address and port, plus one per
 * container port of a backing pod that no endpoint port covers. Service and pod labels are attached.
 */
final class EndpointsGroups {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointsGroups.class);

  private EndpointsGroups() {
  }

  /**
   * @param services the service of a {@code namespace/name} key, or null
   * @param pods the pod of a {@code namespace/name} key, or null
   * @param nodes the node of a name, or null when node metadata is not attached
   */
  static TargetGroup group(String source, Endpoints eps, Function<String, Service> services,
                           Function<String, Pod> pods, Function<String, Node> nodes) {
    Map<String, String> group = new HashMap<>();
    group.put(Meta.NAMESPACE, eps.getMetadata().getNamespace());
    group.put(PREFIX + "endpoints_name", eps.getMetadata().getName());
    Service svc = services.apply(Meta.key(eps.getMetadata()));
    if (svc != null) {
      group.putAll(ServiceGroups.serviceLabels(svc));
    }
    Meta.labels(group, "endpoints", eps.getMetadata().getLabels());

    List<Labels> targets = new ArrayList<>();
    // pods seen behind an address, with the endpoint ports already turned into targets
    Map<String, Set<Integer>> seenPorts = new LinkedHashMap<>();
    Map<String, Pod> seenPods = new HashMap<>();
    for (EndpointSubset ss : eps.getSubsets()) {
      for (EndpointPort port : ss.getPorts()) {
        for (EndpointAddress addr : ss.getAddresses()) {
          targets.add(target(addr, port, "true", pods, nodes, seenPorts, seenPods));
        }
        for (EndpointAddress addr : ss.getNotReadyAddresses()) {
          targets.add(target(addr, port, "false", pods, nodes, seenPorts, seenPods));
        }
      }
    }
    String overCapacity = eps.getMetadata().getAnnotations() == null ? null
        : eps.getMetadata().getAnnotations().get("endpoints.kubernetes.io/over-capacity");
    if ("truncated".equals(overCapacity) || "warning".equals(overCapacity)) {
      LOG.warn("Endpoints {}/{} has more than 1000 addresses{}; use role: endpointslice instead",
          eps.getMetadata().getNamespace(), eps.getMetadata().getName(),
          "truncated".equals(overCapacity) ? " and was truncated" : "");
    }
    seenPorts.forEach((podKey, ports) -> {
      Pod pod = seenPods.get(podKey);
      for (Container c : pod.getSpec().getContainers()) {
        for (ContainerPort cport : c.getPorts()) {
          int number = Meta.num(cport.getContainerPort());
          if (ports.contains(number)) {
            continue;
          }
          targets.add(Labels.of(extraPortTarget(pod, c, cport)));
        }
      }
    });
    return new TargetGroup(source, targets, Labels.of(group));
  }

  private static Labels target(EndpointAddress addr, EndpointPort port, String ready, Function<String, Pod> pods,
                               Function<String, Node> nodes, Map<String, Set<Integer>> seenPorts,
                               Map<String, Pod> seenPods) {
    int number = Meta.num(port.getPort());
    Map<String, String> t = new HashMap<>();
    t.put(ADDRESS, Meta.joinHostPort(str(addr.getIp()), number));
    t.put(PREFIX + "endpoint_port_name", str(port.getName()));
    t.put(PREFIX + "endpoint_port_protocol", str(port.getProtocol()));
    t.put(PREFIX + "endpoint_ready", ready);
    ObjectReference ref = addr.getTargetRef();
    if (ref != null) {
      t.put(PREFIX + "endpoint_address_target_kind", str(ref.getKind()));
      t.put(PREFIX + "endpoint_address_target_name", str(ref.getName()));
    }
    if (addr.getNodeName() != null) {
      t.put(PREFIX + "endpoint_node_name", addr.getNodeName());
    }
    if (addr.getHostname() != null && !addr.getHostname().isEmpty()) {
      t.put(PREFIX + "endpoint_hostname", addr.getHostname());
    }
    if (nodes != null && addr.getNodeName() != null) {
      Meta.nodeLabels(t, nodes.apply(addr.getNodeName()));
    }
    Pod pod = podOf(ref, pods);
    if (pod == null) {
      return Labels.of(t);
    }
    String podKey = Meta.key(pod.getMetadata());
    seenPods.put(podKey, pod);
    seenPorts.computeIfAbsent(podKey, k -> new HashSet<>()).add(number);
    t.putAll(PodGroups.podLabels(pod));
    for (Container c : pod.getSpec().getContainers()) {
      for (ContainerPort cport : c.getPorts()) {
        if (Meta.num(cport.getContainerPort()) == number) {
          t.put(PodGroups.CONTAINER_NAME, str(c.getName()));
          t.put(PodGroups.CONTAINER_IMAGE, str(c.getImage()));
          t.put(PodGroups.CONTAINER_PORT_NAME, str(cport.getName()));
          t.put(PodGroups.CONTAINER_PORT_NUMBER, Integer.toString(number));
          // the endpoint port's protocol, as Prometheus 2.42 does for this role
          t.put(PodGroups.CONTAINER_PORT_PROTOCOL, str(port.getProtocol()));
          break; // only this container's ports: a later container with the port wins, as in Prometheus
        }
      }
    }
    return Labels.of(t);
  }

  /** The pod an address points to, if it is a pod the informer knows. */
  static Pod podOf(ObjectReference ref, Function<String, Pod> pods) {
    if (ref == null || !"Pod".equals(ref.getKind())) {
      return null;
    }
    return pods.apply(Meta.key(ref.getNamespace(), str(ref.getName())));
  }

  /** A target for a container port of a backing pod that no endpoint port covers. */
  static Map<String, String> extraPortTarget(Pod pod, Container c, ContainerPort cport) {
    String number = Integer.toString(Meta.num(cport.getContainerPort()));
    Map<String, String> t = new HashMap<>();
    t.put(ADDRESS, Meta.joinHostPort(pod.getStatus() == null ? "" : str(pod.getStatus().getPodIP()), number));
    t.put(PodGroups.CONTAINER_NAME, str(c.getName()));
    t.put(PodGroups.CONTAINER_IMAGE, str(c.getImage()));
    t.put(PodGroups.CONTAINER_PORT_NAME, str(cport.getName()));
    t.put(PodGroups.CONTAINER_PORT_NUMBER, number);
    t.put(PodGroups.CONTAINER_PORT_PROTOCOL, str(cport.getProtocol()));
    t.putAll(PodGroups.podLabels(pod));
    return t;
  }
}
