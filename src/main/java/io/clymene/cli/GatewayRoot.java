package io.clymene.cli;

import io.vertx.core.Future;

/** The gateway: gRPC and HTTP receivers in front of the composite writer. */
final class GatewayRoot implements RoleRoot {
  @Override
  public Future<Void> deploy(RoleContext ctx) {
    return Wiring.storage(ctx).compose(composite -> Wiring.gateway(ctx, composite));
  }
}
