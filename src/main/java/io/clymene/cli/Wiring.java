package io.clymene.cli;

import io.clymene.agent.AgentVerticle;
import io.clymene.agent.TargetsApi;
import io.clymene.agent.scrape.TargetShards;
import java.util.concurrent.atomic.AtomicReference;
import io.clymene.agent.config.PrometheusConfigLoader;
import io.clymene.config.ClymeneOptions;
import io.clymene.config.ConfigException;
import io.clymene.gateway.EventBusReceiver;
import io.clymene.gateway.GatewayAuth;
import io.clymene.gateway.GatewayMetrics;
import io.clymene.gateway.GatewayOptions;
import io.clymene.gateway.GatewayOutput;
import io.clymene.gateway.GatewayVerticle;
import io.clymene.gateway.OutputFullException;
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
    AtomicReference<TargetShards> shards = new AtomicReference<>(ctx.members == null ? TargetShards.STANDALONE
        : ClusterSharding.now(ctx.members, ctx.config.cluster()));
    AgentVerticle agent = new AgentVerticle(ctx.config.scrape(), sender::send, ctx.registry, ctx.version,
        shards.get());
    return ctx.deploy(agent).onSuccess(id -> {
      ctx.readiness.ready("agent", ctx.config.scrape().scrapeConfigs().size() + " job(s) from "
          + ctx.config.scrape().file());
      ctx.onReload(() -> reload(ctx, agent, composite));
      if (ctx.members != null) {
        Runnable reshard = () -> {
          shards.set(ClusterSharding.now(ctx.members, ctx.config.cluster()));
          agent.reshard(shards.get());
        };
        ctx.members.onChange(reshard);
        reshard.run(); // a member that came or went while the agent started
      }
      ctx.admin().api("targets", q -> agent.pools().map(p -> TargetsApi.targets(p, q.get("state"),
          q.get("scrapePool"), shards.get())));
      ctx.admin().api("scrape_pools", q -> agent.pools().map(TargetsApi::scrapePools));
    }).mapEmpty();
  }

  /**
   * Deploys the gateway's receivers (one copy per event loop) in front of the composite writer: a request
   * is acknowledged once every writer queued it, and refused with 429 / RESOURCE_EXHAUSTED when one has no
   * room. When Vert.x is clustered, copies of the event-bus receiver also consume {@link Addresses#GATEWAY_WRITE}
   * cluster-wide, for agents with {@code agent.output: eventbus}.
   */
  static Future<Void> gateway(RoleContext ctx, CompositeWriterVerticle composite) {
    ctx.readiness.notReady("gateway", "starting the receivers");
    ClymeneOptions o = ctx.config.options();
    GatewayOptions options;
    try {
      options = GatewayOptions.from(o.tree().getJsonObject("gateway"), o.gatewayGrpc(), o.gatewayHttp(),
          Math.max(2, Runtime.getRuntime().availableProcessors()));
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    GatewayOutput output = batch -> {
      String full = composite.admit(batch);
      return full == null ? Future.succeededFuture() : Future.failedFuture(new OutputFullException(full));
    };
    GatewayMetrics metrics = new GatewayMetrics(ctx.registry);
    Future<GatewayAuth> auth = options.credentialsFile() == null ? Future.succeededFuture()
        : GatewayAuth.open(ctx.vertx, options.credentialsFile(), options.credentialsCheck());
    return auth.compose(a -> ctx.deploy(() -> new GatewayVerticle(options, a, output, metrics), options.instances())
        .recover(err -> Future.failedFuture(err instanceof GatewayVerticle.BindFailure bf
            ? Launcher.bindError(err.getCause(), bf.address(), ctx.config) : err)))
        .compose(id -> !ctx.vertx.isClustered() ? Future.succeededFuture(id)
            : ctx.deploy(() -> new EventBusReceiver(Addresses.GATEWAY_WRITE, options.maxRequestBytes(), output,
                metrics), options.instances()))
        .onSuccess(id -> {
          String where = "gRPC on " + options.grpc() + (options.grpcTls() != null ? " (TLS)" : "") + ", HTTP on "
              + options.http() + (options.httpTls() != null ? " (TLS)" : "")
              + (ctx.vertx.isClustered() ? ", cluster event bus on " + Addresses.GATEWAY_WRITE : "");
          ctx.readiness.ready("gateway", where + ", " + options.instances() + " copies");
          LOG.info("gateway receivers listening: {}", where);
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
