package io.clymene.agent.discovery;

import io.clymene.util.ThrottledLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Discoverer} gets from the agent: Vert.x, the job and configuration entry it serves, and
 * a place to report failures (log, {@code clymene_sd_refresh_failures_total}, and the targets API).
 */
public final class DiscoveryContext {
  private static final Logger LOG = LoggerFactory.getLogger("io.clymene.agent.discovery");

  private final Vertx vertx;
  private final String job;
  private final String name;
  private final String mechanism;
  private final Counter failures;
  private final ThrottledLog log = new ThrottledLog(LOG, Duration.ofMinutes(1));
  private volatile String lastError;
  private volatile long lastErrorMillis;

  /**
   * @param vertx the agent's Vert.x
   * @param registry where the failure counter goes
   * @param job the job name
   * @param name the configuration entry, e.g. {@code file_sd_configs[0]}
   * @param mechanism the mechanism's short name
   */
  public DiscoveryContext(Vertx vertx, MeterRegistry registry, String job, String name, String mechanism) {
    this.vertx = vertx;
    this.job = job;
    this.name = name;
    this.mechanism = mechanism;
    this.failures = Counter.builder("clymene.sd.refresh.failures")
        .description("Failed service discovery refreshes; the last good targets are kept")
        .tag("mechanism", mechanism).tag("job", job).tag("config", name).register(registry);
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The job name. */
  public String job() {
    return job;
  }

  /** The configuration entry, e.g. {@code file_sd_configs[0]}; a prefix for group sources. */
  public String name() {
    return name;
  }

  /** The mechanism's short name. */
  public String mechanism() {
    return mechanism;
  }

  /** Reports a failed refresh: counted, logged (throttled), and shown by the targets API until it recovers. */
  public void failed(String error) {
    failures.increment();
    lastError = error;
    lastErrorMillis = System.currentTimeMillis();
    log.warn("job {}: {} failed, keeping the last discovered targets: {}", job, name, error);
  }

  /** Reports a successful refresh after failures. */
  public void recovered() {
    if (lastError != null) {
      LOG.info("job {}: {} works again", job, name);
      lastError = null;
    }
  }

  /** The last failure not followed by a success, or null. */
  public String lastError() {
    return lastError;
  }

  /** When {@link #lastError()} happened. */
  public long lastErrorMillis() {
    return lastErrorMillis;
  }
}
