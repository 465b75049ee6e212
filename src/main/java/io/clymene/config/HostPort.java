package io.clymene.config;

/**
 * An address as configuration names them: {@code host:port}, {@code [v6-address]:port} for IPv6 (gateway
 * endpoints, cluster members).
 *
 * @param host the host name or IP address, without brackets
 * @param port the port, 1 to 65535
 */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("expected host:port (an IPv6 address in brackets), got '" + text + "'");
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("expected host:port with a host before ':', got '" + text + "'");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a port number after ':' in '" + text + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("expected host:port with a port between 1 and 65535, got '" + text + "'");
    }
    return new HostPort(host, port);
  }

  /** {@code host:port}, bracketing an IPv6 address. */
  public static String format(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
