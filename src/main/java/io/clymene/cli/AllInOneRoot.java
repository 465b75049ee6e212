package io.clymene.cli;

import io.vertx.core.Future;

/** The all-in-one: writers (the embedded store by default) and the agent in one process. */
final class AllInOneRoot implements RoleRoot {
  @Override
  public Future<Void> deploy(RoleContext ctx) {
    return Wiring.storage(ctx).compose(composite -> Wiring.agent(ctx, composite));
  }
}
