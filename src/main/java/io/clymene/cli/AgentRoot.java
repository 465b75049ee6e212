package io.clymene.cli;

import io.vertx.core.Future;

/** The agent: scrapes and writes to its remote_write receivers and storage entries. */
final class AgentRoot implements RoleRoot {
  @Override
  public Future<Void> deploy(RoleContext ctx) {
    return Wiring.storage(ctx).compose(composite -> Wiring.agent(ctx, composite));
  }
}
