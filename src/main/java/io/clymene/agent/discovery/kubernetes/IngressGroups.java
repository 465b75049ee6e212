package io.clymene.agent.discovery.kubernetes;

import static io.clymene.agent.discovery.kubernetes.Meta.ADDRESS;
import static io.clymene.agent.discovery.kubernetes.Meta.PREFIX;
import static io.clymene.agent.discovery.kubernetes.Meta.str;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code ingress} role: one group per ingress, one target per rule path. */
final class IngressGroups {
  private IngressGroups() {
  }

  static TargetGroup group(String source, Ingress ingress) {
    Map<String, String> group = new HashMap<>();
    group.put(PREFIX + "ingress_name", ingress.getMetadata().getName());
    group.put(Meta.NAMESPACE, ingress.getMetadata().getNamespace());
    if (ingress.getSpec() != null && ingress.getSpec().getIngressClassName() != null) {
      group.put(PREFIX + "ingress_class_name", ingress.getSpec().getIngressClassName());
    }
    Meta.labels(group, "ingress", ingress.getMetadata().getLabels());
    Meta.annotations(group, "ingress", ingress.getMetadata().getAnnotations());

    List<Labels> targets = new ArrayList<>();
    if (ingress.getSpec() != null) {
      List<String> tlsHosts = new ArrayList<>();
      for (IngressTLS tls : ingress.getSpec().getTls()) {
        tlsHosts.addAll(tls.getHosts());
      }
      for (IngressRule rule : ingress.getSpec().getRules()) {
        String host = str(rule.getHost());
        String scheme = "http";
        for (String pattern : tlsHosts) {
          if (matchesHost(pattern, host)) {
            scheme = "https";
            break;
          }
        }
        for (String path : paths(rule)) {
          targets.add(Labels.of(Map.of(ADDRESS, host, PREFIX + "ingress_scheme", scheme,
              PREFIX + "ingress_host", host, PREFIX + "ingress_path", path)));
        }
      }
    }
    return new TargetGroup(source, targets, Labels.of(group));
  }

  /** A rule without an http section stands for "/"; an empty path is "/". */
  private static List<String> paths(IngressRule rule) {
    if (rule.getHttp() == null) {
      return List.of("/");
    }
    List<String> paths = new ArrayList<>();
    for (HTTPIngressPath p : rule.getHttp().getPaths()) {
      paths.add(p.getPath() == null || p.getPath().isEmpty() ? "/" : p.getPath());
    }
    return paths;
  }

  /** Equal, or a {@code *.} wildcard pattern with as many parts as the host and the same parts after the first. */
  static boolean matchesHost(String pattern, String host) {
    if (pattern.equals(host)) {
      return true;
    }
    String[] p = pattern.split("\\.", -1);
    String[] h = host.split("\\.", -1);
    if (!p[0].equals("*") || p.length != h.length) {
      return false;
    }
    for (int i = 1; i < p.length; i++) {
      if (!p[i].equals(h[i])) {
        return false;
      }
    }
    return true;
  }
}
