package io.clymene.agent.discovery.consul;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.scrape.ScrapeClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Consul service discovery as Prometheus 2.42 does it. Without a datacenter configured, the agent's own
 * is read first ({@code /v1/agent/self}). Then, when no services are named or tags filter them, the
 * catalog's service list is watched with blocking queries and every matching service gets a watch of its
 * own ({@code /v1/health/service/<name>}); a service that leaves the catalog loses its group. With
 * named services and no tags, exactly those services are watched. Each watch queries at most once per
 * {@code refresh_interval} and waits {@code retry} longer after a failure, keeping its last group.
 *
 * <p>The first update holds the groups of the first round: every watch started by the first catalog
 * answer has answered or failed. Later updates hold one group each. Everything runs on one Vert.x
 * context; no call blocks.
 */
final class ConsulDiscoverer implements Discoverer {

  /**
   * How long a blocking query may wait for a change, and how long a watch pauses after a failure.
   *
   * @param watchTimeout the {@code wait} parameter of blocking queries
   * @param retryInterval the pause after a failure, before the next tick
   */
  record Timing(Duration watchTimeout, Duration retryInterval) {
    /** Prometheus' values: 2 minutes and 15 seconds. */
    static final Timing PROMETHEUS = new Timing(Duration.ofMinutes(2), Duration.ofSeconds(15));
  }

  /** A parsed answer and its {@code X-Consul-Index}. */
  private record Indexed<T>(long index, T value) {
  }

  private static final String CATALOG = "catalog";
  private static final String AGENT = "agent";

  private final ConsulSdConfig config;
  private final DiscoveryContext context;
  private final Timing timing;
  private final ConsulPaths paths;
  private final Vertx vertx;
  private volatile boolean stopped;
  private Context ctx;
  private ScrapeClient client;
  private Consumer<List<TargetGroup>> sink;
  private String datacenter;
  private ConsulConnection catalog;
  private Ticker catalogTicker;
  private long catalogIndex;
  private long catalogTimer = -1;
  private final Map<String, ServiceWatch> watches = new LinkedHashMap<>();
  /** The watches (and "catalog", "agent") whose last query failed. */
  private final Set<String> failing = new HashSet<>();
  /** Groups of the first round, until it is sent; then null. */
  private Map<String, TargetGroup> initial = new LinkedHashMap<>();
  private final Set<String> pendingFirst = new HashSet<>();
  private boolean startupDone;

  ConsulDiscoverer(ConsulSdConfig config, DiscoveryContext context, Timing timing) {
    this.config = config;
    this.context = context;
    this.timing = timing;
    this.paths = new ConsulPaths(config, timing.watchTimeout());
    this.vertx = context.vertx();
  }

  @Override
  public void start(Consumer<List<TargetGroup>> sink) {
    this.sink = sink;
    this.ctx = vertx.getOrCreateContext();
    try {
      client = new ScrapeClient(vertx, config.http(), config.scheme());
    } catch (RuntimeException e) {
      ctx.runOnContext(v -> {
        context.failed("cannot create the HTTP client for consul " + config.server() + ": " + e.getMessage());
        startupDone = true;
        sendFirstWhenReady();
      });
      return;
    }
    ctx.runOnContext(v -> {
      if (stopped) {
        return;
      }
      catalog = connection();
      if (config.datacenter().isEmpty()) {
        readDatacenter();
      } else {
        datacenter = config.datacenter();
        watch();
      }
    });
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    if (ctx == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> {
      vertx.cancelTimer(catalogTimer);
      failing.clear();
      new ArrayList<>(watches.values()).forEach(ServiceWatch::cancel);
      watches.clear();
      if (catalog != null) {
        catalog.close();
      }
      if (client == null) {
        done.complete();
      } else {
        client.close().onComplete(ar -> done.complete());
      }
    });
    return done.future();
  }

  private ConsulConnection connection() {
    return new ConsulConnection(client, config.endpoint(), config.server(), config.http().tls().serverName(),
        config.token(), timing.watchTimeout().plusSeconds(15).toMillis());
  }

