package io.clymene.agent.discovery.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.vertx.core.MultiMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the current auth and {@code http_headers} headers on every request of the fabric8 client. The headers
 * are computed asynchronously elsewhere (secret files read, OAuth 2.0 tokens fetched) and swapped in here, so
 * a request never waits for a file or a token endpoint.
 */
final class AuthHeaders implements Interceptor {
  private volatile Map<String, List<String>> headers = Map.of();

  /** Replaces the headers sent from now on. */
  void set(MultiMap values) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String name : values.names()) {
      m.put(name, List.copyOf(values.getAll(name)));
    }
    headers = Map.copyOf(m);
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    headers.forEach((name, values) -> {
      for (int i = 0; i < values.size(); i++) {
        if (i == 0) {
          builder.setHeader(name, values.get(i));
        } else {
          builder.header(name, values.get(i));
        }
      }
    });
  }
}
