package io.clymene.storage.influxdb;

import io.vertx.core.MultiMap;

/**
 * One line-protocol HTTP API: where a request goes, the headers it needs beyond the entry's common ones, and
 * what the server's answers mean.
 */
interface WriteApi {

  /** The server product, for messages: {@code InfluxDB 1.x}, {@code QuestDB}. */
  String product();

  /** The request's path and query, e.g. {@code /write?db=clymene&precision=ms}. */
  String uri();

  /** Adds this API's own headers (after the entry's headers and credentials, so they win). */
  void addHeaders(MultiMap headers);

  /**
   * Classifies an answer.
   *
   * @param status the HTTP status
   * @param headers the response headers
   * @param body the response body as text
   */
  Answer classify(int status, MultiMap headers, String body);
}
