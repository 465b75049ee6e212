package io.clymene.gateway.decode;

import static io.clymene.gateway.decode.SeriesBatchInvariants.require;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.clymene.gateway.decode.SeriesBatchInvariants.Label;
import io.clymene.model.SeriesBatch;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link InfluxLineDecoder}: whatever the body, it returns a consistent result or throws an
 * {@link InfluxParseException} naming a line of the body, never anything else. The first input byte picks
 * the precision (bits 2-4) and a mode (bits 0-1):
 * <ol start="0">
 *   <li>the rest is the body, as bytes;</li>
 *   <li>the rest is the body as UTF-16 (so lone surrogates reach the parser);</li>
 *   <li>(and 3) lines are built from the rest with random escaped names, tags, typed field values,
 *       comments and blank lines, and the test checks the decoder returns exactly the series, values and
 *       timestamps they hold.</li>
 * </ol>
 *
 * <p>In the normal test suite this runs in its own JVM with {@code JAZZER_FUZZ=1} for {@code maxDuration}
 * (see the surefire {@code fuzz} execution in the pom); elsewhere it replays the seeds below.
 */
class InfluxLineDecoderFuzzTest {
  private static final long RECEIVE_TIME = 1_700_000_000_000L;
  /** Characters names and values are made of: escapes, separators, non-ASCII, a surrogate pair. */
  private static final String[] CHARS = {"a", "Z", "_", "0", "9", " ", ",", "=", "\\", "\"", "#", "\t", ":",
      ".", "-", "\u00e9", "\u20ac", "\ud83d\ude00", "i", "u"};
  private static final String[] TAG_KEYS = {"host", "region", "a", "b_c", "zone", "_x"};
  private static final String[] BOOLEANS = {"t", "T", "true", "True", "TRUE", "f", "F", "false", "False",
      "FALSE"};

  private final InfluxLineDecoder decoder = new InfluxLineDecoder();

  static Stream<Arguments> seeds() {
    return Stream.of(
        seed(0, "cpu,host=a,region=eu usage=1.5,idle=2i 1700000000000000000\n"),
        seed(0, "# comment\n\nmem,host=b value=42u,ok=true,msg=\"hi \\\"there\\\"\"\r\n"),
        seed(0, "disk\\ io,path=/a\\,b used=-1.5e3 1700000000\n"),
        seed(3 << 2, "temp value=20 1700000000\n"),
        seed(2, "\u0003\u0002abc\u0001\u0002xy"));
  }

  private static Arguments seed(int first, String rest) {
    byte[] r = rest.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[r.length + 1];
    b[0] = (byte) first;
    System.arraycopy(r, 0, b, 1, r.length);
    return Arguments.of((Object) b);
  }

  @MethodSource("seeds")
  @DictionaryEntries({"=", ",", " ", "\\ ", "\\,", "\\=", "\\\\", "\"", "\\\"", "i", "u", "true", "FALSE",
      "#", "value", "e-", "E+", "."}) // no line breaks: Jazzer 0.24 writes them unescaped
  @FuzzTest(maxDuration = "12s")
  void decode(byte[] data) {
    FuzzInput in = new FuzzInput(data);
    int first = in.nextByte();
    InfluxPrecision precision = InfluxPrecision.values()[(first >>> 2 & 7) % InfluxPrecision.values().length];
    switch (first & 3) {
      case 0 -> arbitrary(in.remaining(), null, precision);
      case 1 -> {
        byte[] rest = in.remaining();
        arbitrary(null, new String(rest, 0, rest.length & ~1, StandardCharsets.UTF_16BE), precision);
      }
      default -> structured(in, precision);
    }
  }

  private void arbitrary(byte[] bytes, String text, InfluxPrecision precision) {
    String body = bytes != null ? new String(bytes, StandardCharsets.UTF_8) : text;
    try {
      InfluxLineDecoder.Result r = bytes != null
          ? decoder.decode(bytes, precision, RECEIVE_TIME)
          : decoder.decode(text, precision, RECEIVE_TIME);
      checkResult(r, body);
    } catch (InfluxParseException e) {
      checkRejection(e, body);
    }
  }

