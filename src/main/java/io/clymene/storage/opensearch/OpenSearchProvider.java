package io.clymene.storage.opensearch;

/**
 * The {@code opensearch} storage: samples as documents through the bulk API of OpenSearch 1.x, 2.x or 3.x
 * (composable index templates, data streams); see {@link BulkWriter}.
 */
public final class OpenSearchProvider extends SearchProvider {
  public static final String TYPE = "opensearch";

  public OpenSearchProvider() {
    super(TYPE, "opensearch");
  }
}
