package io.clymene.storage.opensearch;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The keys of an {@code opensearch} or {@code elasticsearch} storage entry, checked and immutable.
 * {@link #toString()} never shows the API key.
 *
 * @param urls the nodes to send to, round robin (default {@code http://127.0.0.1:9200})
 * @param index the index name or prefix (default {@code clymene-metrics})
 * @param mode daily indices, one static index or a data stream
 * @param apiKey an Elasticsearch API key (the {@code encoded} value), sent as {@code Authorization: ApiKey ...}
 * @param template whether to put the index template at start
 * @param replicas {@code number_of_replicas} in the template
 */
record SearchOptions(List<URI> urls, String index, IndexMode mode, String apiKey, boolean template, int replicas) {
  static final String DEFAULT_URL = "http://127.0.0.1:9200";
  static final String DEFAULT_INDEX = "clymene-metrics";
  static final int DEFAULT_REPLICAS = 1;

  SearchOptions {
    urls = List.copyOf(urls);
  }

  /**
   * Reads and checks an entry.
   *
   * @throws ConfigException naming the key
   */
  static SearchOptions from(StorageEntry entry) {
    String path = entry.path();
    JsonArray list = entry.config().getJsonArray("urls");
    List<URI> urls = new ArrayList<>();
    if (list == null || list.isEmpty()) {
      if (list != null) {
        throw new ConfigException(null, path + ".urls", "expected at least one URL, got an empty list");
      }
      urls.add(URI.create(DEFAULT_URL));
    } else {
      for (int i = 0; i < list.size(); i++) {
        urls.add(url(String.valueOf(list.getValue(i)), path + ".urls[" + i + "]"));
      }
    }
    String index = entry.config().getString("index", DEFAULT_INDEX);
    // the cluster's rules for index names, checked here so that a bad name fails at load, not at the first write
    if (index.isEmpty() || !index.equals(index.toLowerCase(Locale.ROOT)) || index.startsWith("_")
        || index.startsWith("-") || index.startsWith("+")
        || index.chars().anyMatch(c -> "\\/*?\"<>| ,#:".indexOf(c) >= 0)) {
      throw new ConfigException(null, path + ".index", "expected a lowercase index name without spaces or any of "
          + "\\/*?\"<>|,#: that does not start with _, - or +, got '" + index + "'");
    }
    IndexMode mode = IndexMode.fromConfig(entry.config().getString("index_mode", "daily"));
    long replicas = entry.config().getLong("replicas", (long) DEFAULT_REPLICAS);
    return new SearchOptions(urls, index, mode, entry.config().getString("api_key"),
        entry.config().getBoolean("template", true), (int) replicas);
  }

  private static URI url(String text, String key) {
    try {
      URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getRawQuery() != null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, key, "expected an http or https URL such as http://127.0.0.1:9200, got '"
          + text + "'");
    }
  }

  @Override
  public String toString() {
    return "SearchOptions[urls=" + urls + ", index=" + index + ", mode=" + mode.configName() + ", api_key="
        + (apiKey == null ? "none" : "set") + ", template=" + template + ", replicas=" + replicas + "]";
  }
}