  /** Lines built from the input; the decoder must return exactly what they hold. */
  private void structured(FuzzInput in, InfluxPrecision precision) {
    StringBuilder body = new StringBuilder();
    List<List<Label>> labels = new ArrayList<>();
    List<long[]> samples = new ArrayList<>(); // {timestamp, value bits}
    int dataLines = 0;
    int strings = 0;
    boolean valid = true;
    int nLines = in.nextInt(5);
    for (int l = 0; l < nLines; l++) {
      if (l > 0) {
        body.append(in.nextInt(4) == 0 ? "\r\n" : "\n");
      }
      switch (in.nextInt(8)) {
        case 0 -> {
          body.append(in.nextBoolean() ? "" : "  \t");
          continue;
        }
        case 1 -> {
          body.append(in.nextBoolean() ? "#" : " # ").append(token(in, false));
          continue;
        }
        default -> {
        }
      }
      dataLines++;
      String measurement = token(in, true);
      body.append(escape(measurement));
      List<Label> tags = new ArrayList<>();
      boolean[] used = new boolean[TAG_KEYS.length];
      int nTags = in.nextInt(4);
      for (int t = 0; t < nTags; t++) {
        int k = in.nextInt(TAG_KEYS.length);
        if (used[k]) {
          continue;
        }
        used[k] = true;
        String value = token(in, true);
        body.append(',').append(TAG_KEYS[k]).append('=').append(escape(value));
        tags.add(new Label(TAG_KEYS[k], value));
      }
      body.append(" ".repeat(1 + in.nextInt(2)));
      List<String> fieldKeys = new ArrayList<>();
      List<Double> fieldValues = new ArrayList<>();
      int nFields = 1 + in.nextInt(3);
      for (int f = 0; f < nFields; f++) {
        if (f > 0) {
          body.append(',');
        }
        String key = in.nextInt(4) == 0 ? "value" : token(in, true);
        body.append(escape(key)).append('=');
        long bits = in.nextLong();
        switch (in.nextInt(5)) {
          case 0 -> {
            double v = Double.longBitsToDouble(bits);
            v = Double.isFinite(v) ? v : (double) (bits >> 11);
            body.append(v);
            fieldKeys.add(key);
            fieldValues.add(v);
          }
          case 1 -> {
            body.append(bits).append('i');
            fieldKeys.add(key);
            fieldValues.add((double) bits);
          }
          case 2 -> {
            body.append(Long.toUnsignedString(bits)).append('u');
            fieldKeys.add(key);
            fieldValues.add(new BigInteger(Long.toUnsignedString(bits)).doubleValue());
          }
          case 3 -> {
            String b = BOOLEANS[(int) (bits & 0xFFFF) % BOOLEANS.length];
            body.append(b);
            fieldKeys.add(key);
            fieldValues.add(Character.toLowerCase(b.charAt(0)) == 't' ? 1.0 : 0.0);
          }
          default -> {
            String s = token(in, false);
            body.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            strings++;
          }
        }
      }
      long ts = RECEIVE_TIME;
      if (in.nextBoolean()) {
        long raw = in.nextInt(4) == 0 ? in.nextLong() : (in.nextLong() >> 24);
        body.append(" ".repeat(1 + in.nextInt(2))).append(raw);
        try {
          ts = precision.toMillis(raw);
        } catch (ArithmeticException e) {
          valid = false;
        }
      }
      if (in.nextInt(4) == 0) {
        body.append(' ');
      }
      for (int f = 0; f < fieldKeys.size(); f++) {
        String field = fieldKeys.get(f);
        List<Label> series = new ArrayList<>(tags);
        series.add(new Label("__name__",
            metricName(field.equals("value") ? measurement : measurement + "_" + field)));
        series.sort((x, y) -> compareUtf8(x.name(), y.name()));
        labels.add(series);
        samples.add(new long[] {ts, Double.doubleToLongBits(fieldValues.get(f))});
      }
    }
    String text = body.toString();
    try {
      InfluxLineDecoder.Result r = decoder.decode(text.getBytes(StandardCharsets.UTF_8), precision,
          RECEIVE_TIME);
      require(valid, "accepted a timestamp out of range: %s", text);
      List<List<Label>> got = checkResult(r, text);
      require(got.equals(labels), "labels %s, sent %s in %s", got, labels, text);
      require(r.lines() == dataLines && r.skippedStringFields() == strings, "lines %d, strings %d, sent %d, %d",
          r.lines(), r.skippedStringFields(), dataLines, strings);
      SeriesBatch b = r.batch();
      for (int i = 0; i < b.size(); i++) {
        long[] want = samples.get(i);
        int k = b.sampleStart(i);
        require(b.timestamp(k) == want[0], "timestamp %d, sent %d in %s", b.timestamp(k), want[0], text);
        require(Double.doubleToLongBits(b.value(k)) == want[1], "value %s, sent %s in %s", b.value(k),
            Double.longBitsToDouble(want[1]), text);
      }
    } catch (InfluxParseException e) {
      checkRejection(e, text);
      require(!valid, "rejected a valid body: %s in %s", e.getMessage(), text);
    }
  }

