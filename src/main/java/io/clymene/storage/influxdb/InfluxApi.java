package io.clymene.storage.influxdb;

import io.clymene.storage.RetryAfter;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * InfluxDB's write APIs. Version 1: {@code POST /write?db=&precision=ms[&rp=]} (credentials from the entry's
 * basic_auth). Version 2: {@code POST /api/v2/write?org=&bucket=&precision=ms} with {@code Authorization: Token}.
 *
 * <p>Answers: 2xx written. 400 (1.x) or 422 (2.x) whose reason says {@code partial write}: the server wrote every
 * line except those it names ({@code dropped=N} beyond retention, type conflicts, tag limits) and those it could
 * not parse (each listed as {@code unable to parse '...'}); those are counted as rejected, nothing is resent.
 * Other 400/422, 401, 403, 404 (database or bucket not found) and other 4xx: rejected. 413: too large, sent
 * again in halves. 429 and 503: throttled, with Retry-After. 500 {@code retention policy not found}: rejected
 * (the setting is wrong); any other 5xx: retried.
 */
final class InfluxApi implements WriteApi {
  private static final Pattern DROPPED = Pattern.compile("dropped=(\\d+)");
  private static final String UNPARSABLE = "unable to parse '";

  private final int version;
  private final String database;
  private final String token;
  private final String uri;
  private final boolean retryOn429;

  /**
   * @param basePath the URL's path without a trailing slash ("" for none)
   * @param retryOn429 the queue's retry_on_http_429
   */
  InfluxApi(int version, String basePath, String database, String retentionPolicy, String org, String bucket,
            String token, boolean retryOn429) {
    this.version = version;
    this.database = database;
    this.token = token;
    this.retryOn429 = retryOn429;
    this.uri = version == 1
        ? basePath + "/write?db=" + enc(database) + "&precision=ms"
            + (retentionPolicy == null ? "" : "&rp=" + enc(retentionPolicy))
        : basePath + "/api/v2/write?org=" + enc(org) + "&bucket=" + enc(bucket) + "&precision=ms";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String product() {
    return version == 1 ? "InfluxDB 1.x" : "InfluxDB 2.x";
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public void addHeaders(MultiMap headers) {
    if (version == 2) {
      headers.set("Authorization", "Token " + token);
    }
    headers.set("Content-Type", "text/plain; charset=utf-8");
  }

  @Override
  public Answer classify(int status, MultiMap headers, String body) {
    if (status / 100 == 2) {
      return Answer.WRITTEN;
    }
    String full = fullReason(headers, body);
    String reason = Reasons.oneLine(full);
    if ((status == 400 || status == 422) && full.contains("partial write")) {
      return Answer.partial(reason, refusedLines(full));
    }
    return switch (status) {
      case 401, 403 -> Answer.rejected(reason + (version == 1
          ? " (check basic_auth: the user needs WRITE on database '" + database + "')"
          : " (check token: it needs write permission on the bucket)"));
      case 404 -> Answer.rejected(reason + (version == 1
          ? " (create it first: CREATE DATABASE \"" + database + "\")" : " (check org and bucket)"));
      case 413 -> Answer.tooLarge(reason);
      case 429 -> retryOn429 ? Answer.throttled(reason, RetryAfter.parse(headers.get("Retry-After")))
          : Answer.rejected(reason);
      case 503 -> Answer.throttled(reason, RetryAfter.parse(headers.get("Retry-After")));
      default -> status >= 500 && !full.contains("retention policy not found")
          ? Answer.retry(reason) : Answer.rejected(reason);
    };
  }

  /** 1.x answers {@code {"error": ...}} (also in X-Influxdb-Error), 2.x {@code {"code": ..., "message": ...}}. */
  private static String fullReason(MultiMap headers, String body) {
    String text = body == null ? "" : body.trim();
    if (text.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(text);
        Object v = json.getValue("error", json.getValue("message"));
        if (v != null) {
          return String.valueOf(v);
        }
      } catch (RuntimeException e) {
        // not JSON: the text itself
      }
    }
    String header = headers.get("X-Influxdb-Error");
    return text.isEmpty() && header != null ? header : text;
  }

  /** Lines a partial write refused: {@code dropped=N} plus each line it could not parse. */
  static long refusedLines(String reason) {
    long n = 0;
    Matcher m = DROPPED.matcher(reason);
    while (m.find()) {
      n += Long.parseLong(m.group(1));
    }
    for (int i = reason.indexOf(UNPARSABLE); i >= 0; i = reason.indexOf(UNPARSABLE, i + 1)) {
      n++;
    }
    return n;
  }
}
