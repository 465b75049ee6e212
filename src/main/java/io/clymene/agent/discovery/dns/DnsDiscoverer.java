package io.clymene.agent.discovery.dns;

import io.clymene.agent.config.TargetGroup;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.model.Labels;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Looks up every name of a {@link DnsSdConfig} at start and every refresh interval, all names at once, and
 * sends one group per name that got an answer (its source is the name; no records gives an empty group).
 * A name that got no usable answer sends nothing, so its last group stays, and is reported. A refresh that
 * is still running when the next one is due makes that one skipped, as Prometheus' ticker does.
 */
final class DnsDiscoverer implements Discoverer {
  private final DnsSdConfig config;
  private final DiscoveryContext context;
  private final Supplier<Future<List<NameServer>>> servers;
  private final DnsResolver resolver;
  private Consumer<List<TargetGroup>> sink;
  private long periodic = -1;
  private boolean running;
  private boolean stopped;

  /**
   * @param servers gives the DNS servers to ask at each refresh
   */
  DnsDiscoverer(DnsSdConfig config, DiscoveryContext context, Supplier<Future<List<NameServer>>> servers) {
    this.config = config;
    this.context = context;
    this.servers = servers;
    this.resolver = new DnsResolver(context.vertx());
  }

  @Override
  public synchronized void start(Consumer<List<TargetGroup>> sink) {
    this.sink = sink;
    periodic = context.vertx().setPeriodic(config.refreshInterval().toMillis(), id -> refresh());
    context.vertx().runOnContext(v -> refresh());
  }

  private void refresh() {
    synchronized (this) {
      if (stopped || running) {
        return;
      }
      running = true;
    }
    servers.get()
        .transform(ar -> ar.succeeded()
            ? lookupAll(ar.result())
            : Future.succeededFuture(failAll("cannot tell which DNS servers to ask: " + ar.cause().getMessage())))
        .onComplete(ar -> finish(ar.result()));
  }

  /** Looks every name up; never fails, its outcome holds the groups and the errors. */
  private Future<Outcome> lookupAll(List<NameServer> list) {
    resolver.retain(list);
    List<Future<List<?>>> lookups = new ArrayList<>();
    for (String name : config.names()) {
      lookups.add(resolver.lookup(name, config.type(), list));
    }
    return Future.join(lookups).transform(ignored -> {
      Outcome outcome = new Outcome(new ArrayList<>(), new ArrayList<>());
      for (int i = 0; i < lookups.size(); i++) {
        String name = config.names().get(i);
        Future<List<?>> lookup = lookups.get(i);
        if (lookup.succeeded()) {
          List<Labels> targets = DnsTargets.of(name, config.port(), lookup.result());
          outcome.groups().add(new TargetGroup(name, targets, Labels.EMPTY));
        } else {
          outcome.errors().add(lookup.cause().getMessage());
        }
      }
      return Future.succeededFuture(outcome);
    });
  }

  private Outcome failAll(String error) {
    return new Outcome(List.of(), List.of(error));
  }

  private void finish(Outcome outcome) {
    synchronized (this) {
      running = false;
      if (stopped) {
        return;
      }
      // every refresh sends, as Prometheus does: the first one tells the job discovery is ready
      sink.accept(List.copyOf(outcome.groups()));
    }
    if (outcome.errors().isEmpty()) {
      context.recovered();
    } else {
      outcome.errors().forEach(context::failed);
    }
  }

  @Override
  public Future<Void> stop() {
    synchronized (this) {
      stopped = true;
      if (periodic >= 0) {
        context.vertx().cancelTimer(periodic);
      }
    }
    return resolver.close();
  }

  /** What one refresh found: groups for the names that were answered, messages for those that were not. */
  private record Outcome(List<TargetGroup> groups, List<String> errors) {
  }
}
