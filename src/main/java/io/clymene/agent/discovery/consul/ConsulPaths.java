package io.clymene.agent.discovery.consul;

import java.time.Duration;

/**
 * The requests Prometheus' Consul discovery makes, with the parameters Consul's Go client adds: the
 * configured datacenter ({@code dc}), namespace ({@code ns}) and partition on every request; on blocking
 * queries {@code stale}, {@code index} (when known), {@code wait} and one {@code node-meta} per pair;
 * {@code filter} on the catalog and one {@code tag} per tag on a service's health. A datacenter learned
 * from the agent is not sent: Consul answers for its own.
 */
final class ConsulPaths {
  private final ConsulSdConfig config;
  private final String wait;

  ConsulPaths(ConsulSdConfig config, Duration watchTimeout) {
    this.config = config;
    this.wait = watchTimeout.toMillis() + "ms";
  }

  /** The local agent's configuration, which names its datacenter. */
  String agentSelf() {
    return config.pathPrefix() + "/v1/agent/self" + common().encode();
  }

  /** The catalog's services and their tags. */
  String catalogServices(long index) {
    ConsulQuery q = blocking(index);
    if (!config.filter().isEmpty()) {
      q.set("filter", config.filter());
    }
    return config.pathPrefix() + "/v1/catalog/services" + q.encode();
  }

  /** A service's instances with their nodes and checks, whatever their health. */
  String healthService(String service, long index) {
    ConsulQuery q = blocking(index);
    config.tags().forEach(t -> q.add("tag", t));
    return config.pathPrefix() + "/v1/health/service/" + ConsulEndpoint.escapePath(service) + q.encode();
  }

  private ConsulQuery common() {
    ConsulQuery q = new ConsulQuery();
    if (!config.datacenter().isEmpty()) {
      q.set("dc", config.datacenter());
    }
    if (!config.namespace().isEmpty()) {
      q.set("ns", config.namespace());
    }
    if (!config.partition().isEmpty()) {
      q.set("partition", config.partition());
    }
    return q;
  }

  private ConsulQuery blocking(long index) {
    ConsulQuery q = common();
    if (config.allowStale()) {
      q.set("stale", "");
    }
    if (index != 0) {
      q.set("index", Long.toUnsignedString(index));
    }
    q.set("wait", wait);
    config.nodeMeta().forEach((k, v) -> q.add("node-meta", k + ":" + v));
    return q;
  }
}
