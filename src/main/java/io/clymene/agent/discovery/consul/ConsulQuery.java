package io.clymene.agent.discovery.consul;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The query string of a Consul request, written as Consul's Go client writes it (Go's url.Values): names
 * sorted, repeated names in the order added, a parameter without value as {@code name=}.
 */
final class ConsulQuery {
  private final Map<String, List<String>> params = new TreeMap<>();

  /** Sets a parameter, replacing its values. */
  ConsulQuery set(String name, String value) {
    List<String> values = new ArrayList<>();
    values.add(value);
    params.put(name, values);
    return this;
  }

  /** Adds a value to a parameter. */
  ConsulQuery add(String name, String value) {
    params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    return this;
  }

  /** {@code ?a=1&b=2}, or "" without parameters. */
  String encode() {
    StringBuilder sb = new StringBuilder();
    params.forEach((name, values) -> {
      for (String v : values) {
        sb.append(sb.length() == 0 ? '?' : '&').append(ConsulEndpoint.escapeQuery(name)).append('=')
            .append(ConsulEndpoint.escapeQuery(v));
      }
    });
    return sb.toString();
  }
}
