package io.clymene.storage.opensearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Arrays;

/**
 * The part of a bulk answer the writer needs, read with a streaming parser: {@code errors}, and when it
 * is true each item's {@code status} in request order, with the first refusal's and the first retryable
 * failure's {@code error.type} and {@code error.reason}. Item outcomes: 2xx written; 409 (our
 * {@code create} met a document with the same {@code _id}: written before) written; 429 and 5xx retry;
 * any other status refused for good.
 */
final class BulkAnswer {
  private static final JsonFactory JSON = new JsonFactory();

  /** What an item's status means for its sample. */
  enum Outcome { WRITTEN, RETRY, REFUSED }

  private boolean errors;
  private int[] statuses = new int[0];
  private int items;
  private String firstRefusal;
  private int firstRefusedItem = -1;
  private String firstRetry;

  private BulkAnswer() {
  }

  static Outcome outcome(int status) {
    if (status / 100 == 2 || status == 409) {
      return Outcome.WRITTEN;
    }
    return status == 429 || status >= 500 ? Outcome.RETRY : Outcome.REFUSED;
  }

  /**
   * Parses a 200 answer.
   *
   * @throws IOException when it is not a bulk answer
   */
  static BulkAnswer parse(Buffer body) throws IOException {
    BulkAnswer a = new BulkAnswer();
    boolean sawErrors = false;
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if ("errors".equals(field)) {
          a.errors = t == JsonToken.VALUE_TRUE;
          sawErrors = true;
          if (!a.errors) {
            return a; // nothing failed: the items need not be read
          }
        } else if ("items".equals(field) && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            a.item(p);
          }
        } else {
          p.skipChildren();
        }
      }
    }
    if (!sawErrors) {
      throw new IOException("not a bulk answer: no 'errors' field");
    }
    return a;
  }

  /** One {@code {"<action>":{"status":N,"error":{...}}}}. */
  private void item(JsonParser p) throws IOException {
    int status = 0;
    String error = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if ("status".equals(field) && t == JsonToken.VALUE_NUMBER_INT) {
          status = p.getIntValue();
        } else if ("error".equals(field) && t == JsonToken.START_OBJECT) {
          error = error(p);
        } else {
          p.skipChildren();
        }
      }
    }
    if (items == statuses.length) {
      statuses = Arrays.copyOf(statuses, Math.max(64, items * 2));
    }
    Outcome o = outcome(status);
    if (o == Outcome.REFUSED && firstRefusal == null) {
      firstRefusal = status + " " + error;
      firstRefusedItem = items;
    } else if (o == Outcome.RETRY && firstRetry == null) {
      firstRetry = status + " " + error;
    }
    statuses[items++] = status;
  }

  /** {@code type: reason} of an item's error object. */
  private static String error(JsonParser p) throws IOException {
    String type = null;
    String reason = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if ("type".equals(field) && t == JsonToken.VALUE_STRING) {
        type = p.getText();
      } else if ("reason".equals(field) && t == JsonToken.VALUE_STRING) {
        reason = p.getText();
      } else {
        p.skipChildren();
      }
    }
    return type + ": " + reason;
  }

  private static void expect(JsonToken got, JsonToken wanted) throws IOException {
    if (got != wanted) {
      throw new IOException("not a bulk answer: expected " + wanted + ", got " + got);
    }
  }

  /** Whether any item failed (a 409 counts as failed here). */
  boolean errors() {
    return errors;
  }

  /** Items read (0 when {@link #errors()} is false: they were not read). */
  int items() {
    return items;
  }

  int status(int item) {
    return statuses[item];
  }

  /** "status type: reason" of the first refused item, or null. */
  String firstRefusal() {
    return firstRefusal;
  }

  /** The index of the first refused item, or -1. */
  int firstRefusedItem() {
    return firstRefusedItem;
  }

  /** "status type: reason" of the first item to retry, or null. */
  String firstRetry() {
    return firstRetry;
  }
}
