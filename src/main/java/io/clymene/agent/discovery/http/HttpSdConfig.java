package io.clymene.agent.discovery.http;

import static io.clymene.config.Schema.duration;
import static io.clymene.config.Schema.object;
import static io.clymene.config.Schema.string;

import io.clymene.agent.config.HttpClientConfig;
import io.clymene.agent.config.PrometheusSchema;
import io.clymene.agent.discovery.Discoverer;
import io.clymene.agent.discovery.DiscoveryContext;
import io.clymene.agent.discovery.SdConfig;
import io.clymene.config.ConfigException;
import io.clymene.config.Durations;
import io.clymene.config.Schema.ObjectSchema;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An {@code http_sd_configs} entry: a URL answering a JSON list of target groups, fetched every
 * {@code refresh_interval} (default 60s) with Prometheus' common HTTP client settings.
 *
 * @param url the endpoint
 * @param refreshInterval how often it is fetched; also the request timeout
 * @param http auth, TLS and proxy settings
 */
public record HttpSdConfig(String url, Duration refreshInterval, HttpClientConfig http) implements SdConfig {
  static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);

  /** The keys of one entry. */
  public static ObjectSchema schema() {
    return PrometheusSchema.httpClient(object()
        .field("url", string())
        .field("refresh_interval", duration()));
  }

  /** Parses one entry. */
  public static HttpSdConfig parse(JsonObject raw, String path, Path baseDir) {
    String url = raw.getString("url");
    if (url == null || url.isEmpty()) {
      throw new ConfigException(null, path + ".url", "URL is missing");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException(null, path + ".url", "expected a URL, got '" + url + "': " + e.getReason());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new ConfigException(null, path + ".url", "URL scheme must be 'http' or 'https', got '" + url + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new ConfigException(null, path + ".url", "host is missing in URL '" + url + "'");
    }
    Duration refresh = DEFAULT_REFRESH;
    if (raw.containsKey("refresh_interval")) {
      refresh = Durations.parse(raw.getString("refresh_interval"));
      if (refresh.isZero()) {
        throw new ConfigException(null, path + ".refresh_interval", "must be greater than 0");
      }
    }
    return new HttpSdConfig(url, refresh, HttpClientConfig.parse(raw, path, baseDir));
  }

  @Override
  public String mechanism() {
    return "http";
  }

  @Override
  public Discoverer create(DiscoveryContext context) {
    return new HttpDiscoverer(this, context);
  }
}
