package io.clymene.transport.kafka;

import io.clymene.codec.json.GoJsonWriter;
import io.clymene.model.SeriesBatch;
import java.util.List;

/**
 * The {@code json} encoding: a remote-write 1.0 {@code WriteRequest} as the Go Clymene's gogo
 * {@code jsonpb.Marshaler{}} writes it ({@code plugin/storage/kafka/marshaller.go}), byte for byte:
 *
 * <pre>{"timeseries":[{"labels":[{"name":"__name__","value":"up"}],
 *   "samples":[{"value":1,"timestamp":"1700000000000"}]}]}</pre>
 * (on one line).
 *
 * <p>That is: no whitespace; fields in proto field order; fields holding proto3 defaults left out (a 0
 * value, a 0 timestamp, an empty string, an empty list; so {@code {}} for an empty request and a
 * {@code samples} entry may be {@code {}}); the int64 timestamp as a decimal string; finite doubles as Go's
 * {@code encoding/json} prints them ({@code 1}, {@code 0.25}, {@code 1e+21}); non-finite ones as the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; strings with Go's escapes.
 *
 * <p>What the mapping loses: every NaN is {@code "NaN"}, so a Prometheus stale marker comes back as an
 * ordinary NaN ({@link Double#NaN}), and {@code -0.0} is left out like 0 and comes back as {@code 0.0}
 * (the Go Clymene loses both the same way). Use {@code protobuf} when stale markers matter.
 *
 * <p>Decoding accepts what gogo {@code jsonpb.Unmarshal} accepts for these messages: any whitespace and
 * field order, {@code null} for a default, timestamps as integers or integer strings, values as numbers,
 * numeric strings or the three non-finite strings. Like {@code jsonpb} (without AllowUnknownFields) it
 * rejects unknown fields, so a {@code json-lines} record read as {@code json} fails instead of decoding to
 * nothing. As our protobuf decoder does, it drops series without samples and rejects series without a
 * {@code __name__}, with an empty label name or with a duplicate label name. Not thread-safe.
 */
final class JsonCodec {
  private final GoJsonWriter out = new GoJsonWriter();
  private final JsonReader in = new JsonReader(KafkaEncoding.JSON);
  private final SeriesBuilder series = new SeriesBuilder();
  private boolean firstLabel;

