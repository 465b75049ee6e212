package io.clymene.agent.discovery.dns;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the DNS servers to ask, in order: the system property {@value #PROPERTY}, else the environment
 * variable {@value #ENV} (both a comma-separated list of {@link NameServer#parse addresses}), else the
 * {@code nameserver} lines of {@value #RESOLV_CONF} on port 53, as Prometheus reads them.
 */
final class NameServers {
  /** The system property that overrides /etc/resolv.conf. */
  static final String PROPERTY = "clymene.dns.servers";
  /** The environment variable that overrides /etc/resolv.conf when the property is not set. */
  static final String ENV = "CLYMENE_DNS_SERVERS";
  static final String RESOLV_CONF = "/etc/resolv.conf";

  private NameServers() {
  }

  /** The servers to ask now; the file is read without blocking. Fails with a message naming the source. */
  static Future<List<NameServer>> system(Vertx vertx) {
    return configured(System.getProperty(PROPERTY), System.getenv(ENV), vertx, RESOLV_CONF);
  }

  /** The servers from the property's value, else the variable's, else the resolv.conf file. */
  static Future<List<NameServer>> configured(String property, String env, Vertx vertx, String resolvConf) {
    try {
      if (property != null && !property.isBlank()) {
        return Future.succeededFuture(parseList(property, "system property " + PROPERTY));
      }
      if (env != null && !env.isBlank()) {
        return Future.succeededFuture(parseList(env, "environment variable " + ENV));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.fileSystem().readFile(resolvConf).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new IllegalStateException("cannot read " + resolvConf + ": " + ar.cause().getMessage()
            + " (or set " + PROPERTY + " or " + ENV + ")"));
      }
      List<NameServer> servers = parseResolvConf(ar.result().toString());
      if (servers.isEmpty()) {
        return Future.failedFuture(new IllegalStateException("no nameserver in " + resolvConf));
      }
      return Future.succeededFuture(servers);
    });
  }

  /**
   * A comma-separated list of servers.
   *
   * @throws IllegalArgumentException naming the source and the bad entry
   */
  static List<NameServer> parseList(String text, String source) {
    List<NameServer> servers = new ArrayList<>();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      try {
        servers.add(NameServer.parse(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": " + e.getMessage()
            + " (expected IP addresses with optional ports, separated by commas, e.g. 127.0.0.1:5353,[::1]:53)");
      }
    }
    if (servers.isEmpty()) {
      throw new IllegalArgumentException(source + " lists no DNS server");
    }
    return servers;
  }

  /** The {@code nameserver} addresses of a resolv.conf text, port 53; entries that are not IPs are skipped. */
  static List<NameServer> parseResolvConf(String text) {
    List<NameServer> servers = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 2 && words[0].equals("nameserver") && NameServer.isIp(words[1])) {
        servers.add(new NameServer(words[1], NameServer.DEFAULT_PORT));
      }
    }
    return servers;
  }
}
