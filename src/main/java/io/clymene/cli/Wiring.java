package io.clymene.cli;

import io.clymene.agent.AgentVerticle;
import io.clymene.agent.TargetsApi;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.clymene.storage.WriterContext;
import io.clymene.storage.composite.CompositeWriterVerticle;
import io.clymene.transport.eventbus.Addresses;
import io.clymene.transport.eventbus.EventBusBatchSender;
import io.vertx.core.Future;

/** Building blocks the roots share: the composite writer and the agent wired to it. */
final class Wiring {
  private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

  private Wiring() {
  }

  /** Deploys the composite writer with every configured storage entry. */
  static Future<CompositeWriterVerticle> storage(RoleContext ctx) {
    ctx.readiness.notReady("storage", "starting " + ctx.config.storage().size() + " writer(s)");
    CompositeWriterVerticle composite = new CompositeWriterVerticle(ctx.config.storage(), ctx.providers,
        new WriterContext(ctx.vertx, ctx.registry, ctx.version, ctx.config.options().dataDir()),
        CompositeWriterVerticle.DEFAULT_FLUSH_DEADLINE);
    ctx.admin().api("status/remote-write", q -> Future.succeededFuture(composite.status()));
    return ctx.deploy(composite).onSuccess(id -> ctx.readiness.ready("storage", ctx.config.storage().size()
        + " writer(s): " + ctx.config.storage().stream().map(e -> e.name()).toList())).map(composite);
  }

  /**
   * Deploys the agent, sending its batches to the composite writer over the local event bus. Reloads
   * (SIGHUP, POST /-/reload) read the scrape config again, check it and its writers, then apply both;
   * an invalid file changes nothing.
   */
  static Future<Void> agent(RoleContext ctx, CompositeWriterVerticle composite) {
    ctx.readiness.notReady("agent", "starting");
    EventBusBatchSender sender = new EventBusBatchSender(ctx.vertx, Addresses.STORAGE_WRITE);
    AgentVerticle agent = new AgentVerticle(ctx.config.scrape(), sender::send, ctx.registry, ctx.version);
    return ctx.deploy(agent).onSuccess(id -> {
      ctx.readiness.ready("agent", ctx.config.scrape().scrapeConfigs().size() + " job(s) from "
          + ctx.config.scrape().file());
      ctx.onReload(() -> reload(ctx, agent, composite));
      ctx.admin().api("targets", q -> agent.pools().map(p -> TargetsApi.targets(p, q.get("state"), q.get("scrapePool"))));
      ctx.admin().api("scrape_pools", q -> agent.pools().map(TargetsApi::scrapePools));
    }).mapEmpty();
  }

  private static Future<String> reload(RoleContext ctx, AgentVerticle agent, CompositeWriterVerticle composite) {
    String file = agent.scrapeConfig().file();
    return PrometheusConfigLoader.load(ctx.vertx, file).compose(next -> {
      List<StorageEntry> writers;
      try {
        writers = ctx.config.storageFor(next, ctx.providers);
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
      next.warnings().forEach(w -> LOG.warn("{}: {}", next.file(), w));
      return agent.apply(next).compose(applied -> composite.reconfigure(writers))
          .map(v -> "configuration reloaded from " + next.file());
    }).onSuccess(msg -> LOG.info("{}", msg))
        .onFailure(err -> LOG.error("reload rejected, keeping the running configuration: {}", err.getMessage()));
  }
}