  /** A name or value of 0 to 5 characters; non-empty when asked; never starting a comment or with a tab. */
  private static String token(FuzzInput in, boolean nonEmpty) {
    StringBuilder sb = new StringBuilder();
    int n = in.nextInt(6);
    for (int k = 0; k < n; k++) {
      String c = CHARS[in.nextInt(CHARS.length)];
      if (k == 0 && (c.equals("#") || c.equals("\t"))) {
        c = "x";
      }
      sb.append(c);
    }
    return nonEmpty && sb.length() == 0 ? "m" : sb.toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace(" ", "\\ ").replace(",", "\\,").replace("=", "\\=");
  }

  /** The documented metric-name mapping, written out independently of the decoder. */
  private static String metricName(String s) {
    StringBuilder sb = new StringBuilder();
    if (s.isEmpty() || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) {
      sb.append('_');
    }
    s.codePoints().forEach(cp -> sb.append(cp < 0x80 && (Character.isLetterOrDigit(cp) || cp == '_' || cp == ':')
        ? (char) cp : '_'));
    return sb.toString();
  }

  private static int compareUtf8(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.compareUnsigned(x, y);
  }

  private static List<List<Label>> checkResult(InfluxLineDecoder.Result r, String body) {
    SeriesBatch b = r.batch();
    List<List<Label>> labels = SeriesBatchInvariants.check(b);
    require(b.sampleCount() == b.size(), "%d samples in %d series", b.sampleCount(), b.size());
    require(r.lines() >= 0 && r.lines() <= body.split("\n", -1).length, "%d lines", r.lines());
    require(r.skippedStringFields() >= 0, "%d strings", r.skippedStringFields());
    for (int i = 0; i < b.size(); i++) {
      require(Double.isFinite(b.value(b.sampleStart(i))), "non-finite value %s", b.value(b.sampleStart(i)));
      for (Label l : labels.get(i)) {
        require(l.name().matches(l.name().equals("__name__") ? "__name__" : "[a-zA-Z_][a-zA-Z0-9_]*"),
            "label name %s", l.name());
        if (l.name().equals("__name__")) {
          require(l.value().matches("[a-zA-Z_:][a-zA-Z0-9_:]*"), "metric name %s", l.value());
        }
      }
    }
    return labels;
  }

  private static void checkRejection(InfluxParseException e, String body) {
    String[] lines = body.split("\n", -1);
    require(e.line() >= 1 && e.line() <= lines.length, "line %d of %d", e.line(), lines.length);
    require(e.column() >= 1 && e.column() <= lines[e.line() - 1].length() + 1, "column %d", e.column());
    require(e.reason() != null && !e.reason().isBlank(), "no reason");
    require(e.getMessage() != null && !e.getMessage().isBlank(), "no message");
  }
}
