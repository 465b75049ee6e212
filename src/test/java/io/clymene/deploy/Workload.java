package io.clymene.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A manifest document that runs pods (Deployment, StatefulSet, DaemonSet), reduced to what the checks need.
 *
 * @param doc the document
 * @param namespace its namespace
 * @param name its name
 * @param selector its pod selector
 * @param template its pod template
 */
record Workload(Manifests.Doc doc, String namespace, String name, LabelSelector selector,
                PodTemplateSpec template) {

  /** The workloads among {@code docs}. */
  static List<Workload> of(List<Manifests.Doc> docs) {
    List<Workload> out = new ArrayList<>();
    for (Manifests.Doc d : docs) {
      if (d.resource() instanceof Deployment x) {
        out.add(new Workload(d, x.getMetadata().getNamespace(), x.getMetadata().getName(),
            x.getSpec().getSelector(), x.getSpec().getTemplate()));
      } else if (d.resource() instanceof StatefulSet x) {
        out.add(new Workload(d, x.getMetadata().getNamespace(), x.getMetadata().getName(),
            x.getSpec().getSelector(), x.getSpec().getTemplate()));
      } else if (d.resource() instanceof DaemonSet x) {
        out.add(new Workload(d, x.getMetadata().getNamespace(), x.getMetadata().getName(),
            x.getSpec().getSelector(), x.getSpec().getTemplate()));
      }
    }
    return out;
  }

  /** The pod template's labels (never null). */
  Map<String, String> podLabels() {
    return template.getMetadata() == null || template.getMetadata().getLabels() == null
        ? Map.of() : template.getMetadata().getLabels();
  }

  /** Whether the pods carry every label of {@code selector} (a Service's or a selector's matchLabels). */
  boolean podsMatch(Map<String, String> selector) {
    return selector != null && !selector.isEmpty() && selector.entrySet().stream()
        .allMatch(e -> Objects.equals(podLabels().get(e.getKey()), e.getValue()));
  }

  /** The pod's containers. */
  List<Container> containers() {
    return template.getSpec().getContainers();
  }

  /** Whether {@code port} (a number or a port name) is a port some container of the pod declares. */
  boolean declares(IntOrString port) {
    return containers().stream().anyMatch(c -> declares(c, port));
  }

  /** Whether {@code c} declares {@code port} (a number or a port name). */
  static boolean declares(Container c, IntOrString port) {
    if (port == null || c.getPorts() == null) {
      return false;
    }
    for (ContainerPort p : c.getPorts()) {
      if (port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
          : Objects.equals(port.getStrVal(), p.getName())) {
        return true;
      }
    }
    return false;
  }
}
