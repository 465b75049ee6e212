package io.clymene.cluster;

/**
 * A member address {@code host:port} ({@code [v6]:port} for IPv6), as the member list names them.
 *
 * @param host the host name or IP address, without brackets
 * @param port the port
 */
record HostPort(String host, int port) {

  /** Parses {@code host:port}; fails with a message naming what is wrong. */
  static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port such as 127.0.0.1:5801, got '" + text + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("an IPv6 address needs brackets ([::1]:5801), got '" + text + "'");
    }
    String p = text.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(p);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a port number after ':' in '" + text + "' (one port; ranges such "
          + "as 5801-5805 are not supported, list each member)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("expected a port between 1 and 65535 in '" + text + "'");
    }
    return new HostPort(host, port);
  }

  /** {@code host:port}, bracketing an IPv6 address. */
  static String format(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
