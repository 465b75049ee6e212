package io.clymene.transport.grpc;

import io.clymene.config.HostPort;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;

/**
 * One gateway a {@code gateway} writer sends to, with its health: up, or down until a backoff has
 * passed (1 s, doubling on every failed probe up to 30 s). Used only on the writer's context; {@link #up}
 * is volatile because the metrics registry reads it from elsewhere.
 */
final class GatewayEndpoint {
  /** The first wait before a down endpoint is probed again. */
  static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  /** The longest wait before a down endpoint is probed again. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String name;
  private final SocketAddress address;
  private volatile boolean up = true;
  private long backoffNanos;
  private long retryAtNanos;
  private boolean probing;

  GatewayEndpoint(String name, SocketAddress address) {
    this.name = name;
    this.address = address;
  }

  /**
   * Reads {@code host:port} ({@code [v6-address]:port} for IPv6).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static GatewayEndpoint parse(String text) {
    HostPort hp = HostPort.parse(text);
    return new GatewayEndpoint(text, SocketAddress.inetSocketAddress(hp.port(), hp.host()));
  }

  /** The endpoint as configured, {@code host:port}. */
  String name() {
    return name;
  }

  SocketAddress address() {
    return address;
  }

  boolean up() {
    return up;
  }

  boolean probing() {
    return probing;
  }

  long retryAtNanos() {
    return retryAtNanos;
  }

  /** Whether a down endpoint's backoff has passed and nobody probes it yet. */
  boolean dueForProbe(long nowNanos) {
    return !up && !probing && nowNanos - retryAtNanos >= 0;
  }

  /** Claims the probe of a down endpoint: further writes skip it until the probe is answered. */
  void startProbe() {
    probing = true;
  }

  /**
   * Marks the endpoint down after a failed call. The first failure waits {@link #MIN_BACKOFF}; a failed
   * probe doubles the wait. A call that was already in flight when the endpoint went down changes nothing,
   * so that a burst of failures from one outage does not inflate the backoff.
   *
   * @return true when this call took the endpoint down (it was up)
   */
  boolean markDown(long nowNanos, boolean probe) {
    boolean wasUp = up;
    if (wasUp) {
      up = false;
      backoffNanos = MIN_BACKOFF.toNanos();
    } else if (probe) {
      backoffNanos = Math.min(MAX_BACKOFF.toNanos(), backoffNanos * 2);
    } else {
      return false;
    }
    probing = false;
    retryAtNanos = nowNanos + backoffNanos;
    return wasUp;
  }

  /** Ends a probe that neither proved the endpoint up nor down (e.g. it was throttled or rejected data). */
  void endProbe() {
    probing = false;
  }

  /**
   * Marks the endpoint up after a successful call.
   *
   * @return true when it was down
   */
  boolean markUp() {
    boolean was = up;
    up = true;
    probing = false;
    backoffNanos = 0;
    return !was;
  }

  /** The current backoff of a down endpoint. */
  Duration backoff() {
    return Duration.ofNanos(backoffNanos);
  }

  @Override
  public String toString() {
    return name;
  }
}
