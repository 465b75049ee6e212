package io.clymene.cli;

import io.clymene.admin.AdminServer;
import io.clymene.admin.Readiness;
import io.clymene.config.ConfigException;
import io.clymene.config.ServerAddress;
import io.clymene.storage.StorageProviders;
import io.clymene.transport.eventbus.EventBusBatchSender;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final CommandLine cl;
  private final Readiness readiness = new Readiness();
  private volatile RoleContext ctx;
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
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions()
            .setEventLoopPoolSize(Math.max(2, cores))
            .setWorkerPoolSize(4)
            .setInternalBlockingPoolSize(4)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    EventBusBatchSender.registerCodec(vertx);
    return new Launcher(vertx, registry, cl);
  }

  /**
   * Loads the configuration, starts the admin server, then the role. Fails with a
   * {@link ConfigException} for configuration problems (including ports in use); the caller then calls
   * {@link #stop} to release what was started.
   */
  public Future<Launcher> start(Map<String, String> env) {
    StorageProviders providers = StorageProviders.load();
    String version = Version.get();
    return Configuration.load(vertx, cl, env, providers).compose(config -> {
      config.warnings().forEach(w -> LOG.warn("{}", w));
      ctx = new RoleContext(vertx, registry, config, readiness, providers, version);
      ServerAddress adminAddress = config.options().admin();
      admin = new AdminServer(adminAddress, registry, readiness, ctx::reload, cl.role().id(), version);
      ctx.admin(admin);
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
