package io.clymene.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's own meters: requests by protocol and answer, samples taken, and requests sent back
 * because the output was full. Shared by every receiver instance.
 */
public final class GatewayMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> samples = new ConcurrentHashMap<>();
  private final Map<String, Counter> throttled = new ConcurrentHashMap<>();

  /** @param registry where the meters are registered */
  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts a request of {@code protocol} answered with {@code code} (an HTTP status or a gRPC status name). */
  void request(String protocol, String code) {
    requests.computeIfAbsent(protocol + '\0' + code, k -> Counter.builder("clymene.gateway.requests")
        .description("Requests received by the gateway, by protocol and answer")
        .tag("protocol", protocol).tag("code", code).register(registry)).increment();
  }

  /** Counts samples of {@code protocol} the output took. */
  void samples(String protocol, int n) {
    samples.computeIfAbsent(protocol, k -> Counter.builder("clymene.gateway.received.samples")
        .description("Samples the gateway received and its output took")
        .tag("protocol", protocol).register(registry)).increment(n);
  }

  /** Counts a request sent back because the output was full (429, RESOURCE_EXHAUSTED). */
  void throttled(String protocol) {
    throttled.computeIfAbsent(protocol, k -> Counter.builder("clymene.gateway.throttled.requests")
        .description("Requests answered 'come back later' because the output was full")
        .tag("protocol", protocol).register(registry)).increment();
  }
}
