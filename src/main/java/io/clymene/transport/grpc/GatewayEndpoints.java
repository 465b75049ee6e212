package io.clymene.transport.grpc;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Chooses the gateway of each attempt: round robin over the endpoints that are up; a down endpoint
 * whose backoff has passed is probed by one write at a time; when every endpoint is down, the one due
 * soonest is tried anyway, so a write never fails without trying and recovery needs no wait. Used only
 * on the writer's context; the clock is injected for tests.
 */
final class GatewayEndpoints {

  /** An endpoint to try, and whether the attempt is the probe of a down endpoint. */
  record Pick(GatewayEndpoint endpoint, boolean probe) {
  }

  private final List<GatewayEndpoint> endpoints;
  private final LongSupplier nanoClock;
  private int cursor;

  GatewayEndpoints(List<GatewayEndpoint> endpoints, LongSupplier nanoClock) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints");
    }
    this.endpoints = List.copyOf(endpoints);
    this.nanoClock = nanoClock;
  }

  List<GatewayEndpoint> all() {
    return endpoints;
  }

  long nanoTime() {
    return nanoClock.getAsLong();
  }

  /**
   * The next endpoint for a write that has already tried {@code tried}, or null when there is none
   * left worth trying (every untried one is down and waiting while another is up).
   */
  Pick next(List<GatewayEndpoint> tried) {
    long now = nanoClock.getAsLong();
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      int idx = (cursor + i) % n;
      GatewayEndpoint e = endpoints.get(idx);
      if (tried.contains(e)) {
        continue;
      }
      if (e.up()) {
        cursor = (idx + 1) % n;
        return new Pick(e, false);
      }
      if (e.dueForProbe(now)) {
        e.startProbe();
        cursor = (idx + 1) % n;
        return new Pick(e, true);
      }
    }
    GatewayEndpoint soonest = null;
    for (GatewayEndpoint e : endpoints) {
      if (e.up()) {
        return null; // a healthy endpoint exists (and was tried): let the queue retry later
      }
      if (!tried.contains(e) && (soonest == null || e.retryAtNanos() - soonest.retryAtNanos() < 0)) {
        soonest = e;
      }
    }
    if (soonest == null) {
      return null;
    }
    boolean probe = !soonest.probing();
    if (probe) {
      soonest.startProbe();
    }
    return new Pick(soonest, probe);
  }
}
