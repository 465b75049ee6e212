package io.clymene.agent.discovery.kubernetes;

import static io.clymene.agent.discovery.kubernetes.Meta.ADDRESS;
import static io.clymene.agent.discovery.kubernetes.Meta.PREFIX;
import static io.clymene.agent.discovery.kubernetes.Meta.str;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code endpointslice} role (discovery.k8s.io/v1): one group per EndpointSlice, one target per endpoint
 * address and port, plus one per uncovered container port of a backing pod. Service and pod labels are attached.
 */
final class EndpointSliceGroups {
  /** The label naming the service an EndpointSlice belongs to. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private EndpointSliceGroups() {
  }

  /** The {@code namespace/name} key of the slice's service, or null when it names none. */
  static String serviceKey(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    return svc == null ? null : Meta.key(slice.getMetadata().getNamespace(), svc);
  }

  static TargetGroup group(String source, EndpointSlice slice, Function<String, Service> services,
                           Function<String, Pod> pods, Function<String, Node> nodes) {
    Map<String, String> group = new HashMap<>();
    group.put(Meta.NAMESPACE, slice.getMetadata().getNamespace());
    group.put(PREFIX + "endpointslice_name", slice.getMetadata().getName());
    group.put(PREFIX + "endpointslice_address_type", str(slice.getAddressType()));
    String svcKey = serviceKey(slice);
    Service svc = svcKey == null ? null : services.apply(svcKey);
    if (svc != null) {
      group.putAll(ServiceGroups.serviceLabels(svc));
    }

    List<Labels> targets = new ArrayList<>();
    Map<String, Set<Integer>> seenPorts = new LinkedHashMap<>();
    Map<String, Pod> seenPods = new HashMap<>();
    for (Endpoint ep : slice.getEndpoints()) {
      for (EndpointPort port : slice.getPorts()) {
        for (String addr : ep.getAddresses()) {
          targets.add(target(addr, ep, port, pods, nodes, seenPorts, seenPods));
        }
      }
    }
    seenPorts.forEach((podKey, ports) -> {
      Pod pod = seenPods.get(podKey);
      for (Container c : pod.getSpec().getContainers()) {
        for (ContainerPort cport : c.getPorts()) {
          if (!ports.contains(Meta.num(cport.getContainerPort()))) {
            targets.add(Labels.of(EndpointsGroups.extraPortTarget(pod, c, cport)));
          }
        }
      }
    });
    return new TargetGroup(source, targets, Labels.of(group));
  }

  private static Labels target(String addr, Endpoint ep, EndpointPort port, Function<String, Pod> pods,
                               Function<String, Node> nodes, Map<String, Set<Integer>> seenPorts,
                               Map<String, Pod> seenPods) {
    Map<String, String> t = new HashMap<>();
    t.put(ADDRESS, port.getPort() != null ? Meta.joinHostPort(addr, port.getPort()) : addr);
    if (port.getName() != null) {
      t.put(PREFIX + "endpointslice_port_name", port.getName());
    }
    if (port.getProtocol() != null) {
      t.put(PREFIX + "endpointslice_port_protocol", port.getProtocol());
    }
    if (port.getPort() != null) {
      t.put(PREFIX + "endpointslice_port", port.getPort().toString());
    }
    if (port.getAppProtocol() != null) {
      t.put(PREFIX + "endpointslice_port_app_protocol", port.getAppProtocol());
    }
    EndpointConditions cond = ep.getConditions();
    if (cond != null) {
      if (cond.getReady() != null) {
        t.put(PREFIX + "endpointslice_endpoint_conditions_ready", cond.getReady().toString());
      }
      if (cond.getServing() != null) {
        t.put(PREFIX + "endpointslice_endpoint_conditions_serving", cond.getServing().toString());
      }
      if (cond.getTerminating() != null) {
        t.put(PREFIX + "endpointslice_endpoint_conditions_terminating", cond.getTerminating().toString());
      }
    }
    if (ep.getHostname() != null) {
      t.put(PREFIX + "endpointslice_endpoint_hostname", ep.getHostname());
    }
    if (ep.getTargetRef() != null) {
      t.put(PREFIX + "endpointslice_address_target_kind", str(ep.getTargetRef().getKind()));
      t.put(PREFIX + "endpointslice_address_target_name", str(ep.getTargetRef().getName()));
    }
    if (ep.getDeprecatedTopology() != null) {
      ep.getDeprecatedTopology().forEach((k, v) -> {
        String name = Meta.sanitize(k);
        t.put(PREFIX + "endpointslice_endpoint_topology_" + name, v);
        t.put(PREFIX + "endpointslice_endpoint_topology_present_" + name, Meta.TRUE);
      });
    }
    if (nodes != null && ep.getNodeName() != null) {
      Meta.nodeLabels(t, nodes.apply(ep.getNodeName()));
    }
    Pod pod = EndpointsGroups.podOf(ep.getTargetRef(), pods);
    if (pod == null) {
      return Labels.of(t);
    }
    String podKey = Meta.key(pod.getMetadata());
    seenPods.put(podKey, pod);
    Set<Integer> ports = seenPorts.computeIfAbsent(podKey, k -> new HashSet<>());
    if (port.getPort() != null) {
      ports.add(port.getPort());
    }
    t.putAll(PodGroups.podLabels(pod));
    if (port.getPort() != null) {
      for (Container c : pod.getSpec().getContainers()) {
        for (ContainerPort cport : c.getPorts()) {
          if (port.getPort().equals(Meta.num(cport.getContainerPort()))) {
            t.put(PodGroups.CONTAINER_NAME, str(c.getName()));
            t.put(PodGroups.CONTAINER_IMAGE, str(c.getImage()));
            t.put(PodGroups.CONTAINER_PORT_NAME, str(cport.getName()));
            t.put(PodGroups.CONTAINER_PORT_NUMBER, port.getPort().toString());
            t.put(PodGroups.CONTAINER_PORT_PROTOCOL, str(cport.getProtocol()));
            break; // only this container's ports: a later container with the port wins, as in Prometheus
          }
        }
      }
    }
    return Labels.of(t);
  }
}
