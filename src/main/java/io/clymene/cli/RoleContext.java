package io.clymene.cli;

import io.clymene.admin.AdminServer;
import io.clymene.admin.Readiness;
import io.clymene.cluster.ClusterMembers;
import io.clymene.storage.StorageProviders;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * What a role's composition root works with: the Vert.x instance, metrics, configuration, readiness,
 * and a record of its deployments so that shutdown undeploys them in reverse order.
 */
final class RoleContext {
  final Vertx vertx;
  final PrometheusMeterRegistry registry;
  final Configuration config;
  final Readiness readiness;
  final StorageProviders providers;
  final String version;
  /** This process' view of the cluster, or null when it is not clustered. */
  final ClusterMembers members;
  private final Deque<String> deployments = new ArrayDeque<>();
  private volatile Supplier<Future<String>> reload;
  private AdminServer admin;

  RoleContext(Vertx vertx, PrometheusMeterRegistry registry, Configuration config, Readiness readiness,
              StorageProviders providers, String version, ClusterMembers members) {
    this.vertx = vertx;
    this.registry = registry;
    this.config = config;
    this.readiness = readiness;
    this.providers = providers;
    this.version = version;
    this.members = members;
  }

  /** Deploys a verticle and remembers it for shutdown. */
  Future<String> deploy(Deployable verticle) {
    return vertx.deployVerticle(verticle).onSuccess(deployments::push);
  }

  /** Deploys {@code instances} copies of a verticle (one per event loop) and remembers them for shutdown. */
  Future<String> deploy(Supplier<? extends Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances)).onSuccess(deployments::push);
  }

  /** The deployments, newest first. */
  Deque<String> deployments() {
    return deployments;
  }

  /** The role's admin server, for roles that add APIs to it. */
  AdminServer admin() {
    return admin;
  }

  void admin(AdminServer server) {
    this.admin = server;
  }

  /** Sets what {@code POST /-/reload} and SIGHUP do. */
  void onReload(Supplier<Future<String>> action) {
    this.reload = action;
  }

  /** Runs the reload action; fails when the role has nothing to reload. */
  Future<String> reload() {
    Supplier<Future<String>> r = reload;
    return r == null ? Future.succeededFuture("nothing to reload") : r.get();
  }
}