  /** Asks the agent for its datacenter, again and again until it answers, as Prometheus does. */
  private void readDatacenter() {
    query(catalog, paths.agentSelf(), a -> ConsulAnswers.datacenter(a.body())).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        failed(AGENT, "cannot read the datacenter of the consul agent: " + ar.cause().getMessage());
        startupDone = true;
        sendFirstWhenReady();
        catalogTimer = schedule(timing.retryInterval().toMillis(), this::readDatacenter);
        return;
      }
      succeeded(AGENT);
      datacenter = ar.result();
      watch();
    });
  }

  private void watch() {
    if (config.watchesCatalog()) {
      catalogTicker = new Ticker(config.refreshInterval(), System.nanoTime());
      watchCatalog();
    } else {
      config.services().forEach(this::startWatch);
      startupDone = true;
      sendFirstWhenReady();
    }
  }

  /** One blocking query of the catalog's services; new ones get a watch, vanished ones lose their group. */
  private void watchCatalog() {
    catalogTimer = -1;
    String pathAndQuery = paths.catalogServices(catalogIndex);
    Function<ConsulConnection.Answer, Indexed<Map<String, List<String>>>> read =
        a -> new Indexed<>(a.index(), ConsulAnswers.services(a.body()));
    query(catalog, pathAndQuery, read).onComplete(ar -> {
      if (stopped) {
        return;
      }
      long delay;
      if (ar.failed()) {
        failed(CATALOG, "cannot list the consul services: " + ar.cause().getMessage());
        delay = afterFailure(catalogTicker);
      } else {
        succeeded(CATALOG);
        // an unchanged index means the wait ran out without a change
        if (ar.result().index() != catalogIndex) {
          catalogIndex = ar.result().index();
          apply(ar.result().value());
        }
        delay = catalogTicker.takeMillis(System.nanoTime());
      }
      startupDone = true;
      sendFirstWhenReady();
      catalogTimer = schedule(delay, this::watchCatalog);
    });
  }

  private void apply(Map<String, List<String>> services) {
    services.forEach((name, tags) -> {
      if (shouldWatch(name, tags) && !watches.containsKey(name)) {
        startWatch(name);
      }
    });
    for (String name : new ArrayList<>(watches.keySet())) {
      if (!services.containsKey(name)) {
        ServiceWatch w = watches.remove(name);
        w.cancel();
        send(TargetGroup.removed(w.source));
      }
    }
  }

  /** Prometheus' filter on the catalog: a named service (if any are named) with every configured tag. */
  private boolean shouldWatch(String name, List<String> tags) {
    boolean named = config.services().isEmpty() || config.services().contains(name);
    return named && tags.containsAll(config.tags());
  }

  private void startWatch(String name) {
    if (watches.containsKey(name)) {
      return;
    }
    ServiceWatch w = new ServiceWatch(name);
    watches.put(name, w);
    if (initial != null) {
      pendingFirst.add(name);
    }
    w.query();
  }

  /** A GET whose answer is read by {@code read}; an unreadable answer fails naming the URL. */
  private <T> Future<T> query(ConsulConnection c, String pathAndQuery,
                              Function<ConsulConnection.Answer, T> read) {
    return c.get(pathAndQuery).compose(answer -> {
      try {
        return Future.succeededFuture(read.apply(answer));
      } catch (ConsulException | IllegalArgumentException e) {
        return Future.failedFuture(new ConsulException("GET " + c.url(pathAndQuery) + ": " + e.getMessage()));
      }
    });
  }

  /** After a failure a watch sleeps the retry interval, then waits for its next tick. */
  private long afterFailure(Ticker ticker) {
    long retry = timing.retryInterval().toMillis();
    return retry + ticker.takeMillis(System.nanoTime() + timing.retryInterval().toNanos());
  }

  private long schedule(long delayMs, Runnable task) {
    if (stopped) {
      return -1;
    }
    return vertx.setTimer(Math.max(1, delayMs), id -> {
      if (!stopped) {
        task.run();
      }
    });
  }

  private void send(TargetGroup group) {
    if (initial != null) {
      if (group.targets().isEmpty()) {
        initial.remove(group.source());
      } else {
        initial.put(group.source(), group);
      }
    } else if (!stopped) {
      sink.accept(List.of(group));
    }
  }

  private void firstAnswered(String name) {
    if (initial != null && pendingFirst.remove(name)) {
      sendFirstWhenReady();
    }
  }

  private void sendFirstWhenReady() {
    if (initial != null && startupDone && pendingFirst.isEmpty()) {
      List<TargetGroup> first = List.copyOf(initial.values());
      initial = null;
      if (!stopped) {
        sink.accept(first);
      }
    }
  }

  private void failed(String what, String message) {
    failing.add(what);
    context.failed(message);
  }

  private void succeeded(String what) {
    if (failing.remove(what) && failing.isEmpty()) {
      context.recovered();
    }
  }

  /** The blocking watch of one service's healthy and unhealthy instances. */
  private final class ServiceWatch {
    private final String name;
    private final String source;
    private final String key;
    private final ConsulConnection connection = connection();
    private final Ticker ticker = new Ticker(config.refreshInterval(), System.nanoTime());
    private long index;
    private long timer = -1;
    private boolean cancelled;

    ServiceWatch(String name) {
      this.name = name;
      // Prometheus' source: the service name (groups are kept per discoverer, so it is unique)
      this.source = name;
      this.key = "service " + name;
    }

    void query() {
      timer = -1;
      String dc = datacenter;
      ConsulDiscoverer.this.query(connection, paths.healthService(name, index), a -> new Indexed<>(a.index(),
          ConsulAnswers.group(source, name, dc, config.tagSeparator(), a.body()))).onComplete(ar -> {
            if (stopped || cancelled) {
              return;
            }
            long delay;
            if (ar.failed()) {
              failed(key, "cannot read the instances of consul service '" + name + "': "
                  + ar.cause().getMessage());
              delay = afterFailure(ticker);
            } else {
              succeeded(key);
              if (ar.result().index() != index) {
                index = ar.result().index();
                send(ar.result().value());
              }
              delay = ticker.takeMillis(System.nanoTime());
            }
            firstAnswered(name);
            timer = schedule(delay, this::query);
          });
    }

    void cancel() {
      cancelled = true;
      vertx.cancelTimer(timer);
      connection.close();
      succeeded(key);
      firstAnswered(name);
    }
  }
}
