package io.clymene.transport.kafka;

import io.clymene.codec.json.JsonLinesEncoder;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code json-lines} encoding ({@link JsonLinesEncoder} writes it): one flat JSON object per sample,
 * each followed by a newline
 * (newline-delimited JSON, which Druid's Kafka ingestion with {@code inputFormat: json}, Kafka Connect,
 * Logstash, Vector, jq and ClickHouse's JSONEachRow all read as rows), for example
 *
 * <pre>{"__name__":"up","instance":"h:9100","job":"node","timestamp":1700000000000,"value":1.0}</pre>
 *
 * <ul>
 *   <li>Labels come first, as string fields in label-name (byte) order (of the names before escaping),
 *       then {@code timestamp} (Unix milliseconds, a JSON integer, for Druid's
 *       {@code "timestampSpec": {"column": "timestamp", "format": "millis"}}) and {@code value}.
 *   <li>Finite values are written in Go's shortest form, always with a {@code .0} or an exponent so that
 *       type inference (Druid schema discovery, Elasticsearch dynamic mapping) makes the column a double:
 *       {@code 1.0}, {@code 0.25}, {@code 1e+21}. Non-finite values are strings in Prometheus' spelling:
 *       {@code "NaN"}, {@code "+Inf"}, {@code "-Inf"}, and a stale marker is {@code "StaleNaN"} so that it
 *       survives a round trip (tools that expect numbers see these as unparseable, i.e. null).
 *   <li>Name collisions: a label named {@code timestamp} or {@code value}, or whose name starts with
 *       {@code label:}, is written with the prefix {@code label:} ({@code "label:value":"x"}). Prometheus
 *       label names cannot contain {@code :}, so ordinary labels never need it; decoding strips one
 *       {@code label:} prefix, so every label set round-trips.
 * </ul>
 *
 * <p>Decoding reads any sequence of such objects separated by optional whitespace: consecutive objects
 * with the same labels become one series with several samples (our encoder writes a series' samples
 * together). Every object needs {@code timestamp} and {@code value}; {@code timestamp} may also be an
 * integer string or an RFC 3339 string (milliseconds kept), and {@code value} a numeric string, which
 * makes the Go Clymene's {@code flatten-for-druid} output readable too. Other fields must be strings (or
 * null, meaning absent). Paths in errors are {@code $[n].field}, n counting objects from 0. Not thread-safe.
 */
final class JsonLinesCodec {
  private static final String ESCAPE_PREFIX = JsonLinesEncoder.ESCAPE_PREFIX;

  private final JsonLinesEncoder encoder = new JsonLinesEncoder();
  private final JsonReader in = new JsonReader(KafkaEncoding.JSON_LINES);
  private final SeriesBuilder series = new SeriesBuilder();

  private String[] names = new String[16];
  private String[] values = new String[16];
  private int count;
  private String[] prevNames = new String[16];
  private String[] prevValues = new String[16];
  private int prevCount = -1;

  byte[] encode(List<SeriesBatch> batches) {
    return encoder.encode(batches);
  }

  SeriesBatch decode(byte[] value, int len) throws RecordDecodeException {
    JsonReader r = in.reset(value, len);
    series.reset(r);
    prevCount = -1;
    boolean open = false;
    try {
      int index = 0;
      while (!r.atEnd()) {
        int start = r.position();
        r.enterSequenceItem(index++);
        r.beginObject("a JSON object (one sample)");
        count = 0;
        long ts = 0;
        double v = 0;
        boolean hasTs = false;
        boolean hasValue = false;
        while (r.nextField()) {
          String f = r.fieldName();
          if (f.equals("timestamp")) {
            hasTs = once(r, hasTs);
            ts = readTimestamp(r);
          } else if (f.equals("value")) {
            hasValue = once(r, hasValue);
            v = JsonNumbers.readDouble(r, JsonNumbers.JSON_LINES_NON_FINITE);
          } else {
            readLabel(r, f.startsWith(ESCAPE_PREFIX) ? f.substring(ESCAPE_PREFIX.length()) : f);
          }
        }
        if (!hasTs || !hasValue) {
          r.failAt(start, "missing \"" + (hasTs ? "value" : "timestamp") + "\" field");
        }
        sortLabels(r, start);
        if (!open || !sameAsPrevious()) {
          if (open) {
            series.end();
          }
          startSeries(r, start);
          open = true;
        }
        series.sample(ts, v);
        r.leaveSequenceItem();
      }
      if (open) {
        series.end();
      }
      return series.build();
    } finally {
      series.reset(null);
    }
  }

