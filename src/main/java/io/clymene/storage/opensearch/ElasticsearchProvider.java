package io.clymene.storage.opensearch;

/**
 * The {@code elasticsearch} storage: samples as documents through the bulk API of Elasticsearch 7.8 or
 * newer (composable index templates came with 7.8), with {@code api_key} for Elasticsearch API keys; the
 * same writer as {@link OpenSearchProvider} ({@link BulkWriter}).
 */
public final class ElasticsearchProvider extends SearchProvider {
  public static final String TYPE = "elasticsearch";

  public ElasticsearchProvider() {
    super(TYPE, "elasticsearch");
  }
}
