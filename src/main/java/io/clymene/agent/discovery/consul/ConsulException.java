package io.clymene.agent.discovery.consul;

/**
 * A failed Consul query: unreachable, timed out, an answer other than 200, or an answer that is not what
 * Consul's API documents. The watch that got it keeps its last targets and tries again later.
 */
final class ConsulException extends RuntimeException {
  ConsulException(String message) {
    super(message, null, false, false);
  }
}
