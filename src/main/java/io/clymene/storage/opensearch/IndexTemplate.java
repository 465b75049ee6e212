package io.clymene.storage.opensearch;

/**
 * The composable index template the writer puts at start ({@code PUT _index_template/<index>}): label
 * fields (every string field) as {@code keyword}, {@code value} as {@code double}, {@code @timestamp} as
 * {@code date} (epoch milliseconds are accepted by its default format), {@code number_of_replicas} from
 * {@code replicas}, and {@code data_stream: {}} in that mode. The patterns match only the writer's own
 * indices: {@code <index>-*} for daily indices, {@code <index>} otherwise. Priority 200 puts it above the
 * built-in templates Elasticsearch ships (priority 100, e.g. {@code metrics-*-*}).
 */
final class IndexTemplate {
  static final int PRIORITY = 200;

  private IndexTemplate() {
  }

  /** The template's name: the index (prefix) itself. */
  static String name(SearchOptions options) {
    return options.index();
  }

  /** The pattern the template applies to. */
  static String pattern(SearchOptions options) {
    return options.mode() == IndexMode.DAILY ? options.index() + "-*" : options.index();
  }

  /** The request body, byte for byte the same for the same options. */
  static String body(SearchOptions options) {
    return "{\"index_patterns\":[\"" + pattern(options) + "\"],"
        + "\"priority\":" + PRIORITY + ","
        + (options.mode() == IndexMode.DATA_STREAM ? "\"data_stream\":{}," : "")
        + "\"template\":{"
        + "\"settings\":{\"number_of_replicas\":" + options.replicas() + "},"
        + "\"mappings\":{"
        + "\"dynamic_templates\":[{\"labels\":{\"match_mapping_type\":\"string\",\"mapping\":{\"type\":\"keyword\"}}}],"
        + "\"properties\":{\"@timestamp\":{\"type\":\"date\"},\"value\":{\"type\":\"double\"}}}},"
        + "\"_meta\":{\"created_by\":\"clymene\"}}";
  }
}
