package io.clymene.agent.discovery.kubernetes;

import static io.clymene.agent.discovery.kubernetes.Meta.ADDRESS;
import static io.clymene.agent.discovery.kubernetes.Meta.PREFIX;
import static io.clymene.agent.discovery.kubernetes.Meta.str;

import io.clymene.agent.config.TargetGroup;
import io.clymene.model.Labels;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code service} role: one group per service, one target per service port at its cluster DNS name. */
final class ServiceGroups {
  private ServiceGroups() {
  }

  static TargetGroup group(String source, Service svc) {
    String name = svc.getMetadata().getName();
    String ns = svc.getMetadata().getNamespace();
    String type = str(svc.getSpec().getType());
    List<Labels> targets = new ArrayList<>();
    for (ServicePort port : svc.getSpec().getPorts()) {
      String number = Integer.toString(Meta.num(port.getPort()));
      Map<String, String> t = new HashMap<>();
      t.put(ADDRESS, Meta.joinHostPort(name + "." + ns + ".svc", number));
      t.put(PREFIX + "service_port_name", str(port.getName()));
      t.put(PREFIX + "service_port_number", number);
      t.put(PREFIX + "service_port_protocol", str(port.getProtocol()));
      t.put(PREFIX + "service_type", type);
      if (type.equals("ExternalName")) {
        t.put(PREFIX + "service_external_name", str(svc.getSpec().getExternalName()));
      } else {
        t.put(PREFIX + "service_cluster_ip", str(svc.getSpec().getClusterIP()));
      }
      if (type.equals("LoadBalancer")) {
        t.put(PREFIX + "service_loadbalancer_ip", str(svc.getSpec().getLoadBalancerIP()));
      }
      targets.add(Labels.of(t));
    }
    return new TargetGroup(source, targets, Labels.of(serviceLabels(svc)));
  }

  /** The service's group labels, which the endpoints roles add to the groups of its endpoints too. */
  static Map<String, String> serviceLabels(Service svc) {
    Map<String, String> ls = new HashMap<>();
    ls.put(PREFIX + "service_name", svc.getMetadata().getName());
    ls.put(Meta.NAMESPACE, svc.getMetadata().getNamespace());
    Meta.labels(ls, "service", svc.getMetadata().getLabels());
    Meta.annotations(ls, "service", svc.getMetadata().getAnnotations());
    return ls;
  }
}
