package io.clymene.cli;

import io.clymene.admin.AdminServer;
import io.clymene.admin.Readiness;
import io.clymene.cluster.ClusterMembers;
import io.clymene.cluster.ClusterOptions;
import io.clymene.cluster.HazelcastSetup;
import io.clymene.config.ConfigException;
import io.clymene.config.ServerAddress;
import io.clymene.storage.StorageProviders;
import io.clymene.transport.eventbus.EventBusBatchSender;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Clymene process: the Vert.x instance with its metrics, the admin server and the role's
 * deployments. {@link #start} loads the configuration, starts the admin server, then the role;
 * {@link #stop} undeploys in reverse order (scrapers first, writers flushing last) and closes Vert.x.
 */
public final class Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  private volatile Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final CommandLine cl;
  private final Readiness readiness = new Readiness();
  private volatile RoleContext ctx;
  private volatile ClusterMembers members;
  private volatile AdminServer admin;

  private Launcher(Vertx vertx, PrometheusMeterRegistry registry, CommandLine cl) {
    this.vertx = vertx;
    this.registry = registry;
    this.cl = cl;
  }

  /** Creates the Vert.x instance and metrics registry of a process; nothing is deployed yet. */
  public static Launcher create(CommandLine cl) {
    PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder().with(vertxOptions()).withMetrics(new MicrometerMetricsFactory(registry)).build();
    EventBusBatchSender.registerCodec(vertx);
    return new Launcher(vertx, registry, cl);
  }

  private static VertxOptions vertxOptions() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new VertxOptions()
        .setEventLoopPoolSize(Math.max(2, cores))
        .setWorkerPoolSize(4)
        .setInternalBlockingPoolSize(4)
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
  }

  /**
   * In cluster mode, a Vert.x instance that joined the cluster (Hazelcast, with the {@code cluster} keys)
   * replaces the one that loaded the configuration, which is then closed; the future completes on a context
   * of the new instance. Otherwise the instance stays.
   */
  private Future<Configuration> joinCluster(Configuration config) {
    ClusterOptions options = config.cluster();
    if (!options.enabled()) {
      return Future.succeededFuture(config);
    }
    readiness.notReady("cluster", "joining " + (options.serviceDns() != null ? options.serviceDns()
        : options.members()));
    VertxOptions vo = vertxOptions();
    vo.getEventBusOptions().setHost(options.host()).setPort(options.busPort()).setClusterPublicHost(options.host());
    Vertx boot = vertx;
    Promise<Configuration> joined = Promise.promise();
    // joining blocks (Hazelcast's configuration, the join itself): on a thread of its own, not on Vert.x's
    Thread join = new Thread(() -> {
      Vertx clustered;
      try {
        HazelcastClusterManager manager = HazelcastSetup.clusterManager(options, cl.role().id(), cl.role().scrapes());
        clustered = Vertx.builder().with(vo).withMetrics(new MicrometerMetricsFactory(registry))
            .withClusterManager(manager).buildClustered().toCompletionStage().toCompletableFuture().get();
        members = ClusterMembers.of(manager, options);
      } catch (Exception e) {
        joined.fail(clusterError(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e, config));
        return;
      }
      vertx = clustered;
      EventBusBatchSender.registerCodec(clustered);
      readiness.ready("cluster", "member " + options.memberName() + " of '" + options.name() + "'");
      LOG.info("joined cluster '{}' as {} ({}:{}); members: {}", options.name(), options.memberName(),
          options.host(), options.port(), members.describeAll().encode());
      boot.close();
      clustered.getOrCreateContext().runOnContext(v -> joined.complete(config));
    }, "clymene-cluster-join");
    join.setDaemon(true);
    join.start();
    return joined.future();
  }

  /**
   * Loads the configuration, starts the admin server, then the role. Fails with a
   * {@link ConfigException} for configuration problems (including ports in use); the caller then calls
   * {@link #stop} to release what was started.
   */
  public Future<Launcher> start(Map<String, String> env) {
    StorageProviders providers = StorageProviders.load();
    String version = Version.get();
    // a promise without context: after a cluster join, the rest runs on the clustered instance
    Promise<Configuration> loaded = Promise.promise();
    Configuration.load(vertx, cl, env, providers).onComplete(ar -> {
      if (ar.failed()) {
        loaded.fail(ar.cause());
      } else {
        joinCluster(ar.result()).onComplete(loaded);
      }
    });
    return loaded.future().compose(config -> {
      config.warnings().forEach(w -> LOG.warn("{}", w));
      ctx = new RoleContext(vertx, registry, config, readiness, providers, version, members);
      ServerAddress adminAddress = config.options().admin();
      admin = new AdminServer(adminAddress, registry, readiness, ctx::reload, cl.role().id(), version);
      ctx.admin(admin);
      if (members != null) {
        ClusterOptions co = config.cluster();
        admin.api("status/cluster", q -> Future.succeededFuture(new io.vertx.core.json.JsonObject()
            .put("name", co.name()).put("member", co.memberName()).put("members", members.describeAll())
            .put("scraping", new io.vertx.core.json.JsonArray(members.scraping()))));
      }
      return ctx.deploy(admin)
          .recover(err -> Future.failedFuture(bindError(err, adminAddress, config)))
          .compose(id -> {
            LOG.info("Clymene {} starting as {}; admin server on {}:{}", version, cl.role().id(),
                adminAddress.host(), admin.actualPort());
            return RoleRoot.of(cl.role()).deploy(ctx);
          })
          .map(v -> {
            LOG.info("Clymene {} ready as {}", version, cl.role().id());
            return this;
          })
          .recover(err -> Future.failedFuture(err instanceof ConfigException ce && ce.source() == null
              ? ce.withSource(config.sourceOf(ce.path())) : err));
    });
  }

  private static Throwable clusterError(Throwable err, Configuration config) {
    ClusterOptions o = config.cluster();
    Throwable bind = bindError(err, new ServerAddress(o.host(), o.port(), "cluster"), config);
    if (bind != err) {
      return bind;
    }
    for (Throwable c = err; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().contains("is already in use")) {
        return new ConfigException(config.sourceOf("cluster.port"), "cluster.port", "port " + o.port() + " on "
            + o.host() + " is already in use (expected a free port)");
      }
    }
    return new ConfigException(config.sourceOf("cluster"), "cluster", "could not join cluster '" + o.name()
        + "' as " + o.host() + ":" + o.port() + ": " + err.getMessage());
  }

  static Throwable bindError(Throwable err, ServerAddress address, Configuration config) {
    Throwable c = err;
    while (c != null) {
      if (c instanceof BindException || (c.getMessage() != null && c.getMessage().contains("Address already in use"))) {
        String path = address.keyPath() + ".port";
        return new ConfigException(config.sourceOf(path), path, "port " + address.port() + " on " + address.host()
            + " is already in use (expected a free port)");
      }
      c = c.getCause();
    }
    return err;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The admin server's bound port. */
  public int adminPort() {
    return admin.actualPort();
  }

  /** Reloads the scrape config, as {@code POST /-/reload} and SIGHUP do. */
  public Future<String> reload() {
    RoleContext c = ctx;
    return c == null ? Future.failedFuture("not started") : c.reload();
  }

  /**
   * Undeploys the role (newest first: scrapers before writers) and closes Vert.x, within the deadline.
   * Call it from a thread that is not Vert.x's (a shutdown hook, main, a test).
   */
  public Future<Void> stop(Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    ClusterMembers m = members;
    if (m != null) {
      m.announceStop();
    }
    List<String> ids = ctx == null ? List.of() : new ArrayList<>(ctx.deployments());
    Future<Void> chain = Future.succeededFuture();
    for (String id : ids) {
      chain = chain.transform(ar -> vertx.undeploy(id).otherwise(err -> {
        LOG.warn("stopping {} failed: {}", id, err.getMessage());
        return null;
      }));
    }
    return chain.transform(ar -> vertx.close()).timeout(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
  }
}
