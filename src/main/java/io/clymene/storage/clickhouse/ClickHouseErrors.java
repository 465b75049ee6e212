package io.clymene.storage.clickhouse;

import io.clymene.storage.WriteException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a ClickHouse HTTP error answer into a {@link WriteException}, by the {@code Code: N} at the start of
 * its text ({@code Code: 60, e.displayText() = DB::Exception: Table x.y doesn't exist., e.what() = ...}).
 *
 * <p>ClickHouse 18.16 answers 404 for unknown tables, databases, types and functions, 400 for syntax errors,
 * 401 for unknown users and wrong passwords and 500 for everything else, including data errors (seen on the
 * real server, see {@code ClickHouseErrorsTest}), so the code decides, not the status. Transient codes
 * (timeouts, network, memory, too many parts or queries, read-only replicas, ZooKeeper) are retried, too
 * many parts throttled by {@link #TOO_MANY_PARTS_WAIT} so merges can catch up. Known client codes (schema,
 * parse, type, authentication, permissions) reject with the server's text. Any other code, or an answer
 * without one, is retried on 5xx (at least once: never drop what might be a server fault) and rejected on
 * 4xx.
 */
final class ClickHouseErrors {
  /** How long a write waits after ClickHouse refuses it for too many parts. */
  static final Duration TOO_MANY_PARTS_WAIT = Duration.ofSeconds(1);
  static final int TOO_MANY_PARTS = 252;
  /** The most of the server's text a message keeps. */
  static final int MAX_TEXT = 400;

  /**
   * TIMEOUT_EXCEEDED 159, TOO_SLOW 160, TOO_MANY_SIMULTANEOUS_QUERIES 202, NO_FREE_CONNECTION 203,
   * SOCKET_TIMEOUT 209, NETWORK_ERROR 210, ABORTED 236, MEMORY_LIMIT_EXCEEDED 241, TABLE_IS_READ_ONLY 242
   * (a replica without ZooKeeper), TOO_MANY_PARTS 252, TOO_LESS_LIVE_REPLICAS 285, UNKNOWN_STATUS_OF_INSERT
   * 319, QUERY_WAS_CANCELLED 394, ZooKeeper 999.
   */
  private static final Set<Integer> TRANSIENT =
      Set.of(159, 160, 202, 203, 209, 210, 236, 241, 242, 252, 285, 319, 394, 999);
  /**
   * Parse and data: CANNOT_PARSE_TEXT 6, NOT_FOUND_COLUMN_IN_BLOCK 10, NO_SUCH_COLUMN_IN_TABLE 16,
   * CANNOT_PARSE_INPUT_ASSERTION_FAILED 27, ATTEMPT_TO_READ_AFTER_EOF 32, CANNOT_READ_ALL_DATA 33,
   * BAD_ARGUMENTS 36, ILLEGAL_COLUMN 44, UNKNOWN_IDENTIFIER 47, UNKNOWN_TYPE 50, TYPE_MISMATCH 53,
   * UNKNOWN_TABLE 60, SYNTAX_ERROR 62, CANNOT_CONVERT_TYPE 70, UNKNOWN_DATABASE 81, INCORRECT_DATA 117,
   * SIZES_OF_ARRAYS_DOESNT_MATCH 190. Access: READONLY 164, UNKNOWN_USER 192, WRONG_PASSWORD 193,
   * REQUIRED_PASSWORD 194, IP_ADDRESS_NOT_ALLOWED 195, ACCESS_DENIED 497, AUTHENTICATION_FAILED 516.
   */
  private static final Set<Integer> REJECTED = Set.of(6, 10, 16, 27, 32, 33, 36, 44, 47, 50, 53, 60, 62, 70, 81,
      117, 190, 164, 192, 193, 194, 195, 497, 516);
  private static final Pattern CODE = Pattern.compile("^\\s*Code:\\s*(\\d+)");

  private ClickHouseErrors() {
  }

  /** The ClickHouse error code at the start of an answer, or -1. */
  static int code(String text) {
    Matcher m = CODE.matcher(text);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * The failure for an HTTP answer that is not 200.
   *
   * @param what what was sent and where, e.g. "insert of 500 samples into clymene.samples at http://h:8123"
   */
  static WriteException classify(int status, Buffer body, String what) {
    String text = text(body);
    int code = code(text);
    String message = "clickhouse " + what + " failed with HTTP " + status + ": " + text;
    if (code == TOO_MANY_PARTS) {
      return WriteException.throttled(message, TOO_MANY_PARTS_WAIT);
    }
    if (TRANSIENT.contains(code) || status == 503 || status == 429) {
      return WriteException.retryable(message, null);
    }
    if (REJECTED.contains(code) || status < 500) {
      return WriteException.rejected(message);
    }
    return WriteException.retryable(message, null);
  }

  /** The start of the server's text on one line. */
  static String text(Buffer body) {
    int n = Math.min(body.length(), MAX_TEXT);
    String t = new String(body.getBytes(0, n), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ").trim();
    return n < body.length() ? t + "..." : t;
  }
}
