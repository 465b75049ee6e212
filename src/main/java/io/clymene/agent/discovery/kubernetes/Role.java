package io.clymene.agent.discovery.kubernetes;

import java.util.List;

/**
 * What a {@code kubernetes_sd_configs} entry discovers, as Prometheus' {@code role}; also the role a
 * {@code selectors} entry applies to.
 */
public enum Role {
  NODE("node"),
  POD("pod"),
  SERVICE("service"),
  ENDPOINTS("endpoints"),
  ENDPOINTSLICE("endpointslice"),
  INGRESS("ingress");

  /** The names in Prometheus' order, for messages. */
  static final String NAMES = "pod, service, endpoints, endpointslice, node, ingress";

  private final String configName;

  Role(String configName) {
    this.configName = configName;
  }

  /** The name used in the configuration, e.g. {@code endpointslice}. */
  public String configName() {
    return configName;
  }

  /** The role of a configuration name, or null. */
  public static Role byName(String name) {
    for (Role r : values()) {
      if (r.configName.equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** The roles whose selectors this role may use, in Prometheus' order. */
  public List<Role> allowedSelectors() {
    return switch (this) {
      case POD -> List.of(POD);
      case SERVICE -> List.of(SERVICE);
      case ENDPOINTSLICE -> List.of(POD, SERVICE, ENDPOINTSLICE);
      case ENDPOINTS -> List.of(POD, SERVICE, ENDPOINTS);
      case NODE -> List.of(NODE);
      case INGRESS -> List.of(INGRESS);
    };
  }

  /** Whether {@code attach_metadata.node} applies to this role. */
  boolean attachesNodes() {
    return this == POD || this == ENDPOINTS || this == ENDPOINTSLICE;
  }

  @Override
  public String toString() {
    return configName;
  }
}