  private static boolean once(JsonReader r, boolean seen) throws RecordDecodeException {
    if (seen) {
      r.failAt(r.fieldPosition(), "duplicate field \"" + r.fieldName() + "\"");
    }
    return true;
  }

  private static long readTimestamp(JsonReader r) throws RecordDecodeException {
    if (r.peekKind() != JsonReader.STRING) {
      return JsonNumbers.readLong(r, false);
    }
    int at = r.position();
    String s = r.readString();
    if (JsonReader.isNumber(s) && s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return r.failAt(at, "integer " + s + " is out of the range of an int64");
      }
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      return r.failAt(at, "expected Unix milliseconds or an RFC 3339 time, got " + JsonNumbers.quote(s));
    }
  }

  private void readLabel(JsonReader r, String name) throws RecordDecodeException {
    if (r.nextIsNull()) {
      return;
    }
    if (r.peekKind() != JsonReader.STRING) {
      r.fail("expected a string label value, got " + r.found());
    }
    String value = r.readString();
    if (name.isEmpty()) {
      r.failAt(r.fieldPosition(), "empty label name");
    }
    if (value.isEmpty()) {
      return; // an empty value means no label, as in Prometheus
    }
    if (count == names.length) {
      names = Arrays.copyOf(names, count * 2);
      values = Arrays.copyOf(values, count * 2);
    }
    names[count] = name;
    values[count] = value;
    count++;
  }

  /** Sorts this object's labels by name and rejects duplicates (e.g. {@code job} and {@code label:job}). */
  private void sortLabels(JsonReader r, int start) throws RecordDecodeException {
    for (int i = 1; i < count; i++) {
      String n = names[i];
      String v = values[i];
      int j = i - 1;
      while (j >= 0 && names[j].compareTo(n) > 0) {
        names[j + 1] = names[j];
        values[j + 1] = values[j];
        j--;
      }
      names[j + 1] = n;
      values[j + 1] = v;
    }
    for (int i = 1; i < count; i++) {
      if (names[i].equals(names[i - 1])) {
        r.failAt(start, "duplicate label name " + JsonNumbers.quote(names[i]));
      }
    }
  }

  private boolean sameAsPrevious() {
    if (count != prevCount) {
      return false;
    }
    for (int i = 0; i < count; i++) {
      if (!names[i].equals(prevNames[i]) || !values[i].equals(prevValues[i])) {
        return false;
      }
    }
    return true;
  }

  private void startSeries(JsonReader r, int start) throws RecordDecodeException {
    boolean hasName = false;
    for (int i = 0; i < count; i++) {
      hasName |= names[i].equals(Labels.METRIC_NAME);
    }
    if (!hasName) {
      r.failAt(start, "missing \"" + Labels.METRIC_NAME + "\" field");
    }
    series.begin(start);
    for (int i = 0; i < count; i++) {
      series.label(r, start, names[i], values[i]);
    }
    // keep this object's labels as the previous ones; the next object reuses the other arrays
    String[] n = prevNames;
    String[] v = prevValues;
    prevNames = names;
    prevValues = values;
    prevCount = count;
    names = n.length >= prevNames.length ? n : Arrays.copyOf(n, prevNames.length);
    values = v.length >= prevValues.length ? v : Arrays.copyOf(v, prevValues.length);
  }
}
