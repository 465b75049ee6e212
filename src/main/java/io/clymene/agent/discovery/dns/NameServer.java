package io.clymene.agent.discovery.dns;

import io.netty.util.NetUtil;

/**
 * A DNS server to ask: an IP address (never a host name, which would need DNS itself) and a UDP port.
 *
 * @param ip the address, IPv6 without brackets
 * @param port the port, 1-65535
 */
record NameServer(String ip, int port) {
  static final int DEFAULT_PORT = 53;

  NameServer {
    if (!isIp(ip)) {
      throw new IllegalArgumentException("'" + ip + "' is not an IP address");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
    }
  }

  /**
   * Parses {@code 192.0.2.1}, {@code 192.0.2.1:5353}, {@code ::1}, {@code [::1]} or {@code [::1]:5353}.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  static NameServer parse(String text) {
    String s = text.trim();
    String host = s;
    String port = null;
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      if (end < 0 || (end + 1 < s.length() && s.charAt(end + 1) != ':')) {
        throw new IllegalArgumentException("'" + text + "' is not an address such as [::1]:53");
      }
      host = s.substring(1, end);
      port = end + 1 < s.length() ? s.substring(end + 2) : null;
    } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
      host = s.substring(0, s.indexOf(':'));
      port = s.substring(s.indexOf(':') + 1);
    }
    int p = DEFAULT_PORT;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + port + "' in '" + text + "' is not a port number");
      }
    }
    return new NameServer(host, p);
  }

  static boolean isIp(String s) {
    if (s == null) {
      return false;
    }
    int zone = s.indexOf('%');
    String bare = zone > 0 ? s.substring(0, zone) : s;
    return NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare);
  }

  /** {@code ip:port}, with an IPv6 address in brackets. */
  @Override
  public String toString() {
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
  }
}
