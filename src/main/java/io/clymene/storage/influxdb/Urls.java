package io.clymene.storage.influxdb;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import java.net.URI;

/** The {@code url} key of a line-protocol entry. */
final class Urls {
  private Urls() {
  }

  /** The entry's url (or the default), checked to be http(s) with a host; a ConfigException names the key. */
  static URI parse(StorageEntry entry, String defaultUrl) {
    String url = entry.config().getString("url", defaultUrl);
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getRawQuery() != null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, entry.path() + ".url",
          "expected an http or https URL without a query, such as " + defaultUrl + ", got '" + url + "'");
    }
  }

  /** The URL's path without a trailing slash: requests go below it. */
  static String basePath(URI uri) {
    String p = uri.getRawPath() == null ? "" : uri.getRawPath();
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
