package io.clymene.agent.discovery.dns;

import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Looks names up with Vert.x DNS clients, one per server, with Prometheus' rules for a usable answer: the
 * servers are asked in order until one answers with records, with no records, or with NXDOMAIN (which
 * counts as no records); any other answer (SERVFAIL, REFUSED ...) or no answer in time moves on to the
 * next server, and when none is left the lookup fails, naming every server and what it said.
 *
 * <p>Vert.x keeps only the answer records whose owner is the name asked, so the records a recursive server
 * adds after a CNAME are dropped; when an answer has no records this follows the CNAME chain (at most
 * {@value #MAX_CNAMES} links) and asks again, which finds the records Prometheus would take from the first
 * answer. Vert.x cannot decode the SRV records of a single-label name ({@code "svc"}); such a lookup fails
 * with a message saying so.
 */
final class DnsResolver {
  /** Per query, as Prometheus' DNS client waits (2s). */
  static final long QUERY_TIMEOUT_MILLIS = 2000;
  static final int MAX_CNAMES = 8;

  private final Vertx vertx;
  private final Map<NameServer, DnsClient> clients = new HashMap<>();
  private boolean closed;

  DnsResolver(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * The records of {@code type} for {@code name}: IP address strings for A and AAAA,
   * {@link io.vertx.core.dns.SrvRecord}s or {@link io.vertx.core.dns.MxRecord}s; an empty list for NXDOMAIN.
   * Fails with a {@link LookupException} when no server gave a usable answer.
   */
  Future<List<?>> lookup(String name, RecordType type, List<NameServer> servers) {
    return ask(name, type, servers, 0, new ArrayList<>());
  }

  private Future<List<?>> ask(String name, RecordType type, List<NameServer> servers, int index,
      List<String> errors) {
    if (index >= servers.size()) {
      return Future.failedFuture(new LookupException("could not resolve " + type + " records of \"" + name
          + "\": no DNS server gave a usable answer (" + String.join("; ", errors) + ")"));
    }
    NameServer server = servers.get(index);
    DnsClient client = client(server);
    if (client == null) {
      return Future.failedFuture(new LookupException("DNS lookups stopped"));
    }
    return follow(client, name, type, 0)
        .recover(err -> isNxDomain(err) ? Future.succeededFuture(List.of()) : Future.failedFuture(err))
        .recover(err -> {
          errors.add(server + " " + (type == RecordType.SRV && err instanceof IndexOutOfBoundsException
              ? "answered SRV records that Vert.x cannot decode (their name has a single label)"
              : describe(err)));
          return ask(name, type, servers, index + 1, errors);
        });
  }

  /** Asks one server, following CNAMEs when an answer holds no records of the type. */
  private Future<List<?>> follow(DnsClient client, String name, RecordType type, int links) {
    return query(client, name, type).compose(records -> {
      if (!records.isEmpty() || links >= MAX_CNAMES) {
        return Future.succeededFuture(records);
      }
      return client.resolveCNAME(name).compose(aliases -> aliases.isEmpty()
          ? Future.succeededFuture(records)
          : follow(client, aliases.get(0), type, links + 1));
    });
  }

  private static Future<List<?>> query(DnsClient client, String name, RecordType type) {
    return switch (type) {
      case A -> client.resolveA(name).map(l -> l);
      case AAAA -> client.resolveAAAA(name).map(l -> l);
      case SRV -> client.resolveSRV(name).map(l -> l);
      case MX -> client.resolveMX(name).map(l -> l);
    };
  }

  private static boolean isNxDomain(Throwable err) {
    return err instanceof DnsException e && e.code() == DnsResponseCode.NXDOMAIN;
  }

  /** What a server did, for messages: "answered REFUSED", "did not answer within 2000 ms" ... */
  static String describe(Throwable err) {
    if (err instanceof DnsException e) {
      return "answered " + e.code().name();
    }
    if (err instanceof DnsNameResolverTimeoutException) {
      return "did not answer within " + QUERY_TIMEOUT_MILLIS + " ms";
    }
    String message = err.getMessage();
    return "failed: " + (message == null ? err.getClass().getSimpleName() : message);
  }

  private synchronized DnsClient client(NameServer server) {
    if (closed) {
      return null;
    }
    return clients.computeIfAbsent(server, s -> vertx.createDnsClient(new DnsClientOptions()
        .setHost(s.ip())
        .setPort(s.port())
        .setQueryTimeout(QUERY_TIMEOUT_MILLIS)
        .setRecursionDesired(true)));
  }

  /** Closes the clients of servers no longer configured. */
  synchronized void retain(List<NameServer> servers) {
    for (NameServer s : new HashSet<>(clients.keySet())) {
      if (!servers.contains(s)) {
        clients.remove(s).close();
      }
    }
  }

  /** Closes every client; lookups in flight fail. */
  synchronized Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new ArrayList<>();
    clients.values().forEach(c -> closing.add(c.close()));
    clients.clear();
    return Future.all(closing).mapEmpty();
  }

  /** A lookup that got no usable answer from any server; its message names the name and the servers. */
  static final class LookupException extends RuntimeException {
    LookupException(String message) {
      super(message, null, false, false);
    }
  }
}
