package io.clymene.storage.influxdb;

import io.clymene.storage.RetryAfter;
import io.vertx.core.MultiMap;

/**
 * QuestDB's line protocol over HTTP: {@code POST /write?precision=ms}; each request is one transaction (all
 * lines written, or none). Errors come as JSON {@code {"code", "message", "line", "errorId"}}: 400 (parse,
 * append and column errors: {@code invalid}, {@code not supported}), 401/403 (unauthorised), 404 and 415 are
 * rejected; 413 ({@code request too large}) is sent again in halves; 421 ({@code not accepting writes}, a
 * read-only instance), 500 ({@code internal error}) and other 5xx are retried; 429 and 503 are throttled.
 */
final class QuestDbIlpApi implements WriteApi {
  private final String uri;
  private final boolean retryOn429;

  QuestDbIlpApi(String basePath, boolean retryOn429) {
    this.uri = basePath + "/write?precision=ms";
    this.retryOn429 = retryOn429;
  }

  @Override
  public String product() {
    return "QuestDB";
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public void addHeaders(MultiMap headers) {
    headers.set("Content-Type", "text/plain; charset=utf-8");
  }

  @Override
  public Answer classify(int status, MultiMap headers, String body) {
    if (status / 100 == 2) {
      return Answer.WRITTEN;
    }
    String reason = Reasons.fromJson(body, "message");
    return switch (status) {
      case 413 -> Answer.tooLarge(reason);
      case 421 -> Answer.retry(reason);
      case 429 -> retryOn429 ? Answer.throttled(reason, RetryAfter.parse(headers.get("Retry-After")))
          : Answer.rejected(reason);
      case 503 -> Answer.throttled(reason, RetryAfter.parse(headers.get("Retry-After")));
      default -> status >= 500 ? Answer.retry(reason) : Answer.rejected(reason);
    };
  }
}
