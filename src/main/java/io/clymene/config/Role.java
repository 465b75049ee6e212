package io.clymene.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The roles one Clymene jar can run, each with its default admin port. */
public enum Role {
  ALL_IN_ONE("all-in-one", 15691),
  AGENT("agent", 15691),
  GATEWAY("gateway", 15690),
  INGESTER("ingester", 15694);

  private final String id;
  private final int defaultAdminPort;

  Role(String id, int defaultAdminPort) {
    this.id = id;
    this.defaultAdminPort = defaultAdminPort;
  }

  /** The name used on the command line. */
  public String id() {
    return id;
  }

  public int defaultAdminPort() {
    return defaultAdminPort;
  }

  /** Whether this role scrapes targets. */
  public boolean scrapes() {
    return this == ALL_IN_ONE || this == AGENT;
  }

  /** The role for a command-line name, or null. */
  public static Role byId(String id) {
    for (Role r : values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    return null;
  }

  /** The names of all roles, for messages. */
  public static String ids() {
    return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
  }
}
