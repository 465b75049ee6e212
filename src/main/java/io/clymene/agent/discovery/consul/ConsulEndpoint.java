package io.clymene.agent.discovery.consul;

import java.nio.charset.StandardCharsets;

/**
 * Where a Consul agent listens: host, port and whether it speaks TLS, from the {@code server} and
 * {@code scheme} settings; the port defaults to the scheme's (80 or 443), as with Go's HTTP client.
 */
record ConsulEndpoint(String host, int port, boolean ssl) {

  /**
   * @param server {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}
   * @param scheme {@code http} or {@code https}
   * @throws IllegalArgumentException when the server is not of that form
   */
  static ConsulEndpoint parse(String server, String scheme) {
    boolean ssl = scheme.equals("https");
    int defaultPort = ssl ? 443 : 80;
    String host;
    String port = null;
    if (server.startsWith("[")) {
      int end = server.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("unclosed [");
      }
      host = server.substring(1, end);
      String rest = server.substring(end + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("junk after ]");
        }
        port = rest.substring(1);
      }
    } else {
      int colon = server.indexOf(':');
      if (colon >= 0 && server.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException("IPv6 addresses need brackets");
      }
      host = colon < 0 ? server : server.substring(0, colon);
      port = colon < 0 ? null : server.substring(colon + 1);
    }
    if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || "/?#@".indexOf(c) >= 0)) {
      throw new IllegalArgumentException("bad host");
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port");
      }
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("bad port");
      }
    }
    return new ConsulEndpoint(host, p, ssl);
  }

  /** {@code scheme://host:port}, brackets around an IPv6 host. */
  String baseUrl() {
    return (ssl ? "https://" : "http://") + joinHostPort(host, port);
  }

  /** {@code host:port}, with brackets around a host holding a colon, like Go's net.JoinHostPort. */
  static String joinHostPort(String host, Object port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Escapes a path segment the way Go's url package writes a path. */
  static String escapePath(String s) {
    return escape(s, "-_.~$&+,/:;=@");
  }

  /** Escapes a query name or value like Go's url.QueryEscape (space as +). */
  static String escapeQuery(String s) {
    return escape(s, "-_.~").replace("%20", "+");
  }

  private static String escape(String s, String safe) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (alnum || safe.indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
