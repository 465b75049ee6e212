package io.clymene.storage.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.WriteException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The error mapping on answers recorded from a real ClickHouse 18.16.1 over HTTP (status and text as the
 * server sent them; the IT provokes several of them live), and the entry checks.
 */
class ClickHouseErrorsTest {
  private static final String TAIL = ", e.what() = DB::Exception\n";

  @ParameterizedTest(name = "HTTP {0} Code {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "404 | 60  | rejected  | Table clymene.nope doesn't exist.",
      "404 | 81  | rejected  | Database nope doesn't exist",
      "404 | 50  | rejected  | Unknown data type family: DateTime64",
      "400 | 62  | rejected  | Syntax error: failed at position 36: CODEC(Gorilla)) ENGINE=Memory.",
      "500 | 16  | rejected  | No such column nocol in table samples",
      "500 | 32  | rejected  | Attempt to read after eof",
      "500 | 164 | rejected  | Cannot insert into table in readonly mode",
      "401 | 192 | rejected  | Unknown user nobody",
      "401 | 193 | rejected  | Wrong password for user clymene",
      "500 | 241 | retryable | Memory limit (for query) exceeded: would use 2.00 MiB, maximum: 1000.00 B",
      "500 | 159 | retryable | Timeout exceeded: elapsed 1.00000003 seconds, maximum: 1",
      "500 | 252 | throttled | Too many parts (1). Merges are processing significantly slower than inserts.",
      "500 | 210 | retryable | Connection refused",
      "500 | 9   | retryable | an error code without a known meaning for inserts",
      "404 | 46  | rejected  | Unknown function currentUser",
  })
  void classifiesByTheClickHouseCode(int status, int code, String outcome, String text) {
    String body = "Code: " + code + ", e.displayText() = DB::Exception: " + text + TAIL;

    WriteException e = ClickHouseErrors.classify(status, Buffer.buffer(body), "insert of 3 samples into a.b at h");

    assertThat(e.getMessage()).isEqualTo("clickhouse insert of 3 samples into a.b at h failed with HTTP " + status
        + ": " + body.trim());
    assertThat(e.retryable()).isEqualTo(!outcome.equals("rejected"));
    assertThat(e.retryAfter()).isEqualTo(outcome.equals("throttled") ? ClickHouseErrors.TOO_MANY_PARTS_WAIT : null);
  }

  @Test
  void answersWithoutACodeGoByTheStatusAndLongTextsAreCut() {
    assertThat(ClickHouseErrors.classify(502, Buffer.buffer("<html>Bad Gateway</html>"), "x").retryable()).isTrue();
    assertThat(ClickHouseErrors.classify(503, Buffer.buffer(""), "x").retryable()).isTrue();
    assertThat(ClickHouseErrors.classify(403, Buffer.buffer("Forbidden"), "x").retryable()).isFalse();
    WriteException e = ClickHouseErrors.classify(500, Buffer.buffer("Code: 6, " + "x".repeat(1000)), "x");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).endsWith("...").hasSizeLessThan(ClickHouseErrors.MAX_TEXT + 50);
  }

  @Test
  void entriesAreChecked() {
    check(new JsonObject());
    check(new JsonObject().put("url", "https://ch.example:8443/proxy?async=1").put("database", "metrics_1")
        .put("table", "_s"));
    assertThatThrownBy(() -> check(new JsonObject().put("url", "tcp://h:9000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[2].url")
        .hasMessageContaining("expected ClickHouse's HTTP interface");
    assertThatThrownBy(() -> check(new JsonObject().put("url", "http://u:secret@h:8123")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("basic_auth").hasMessageNotContaining("secret@");
    assertThatThrownBy(() -> check(new JsonObject().put("table", "samples; DROP TABLE x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[2].table");
    assertThatThrownBy(() -> check(new JsonObject().put("database", "1db")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[2].database");
    assertThat(new ClickHouseProvider().defaultQueueOptions().toString())
        .contains("max_samples_per_send=50000", "batch_send_deadline=5s", "capacity=200000", "shards=1..2");
  }

  private static void check(JsonObject cfg) {
    ClickHouseProvider p = new ClickHouseProvider();
    p.check(StorageEntry.from(cfg.put("type", "clickhouse"), "storage[2]", "clickhouse", p.defaultQueueOptions()));
  }
}
