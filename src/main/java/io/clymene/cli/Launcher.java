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
  private final RoleContext ctx;
  private final AdminServer admin;

  private Launcher(Vertx vertx, RoleContext ctx, AdminServer admin) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.admin = admin;
  }

  /**
   * Starts a process as the command line says; fails with a {@link ConfigException} for configuration
   * problems (including ports in use), after releasing everything it had started.
   */
  public static Future<Launcher> start(CommandLine cl, Map<String, String> env) {
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
    StorageProviders providers = StorageProviders.load();
    Readiness readiness = new Readiness();
    String version = Version.get();
    return Configuration.load(vertx, cl, env, providers).compose(config -> {
      config.warnings().forEach(w -> LOG.warn("{}", w));
      RoleContext ctx = new RoleContext(vertx, registry, config, readiness, providers, version);
      ServerAddress adminAddress = config.options().admin();
      AdminServer admin = new AdminServer(adminAddress, registry, readiness, ctx::reload, cl.role().id(), version);
      Launcher launcher = new Launcher(vertx, ctx, admin);
      return ctx.deploy(admin)
          .recover(err -> Future.failedFuture(bindError(err, adminAddress, config)))
          .compose(id -> {
            LOG.info("Clymene {} starting as {}; admin server on {}:{}", version, cl.role().id(),
                adminAddress.host(), admin.actualPort());
            return RoleRoot.of(cl.role()).deploy(ctx);
          })
          .map(v -> {
            LOG.info("Clymene {} ready as {}", version, cl.role().id());
            return launcher;
          })
          .recover(err -> launcher.stop(Duration.ofSeconds(5)).transform(ar -> Future.failedFuture(
              err instanceof ConfigException ce && ce.source() == null ? ce.withSource(config.options().source())
                  : err)));
    }).recover(err -> vertx.close().transform(ar -> Future.failedFuture(err)));
  }

  private static Throwable bindError(Throwable err, ServerAddress address, Configuration config) {
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
    return ctx.reload();
  }

  /** Undeploys the role (newest first: scrapers before writers) and closes Vert.x, within the deadline. */
  public Future<Void> stop(Duration deadline) {
    long until = System.nanoTime() + deadline.toNanos();
    List<String> ids = new ArrayList<>(ctx.deployments());
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
