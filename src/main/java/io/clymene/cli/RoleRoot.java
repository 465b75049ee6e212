package io.clymene.cli;

import io.clymene.config.Role;
import io.vertx.core.Future;

/** The composition root of one role: builds and deploys that role's parts, in order. */
interface RoleRoot {

  /** Deploys the role; fails when a part cannot start. */
  Future<Void> deploy(RoleContext ctx);

  /** The root of a role. */
  static RoleRoot of(Role role) {
    return switch (role) {
      case ALL_IN_ONE -> new AllInOneRoot();
      case AGENT -> new AgentRoot();
      case GATEWAY -> new GatewayRoot();
      case INGESTER -> new IngesterRoot();
    };
  }
}
