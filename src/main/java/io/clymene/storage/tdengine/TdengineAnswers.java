package io.clymene.storage.tdengine;

import io.clymene.storage.RetryAfter;
import io.clymene.storage.WriteException;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What taosAdapter's answers to an InfluxDB write mean (its {@code plugin/influxdb}): 204 written; 400 (missing
 * db, bad parameters) and 401 ({@code forbidden}: bad credentials, IP not allowed) rejected; 503 (memory above
 * its threshold, or its connection pool timed out) throttled with Retry-After; 500 {@code internal error} for
 * every failed insert, its message {@code [0x<code>] <text>} carrying TDengine's error code: codes of bad data
 * (schemaless 0x30xx, parser 0x26xx, the client's value, syntax and length errors), of a missing database and
 * of refused credentials or rights are rejected, any other code (and a 500 without one) is retried.
 */
final class TdengineAnswers {
  private static final Pattern CODE = Pattern.compile("\\[0x([0-9a-fA-F]{1,8})\\]");
  /** Codes that sending the same data again cannot cure (TDengine's taoserror.h). */
  private static final Set<Integer> REJECTED_CODES = Set.of(
      0x0202, 0x0203, 0x0216, 0x021B, 0x021D, 0x021E, 0x021F, 0x0220, 0x0224, // client: time, value, syntax, length
      0x0214, 0x0303, 0x0315, 0x0351, 0x0357, // no write permission, no rights, user disabled/unknown, auth failure
      0x0380, 0x0383, 0x0388, // database not selected, invalid, does not exist
      0x0364, 0x0365, 0x036F); // too many tags, too many columns, row too wide
  private static final int MAX_REASON_CHARS = 300;

  private TdengineAnswers() {
  }

  /**
   * Null when written, else the failure to report.
   *
   * @param server "TDengine (taosAdapter) at <url>", for messages
   * @param lines the samples sent
   */
  static WriteException classify(String server, String database, int status, MultiMap headers, String body,
                                 long lines, boolean retryOn429) {
    if (status / 100 == 2) {
      return null;
    }
    String reason = reason(body);
    String answered = server + " answered " + status + ": " + reason;
    if (status == 503 || status == 429 && retryOn429) {
      return WriteException.throttled(answered, RetryAfter.parse(headers.get("Retry-After")));
    }
    if (status == 500) {
      Integer code = code(reason);
      if (code == null || !rejects(code)) {
        return WriteException.retryable(answered, null);
      }
      String hint = code == 0x0388 ? " (create it: CREATE DATABASE " + database + " PRECISION 'ms')"
          : code == 0x0357 || code == 0x0351 || code == 0x0214 || code == 0x0303 ? " (check user and password)" : "";
      return WriteException.rejected(server + " rejected " + lines + " samples (HTTP 500: " + reason + ")" + hint);
    }
    if (status >= 500) {
      return WriteException.retryable(answered, null);
    }
    String hint = status == 401 ? " (check user and password)" : "";
    return WriteException.rejected(server + " rejected " + lines + " samples (HTTP " + status + ": " + reason + ")"
        + hint);
  }

  static boolean rejects(int code) {
    return (code & 0xFF00) == 0x3000 && code != 0x3005 // schemaless errors but its internal error
        || (code & 0xFF00) == 0x2600 // parser errors
        || REJECTED_CODES.contains(code);
  }

  /** TDengine's error code in a message such as {@code [0x3002] Invalid data format}, or null. */
  static Integer code(String reason) {
    Matcher m = CODE.matcher(reason);
    return m.find() ? (int) (Long.parseLong(m.group(1), 16) & 0xFFFF) : null;
  }

  /** {@code message} (plus {@code err} of a 400) of taosAdapter's JSON, or the body, on one line. */
  static String reason(String body) {
    String text = body == null ? "" : body.trim();
    if (text.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(text);
        String message = json.getString("message", text);
        String err = json.getString("err");
        text = err == null || err.equals(message) ? message : message + ": " + err;
      } catch (RuntimeException e) {
        // not JSON: the text
      }
    } else if (text.startsWith("\"") && text.endsWith("\"") && text.length() > 1) {
      text = text.substring(1, text.length() - 1); // a JSON string, as its 503 "memory exceeds threshold"
    }
    text = text.replaceAll("[\\r\\n]+", " ");
    return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "..." : text;
  }

}