  byte[] encode(List<SeriesBatch> batches) {
    GoJsonWriter w = out;
    w.reset();
    w.raw('{');
    boolean any = false;
    for (SeriesBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        w.raw(any ? "," : "\"timeseries\":[");
        any = true;
        writeSeries(b, i);
      }
    }
    if (any) {
      w.raw(']');
    }
    w.raw('}');
    return w.toByteArray();
  }

  private void writeSeries(SeriesBatch b, int i) {
    GoJsonWriter w = out;
    w.raw('{');
    boolean hasLabels = b.labelEnd(i) > b.labelStart(i);
    if (hasLabels) {
      w.raw("\"labels\":[");
      firstLabel = true;
      b.forEachLabel(i, this::writeLabel);
      w.raw(']');
    }
    int from = b.sampleStart(i);
    int to = b.sampleEnd(i);
    if (to > from) {
      w.raw(hasLabels ? ",\"samples\":[" : "\"samples\":[");
      for (int s = from; s < to; s++) {
        if (s > from) {
          w.raw(',');
        }
        writeSample(b.timestamp(s), b.value(s));
      }
      w.raw(']');
    }
    w.raw('}');
  }

  private void writeLabel(byte[] buf, int nameOff, int nameLen, int valueOff, int valueLen) {
    GoJsonWriter w = out;
    w.raw(firstLabel ? "{" : ",{");
    firstLabel = false;
    if (nameLen > 0) {
      w.raw("\"name\":").string(buf, nameOff, nameLen);
    }
    if (valueLen > 0) {
      w.raw(nameLen > 0 ? ",\"value\":" : "\"value\":").string(buf, valueOff, valueLen);
    }
    w.raw('}');
  }

  private void writeSample(long ts, double v) {
    GoJsonWriter w = out;
    w.raw('{');
    boolean hasValue = v != 0; // true for NaN; false for -0.0, as in Go
    if (hasValue) {
      w.raw("\"value\":");
      if (Double.isNaN(v)) {
        w.raw("\"NaN\"");
      } else if (Double.isInfinite(v)) {
        w.raw(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
      } else {
        w.goFloat(v);
      }
    }
    if (ts != 0) {
      w.raw(hasValue ? ",\"timestamp\":\"" : "\"timestamp\":\"").number(ts).raw('"');
    }
    w.raw('}');
  }

  SeriesBatch decode(byte[] value, int len) throws RecordDecodeException {
    JsonReader r = in.reset(value, len);
    series.reset(r);
    try {
      r.beginObject("a JSON object (a WriteRequest)");
      while (r.nextField()) {
        String f = r.fieldName();
        if (!f.equals("timeseries")) {
          unknown(r, "WriteRequest", "\"timeseries\"");
        }
        if (r.nextIsNull()) {
          continue;
        }
        r.beginArray("an array of TimeSeries");
        while (r.nextElement()) {
          readSeries(r);
        }
      }
      r.expectEnd("the WriteRequest");
      return series.build();
    } finally {
      series.reset(null);
    }
  }

  private void readSeries(JsonReader r) throws RecordDecodeException {
    int start = r.position();
    if (r.nextIsNull()) {
      return; // jsonpb reads null as an empty series, which has no samples
    }
    r.beginObject("a TimeSeries object");
    series.begin(start);
    boolean labels = false;
    boolean samples = false;
    while (r.nextField()) {
      String f = r.fieldName();
      if (f.equals("labels")) {
        labels = once(r, labels);
        if (!r.nextIsNull()) {
          r.beginArray("an array of Label");
          while (r.nextElement()) {
            readLabel(r);
          }
        }
      } else if (f.equals("samples")) {
        samples = once(r, samples);
        if (!r.nextIsNull()) {
          r.beginArray("an array of Sample");
          while (r.nextElement()) {
            readSample(r);
          }
        }
      } else {
        unknown(r, "TimeSeries", "\"labels\" or \"samples\"");
      }
    }
    series.end();
  }

  private static void unknown(JsonReader r, String message, String expected) throws RecordDecodeException {
    r.failAt(r.fieldPosition(),
        "unknown field \"" + r.fieldName() + "\" in " + message + " (expected " + expected + ")");
  }

  private static boolean once(JsonReader r, boolean seen) throws RecordDecodeException {
    if (seen) {
      r.failAt(r.fieldPosition(), "duplicate field \"" + r.fieldName() + "\"");
    }
    return true;
  }

  private void readLabel(JsonReader r) throws RecordDecodeException {
    if (r.nextIsNull()) {
      series.label(r, r.position(), "", "");
      return;
    }
    int start = r.position();
    r.beginObject("a Label object");
    String name = null;
    String value = null;
    while (r.nextField()) {
      String f = r.fieldName();
      if (f.equals("name")) {
        once(r, name != null);
        name = r.nextIsNull() ? "" : r.readString();
      } else if (f.equals("value")) {
        once(r, value != null);
        value = r.nextIsNull() ? "" : r.readString();
      } else {
        unknown(r, "Label", "\"name\" or \"value\"");
      }
    }
    series.label(r, start, name == null ? "" : name, value == null ? "" : value);
  }

  private void readSample(JsonReader r) throws RecordDecodeException {
    if (r.nextIsNull()) {
      series.sample(0, 0);
      return;
    }
    r.beginObject("a Sample object");
    double v = 0;
    long ts = 0;
    boolean hasValue = false;
    boolean hasTs = false;
    while (r.nextField()) {
      String f = r.fieldName();
      if (f.equals("value")) {
        hasValue = once(r, hasValue);
        v = r.nextIsNull() ? 0 : JsonNumbers.readDouble(r, JsonNumbers.PROTO_JSON_NON_FINITE);
      } else if (f.equals("timestamp")) {
        hasTs = once(r, hasTs);
        ts = r.nextIsNull() ? 0 : JsonNumbers.readLong(r, true);
      } else {
        unknown(r, "Sample", "\"value\" or \"timestamp\"");
      }
    }
    series.sample(ts, v);
  }
}
