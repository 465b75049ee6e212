package io.clymene.agent.discovery.kubernetes;

import static io.clymene.agent.discovery.kubernetes.Meta.ADDRESS;
import static io.clymene.agent.discovery.kubernetes.Meta.PREFIX;
import static io.clymene.agent.discovery.kubernetes.Meta.str;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The {@code pod} role: one group per pod, one target per container port (or per port-less container). */
final class PodGroups {
  static final String CONTAINER_NAME = PREFIX + "pod_container_name";
  static final String CONTAINER_ID = PREFIX + "pod_container_id";
  static final String CONTAINER_IMAGE = PREFIX + "pod_container_image";
  static final String CONTAINER_PORT_NAME = PREFIX + "pod_container_port_name";
  static final String CONTAINER_PORT_NUMBER = PREFIX + "pod_container_port_number";
  static final String CONTAINER_PORT_PROTOCOL = PREFIX + "pod_container_port_protocol";
  static final String CONTAINER_INIT = PREFIX + "pod_container_init";

  private PodGroups() {
  }

  /**
   * The group of a pod; without a pod IP (starting or evicted) it has no targets, which removes it.
   *
   * @param nodes the node of a name, or null when node metadata is not attached
   */
  static TargetGroup group(String source, Pod pod, Function<String, Node> nodes) {
    String ip = pod.getStatus() == null ? "" : str(pod.getStatus().getPodIP());
    if (ip.isEmpty() || pod.getSpec() == null) {
      return TargetGroup.removed(source);
    }
    Map<String, String> group = podLabels(pod);
    group.put(Meta.NAMESPACE, pod.getMetadata().getNamespace());
    if (nodes != null) {
      // Prometheus looks the node up by spec.nodeName even when it is empty (and finds none)
      Meta.nodeLabels(group, nodes.apply(str(pod.getSpec().getNodeName())));
    }
    List<Labels> targets = new ArrayList<>();
    List<Container> containers = pod.getSpec().getContainers();
    List<Container> inits = pod.getSpec().getInitContainers();
    int total = containers.size() + inits.size();
    for (int i = 0; i < total; i++) {
      boolean init = i >= containers.size();
      Container c = init ? inits.get(i - containers.size()) : containers.get(i);
      String id = containerId(init ? pod.getStatus().getInitContainerStatuses()
          : pod.getStatus().getContainerStatuses(), c.getName());
      if (c.getPorts().isEmpty()) {
        targets.add(Labels.of(Map.of(ADDRESS, ip, CONTAINER_NAME, str(c.getName()), CONTAINER_ID, id,
            CONTAINER_IMAGE, str(c.getImage()), CONTAINER_INIT, Boolean.toString(init))));
        continue;
      }
      for (ContainerPort port : c.getPorts()) {
        String number = Integer.toString(Meta.num(port.getContainerPort()));
        Map<String, String> t = new HashMap<>();
        t.put(ADDRESS, Meta.joinHostPort(ip, number));
        t.put(CONTAINER_NAME, str(c.getName()));
        t.put(CONTAINER_ID, id);
        t.put(CONTAINER_IMAGE, str(c.getImage()));
        t.put(CONTAINER_PORT_NUMBER, number);
        t.put(CONTAINER_PORT_NAME, str(port.getName()));
        t.put(CONTAINER_PORT_PROTOCOL, str(port.getProtocol()));
        t.put(CONTAINER_INIT, Boolean.toString(init));
        targets.add(Labels.of(t));
      }
    }
    return new TargetGroup(source, targets, Labels.of(group));
  }

  /** The labels every target backed by this pod gets, in the pod role and the endpoints roles. */
  static Map<String, String> podLabels(Pod pod) {
    Map<String, String> ls = new HashMap<>();
    ls.put(PREFIX + "pod_name", pod.getMetadata().getName());
    ls.put(PREFIX + "pod_ip", pod.getStatus() == null ? "" : str(pod.getStatus().getPodIP()));
    ls.put(PREFIX + "pod_ready", ready(pod));
    ls.put(PREFIX + "pod_phase", pod.getStatus() == null ? "" : str(pod.getStatus().getPhase()));
    ls.put(PREFIX + "pod_node_name", pod.getSpec() == null ? "" : str(pod.getSpec().getNodeName()));
    ls.put(PREFIX + "pod_host_ip", pod.getStatus() == null ? "" : str(pod.getStatus().getHostIP()));
    ls.put(PREFIX + "pod_uid", str(pod.getMetadata().getUid()));
    for (OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(ref.getController())) {
        ls.put(PREFIX + "pod_controller_kind", str(ref.getKind()));
        ls.put(PREFIX + "pod_controller_name", str(ref.getName()));
        break;
      }
    }
    Meta.labels(ls, "pod", pod.getMetadata().getLabels());
    Meta.annotations(ls, "pod", pod.getMetadata().getAnnotations());
    return ls;
  }

  private static String ready(Pod pod) {
    if (pod.getStatus() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if ("Ready".equals(c.getType())) {
          return str(c.getStatus()).toLowerCase(Locale.ROOT);
        }
      }
    }
    return "unknown";
  }

  private static String containerId(List<ContainerStatus> statuses, String name) {
    for (ContainerStatus s : statuses) {
      if (s.getName() != null && s.getName().equals(name)) {
        return str(s.getContainerID());
      }
    }
    return "";
  }
}
