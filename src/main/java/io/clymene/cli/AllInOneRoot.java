package io.clymene.cli;

import io.vertx.core.Future;

/**
 * The all-in-one: writers (the embedded store by default), the gateway's receivers and the agent in one
 * process, the agent and the receivers both writing to the composite writer.
 */
final class AllInOneRoot implements RoleRoot {
  @Override
  public Future<Void> deploy(RoleContext ctx) {
    return Wiring.storage(ctx).compose(composite -> Wiring.gateway(ctx, composite)
        .compose(v -> Wiring.agent(ctx, composite)));
  }
}
