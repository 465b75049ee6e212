package io.clymene.cli;

import io.clymene.agent.AgentVerticle;
import io.clymene.storage.WriterContext;
import io.clymene.storage.composite.CompositeWriterVerticle;
import io.clymene.transport.eventbus.Addresses;
import io.clymene.transport.eventbus.EventBusBatchSender;
import io.vertx.core.Future;

/** Building blocks the roots share: the composite writer and the agent wired to it. */
final class Wiring {

  private Wiring() {
  }

  /** Deploys the composite writer with every configured storage entry. */
  static Future<Void> storage(RoleContext ctx) {
    ctx.readiness.notReady("storage", "starting " + ctx.config.storage().size() + " writer(s)");
    CompositeWriterVerticle composite = new CompositeWriterVerticle(ctx.config.storage(), ctx.providers,
        new WriterContext(ctx.vertx, ctx.registry, ctx.version), CompositeWriterVerticle.DEFAULT_FLUSH_DEADLINE);
    return ctx.deploy(composite).onSuccess(id -> ctx.readiness.ready("storage", ctx.config.storage().size()
        + " writer(s): " + ctx.config.storage().stream().map(e -> e.name()).toList())).mapEmpty();
  }

  /** Deploys the agent, sending its batches to the composite writer over the local event bus. */
  static Future<Void> agent(RoleContext ctx) {
    ctx.readiness.notReady("agent", "starting");
    EventBusBatchSender sender = new EventBusBatchSender(ctx.vertx, Addresses.STORAGE_WRITE);
    AgentVerticle agent = new AgentVerticle(ctx.config.scrape(), sender::send, ctx.registry, ctx.version);
    return ctx.deploy(agent).onSuccess(id -> {
      ctx.readiness.ready("agent", ctx.config.scrape().scrapeConfigs().size() + " job(s) from "
          + ctx.config.scrape().file());
      ctx.onReload(() -> agent.reload().map(c -> "configuration reloaded from " + c.file()));
    }).mapEmpty();
  }
}
