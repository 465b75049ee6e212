package io.clymene.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the Kubernetes API types cannot say about our manifests: every container is complete (image, requests
 * and limits, the health probes on a declared port), selectors select, Services reach declared ports, and
 * objects live in a namespace the manifests create. Each problem names the document and the field.
 */
final class ManifestChecks {
  private ManifestChecks() {
  }

  /** Every problem of {@code docs} (empty when they are fine), schema problems included. */
  static List<String> check(List<Manifests.Doc> docs) {
    List<String> problems = new ArrayList<>();
    docs.forEach(d -> UnknownFields.check(d, problems));
    List<Workload> workloads = Workload.of(docs);
    for (Workload w : workloads) {
      selector(w, problems);
      for (int i = 0; i < w.containers().size(); i++) {
        container(w, i, problems);
      }
    }
    for (Manifests.Doc d : docs) {
      if (d.resource() instanceof Service s) {
        service(d, s, workloads, problems);
      } else if (d.resource() instanceof StatefulSet s) {
        Service svc = find(docs, Service.class, s.getMetadata().getNamespace(), s.getSpec().getServiceName());
        if (svc == null || !"None".equals(svc.getSpec().getClusterIP())) {
          problems.add(d.where() + ": spec.serviceName: no headless Service (clusterIP: None) named '"
              + s.getSpec().getServiceName() + "'");
        }
      } else if (d.resource() instanceof PodDisruptionBudget p) {
        Map<String, String> sel = p.getSpec().getSelector() == null ? null : p.getSpec().getSelector().getMatchLabels();
        if (workloads.stream().noneMatch(w -> same(w.namespace(), p) && w.podsMatch(sel))) {
          problems.add(d.where() + ": spec.selector.matchLabels: selects no pods of these manifests");
        }
      }
      namespace(d, docs, problems);
    }
    References.check(docs, workloads, problems);
    return problems;
  }

  private static void selector(Workload w, List<String> problems) {
    Map<String, String> sel = w.selector() == null ? null : w.selector().getMatchLabels();
    if (!w.podsMatch(sel)) {
      problems.add(w.doc().where() + ": spec.selector.matchLabels: " + sel
          + " does not match the pod template's labels " + w.podLabels());
    }
  }

  private static void container(Workload w, int i, List<String> problems) {
    Container c = w.containers().get(i);
    String at = w.doc().where() + ": spec.template.spec.containers[" + i + "]";
    if (c.getImage() == null || c.getImage().isBlank()) {
      problems.add(at + ".image: missing");
    }
    ResourceRequirements r = c.getResources();
    for (String kind : List.of("requests", "limits")) {
      Map<String, Quantity> q = r == null ? null : kind.equals("requests") ? r.getRequests() : r.getLimits();
      for (String res : List.of("cpu", "memory")) {
        if (q == null || q.get(res) == null) {
          problems.add(at + ".resources." + kind + "." + res + ": missing");
        }
      }
    }
    if (r != null && r.getRequests() != null && r.getLimits() != null) {
      r.getRequests().forEach((res, req) -> {
        Quantity lim = r.getLimits().get(res);
        if (lim != null && Quantity.getAmountInBytes(req).compareTo(Quantity.getAmountInBytes(lim)) > 0) {
          problems.add(at + ".resources.requests." + res + ": " + req + " is more than the limit " + lim);
        }
      });
    }
    probe(at + ".livenessProbe", c, c.getLivenessProbe(), "/health", problems);
    probe(at + ".readinessProbe", c, c.getReadinessProbe(), "/ready", problems);
  }

  private static void probe(String at, Container c, Probe p, String path, List<String> problems) {
    HTTPGetAction get = p == null ? null : p.getHttpGet();
    if (get == null) {
      problems.add(at + ".httpGet: missing (expected GET " + path + ")");
      return;
    }
    if (!path.equals(get.getPath())) {
      problems.add(at + ".httpGet.path: expected " + path + ", got " + get.getPath());
    }
    if (!Workload.declares(c, get.getPort())) {
      problems.add(at + ".httpGet.port: " + portText(get.getPort()) + " is not a port the container declares");
    }
  }

  private static void service(Manifests.Doc d, Service s, List<Workload> workloads, List<String> problems) {
    List<Workload> selected = workloads.stream()
        .filter(w -> same(w.namespace(), s) && w.podsMatch(s.getSpec().getSelector())).toList();
    if (selected.isEmpty()) {
      problems.add(d.where() + ": spec.selector: " + s.getSpec().getSelector() + " selects no pods of these manifests");
      return;
    }
    List<ServicePort> ports = s.getSpec().getPorts();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort p = ports.get(i);
      var target = p.getTargetPort() != null ? p.getTargetPort()
          : new io.fabric8.kubernetes.api.model.IntOrString(p.getPort());
      for (Workload w : selected) {
        if (!w.declares(target)) {
          problems.add(d.where() + ": spec.ports[" + i + "].targetPort: " + portText(target)
              + " is not a port of " + w.doc().where());
        }
      }
    }
  }

  /** Namespaced objects must be in a namespace the manifests create. */
  private static void namespace(Manifests.Doc d, List<Manifests.Doc> docs, List<String> problems) {
    if (!(d.resource() instanceof HasMetadata h) || d.resource() instanceof Namespace) {
      return;
    }
    String ns = h.getMetadata().getNamespace();
    boolean clusterScoped = h.getKind().startsWith("Cluster");
    if (!clusterScoped && docs.stream().noneMatch(x -> x.resource() instanceof Namespace n
        && Objects.equals(n.getMetadata().getName(), ns))) {
      problems.add(d.where() + ": metadata.namespace: '" + ns + "' is not a Namespace of these manifests");
    }
  }

  static <T extends HasMetadata> T find(List<Manifests.Doc> docs, Class<T> type, String namespace, String name) {
    return docs.stream().map(d -> d.as(type)).filter(Objects::nonNull)
        .filter(x -> Objects.equals(x.getMetadata().getNamespace(), namespace))
        .filter(x -> Objects.equals(x.getMetadata().getName(), name)).findFirst().orElse(null);
  }

  static ConfigMap configMap(List<Manifests.Doc> docs, String namespace, String name) {
    return find(docs, ConfigMap.class, namespace, name);
  }

  private static boolean same(String namespace, HasMetadata h) {
    return Objects.equals(namespace, h.getMetadata().getNamespace());
  }

  private static String portText(io.fabric8.kubernetes.api.model.IntOrString port) {
    return port == null ? "(none)"
        : port.getIntVal() != null ? port.getIntVal().toString() : "'" + port.getStrVal() + "'";
  }
}
