package io.clymene.agent.discovery.kubernetes;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Kubernetes discovery for one configuration entry, as Prometheus' informer-based discovery: it builds the
 * API client (retrying every 10 s while that fails), starts the role's informers, sends every group once all
 * of them have listed, and then each group whose object (or related service, pod or node) changes. Failures
 * of the client, the credentials or any list/watch are reported with what failed and where; the informers
 * keep retrying, and the entry counts as recovered once nothing is failing any more.
 *
 * <p>Blocking work (reading kubeconfig and secret files, starting and stopping fabric8 informers) runs on
 * worker threads; informer callbacks run on fabric8's threads.
 */
final class KubernetesDiscoverer implements Discoverer, RoleInformers.Health {
  private static final long RETRY_MILLIS = 10_000;
  private static final long HEADER_REFRESH_MILLIS = 5_000;
  private static final String CLIENT = "client";
  private static final String CREDENTIALS = "credentials";

  private final KubernetesSdConfig config;
  private final DiscoveryContext context;
  private final Vertx vertx;
  private final InCluster inCluster;
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  // guarded by this
  private GroupEmitter emitter;
  private boolean stopped;
  private ApiConnection conn;
  private RoleInformers informers;
  private long timer = -1;

  KubernetesDiscoverer(KubernetesSdConfig config, DiscoveryContext context, InCluster inCluster) {
    this.config = config;
    this.context = context;
    this.vertx = context.vertx();
    this.inCluster = inCluster;
  }

  @Override
  public void start(Consumer<List<TargetGroup>> sink) {
    synchronized (this) {
      emitter = new GroupEmitter(sink);
    }
    connect();
  }

  @Override
  public Future<Void> stop() {
    ApiConnection c;
    RoleInformers running;
    synchronized (this) {
      stopped = true;
      if (emitter != null) {
        emitter.stop();
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      c = conn;
      running = informers;
      conn = null;
      informers = null;
    }
    if (c == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      if (running != null) {
        running.stop();
      }
      c.close();
      return null;
    }, false);
  }

  private void connect() {
    vertx.executeBlocking(() -> ApiConnection.open(config, vertx, inCluster), false).onComplete(ar -> {
      if (ar.failed()) {
        failed(CLIENT, "cannot set up the Kubernetes API client: " + Errors.message(ar.cause()));
        synchronized (this) {
          if (!stopped) {
            timer = vertx.setTimer(RETRY_MILLIS, id -> connect());
          }
        }
        return;
      }
      ApiConnection c = ar.result();
      boolean keep;
      synchronized (this) {
        keep = !stopped;
        if (keep) {
          conn = c;
        }
      }
      if (!keep) {
        vertx.executeBlocking(() -> {
          c.close();
          return null;
        }, false);
        return;
      }
      ok(CLIENT);
      c.refreshHeaders().onComplete(h -> {
        credentials(c, h.cause());
        if (c.headersChange()) {
          synchronized (this) {
            if (!stopped) {
              timer = vertx.setPeriodic(HEADER_REFRESH_MILLIS,
                  id -> c.refreshHeaders().onComplete(r -> credentials(c, r.cause())));
            }
          }
        }
        vertx.executeBlocking(() -> {
          startInformers(c);
          return null;
        }, false).onFailure(err -> failed(CLIENT, "cannot start watching " + c.url + ": " + Errors.message(err)));
      });
    });
  }

  private void credentials(ApiConnection c, Throwable err) {
    if (err == null) {
      ok(CREDENTIALS);
    } else {
      failed(CREDENTIALS, "cannot read the credentials for " + c.url + ": " + Errors.message(err));
    }
  }

  /** Creates and starts the informers; the first update goes out once all have listed. Blocking. */
  private void startInformers(ApiConnection c) {
    GroupEmitter out;
    synchronized (this) {
      out = emitter;
    }
    RoleInformers r = RoleInformers.create(config, c, namespaces(c), out, context.name(), this);
    synchronized (this) {
      if (stopped) {
        return;
      }
      informers = r;
    }
    r.start().whenComplete((v, err) -> {
      if (err == null) {
        // off the thread that completed the last list, which may be an event loop
        vertx.executeBlocking(() -> {
          out.sendAll(r.sources());
          return null;
        }, false);
      }
    });
  }

  /** The namespaces to watch; a single null means all. */
  private List<String> namespaces(ApiConnection c) {
    Set<String> ns = new LinkedHashSet<>(config.namespaces());
    if (config.ownNamespace() && c.ownNamespace != null) {
      ns.add(c.ownNamespace);
    }
    List<String> out = new ArrayList<>(ns);
    if (out.isEmpty()) {
      out.add(null);
    }
    return out;
  }

  @Override
  public void failed(String what, String message) {
    failing.add(what);
    context.failed(message);
  }

  @Override
  public void ok(String what) {
    if (failing.remove(what) && failing.isEmpty()) {
      context.recovered();
    }
  }
}
