package io.clymene.storage.opentsdb;

import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One series as OpenTSDB sees it: the metric ({@code __name__}) and tags (the other labels), with
 * OpenTSDB's rules applied. OpenTSDB 2.x accepts in metric names, tag keys and tag values only
 * {@code a-z A-Z 0-9 - _ . /} and (BMP) Unicode letters ({@code Tags.validateString}); this writer
 * <b>sanitises</b> every other character to {@code _} rather than lose the series, so
 * {@code instance="host:9100"} is written as {@code instance=host_9100} and a recording rule
 * {@code job:up:sum} as {@code job_up_sum} (two label values that differ only in such characters then
 * meet in one series: documented). A series is <b>rejected</b> (counted, never sent) when it has no tag
 * (OpenTSDB: "Missing tags") or more tags than {@code max_tags} (OpenTSDB's {@code tsd.storage.max_tags},
 * 8 by default). Labels with empty values are absent, as in Prometheus.
 *
 * @param metric the sanitised metric name
 * @param tags sanitised {@code key, value} pairs in label-name order
 */
record OpenTsdbSeries(String metric, List<String> tags) {

  /** Why a series cannot be written, or null when it can. */
  static String rejection(OpenTsdbSeries s, int maxTags) {
    if (s.metric().isEmpty()) {
      return "no metric name (__name__)";
    }
    if (s.tags().isEmpty()) {
      return "no tag besides __name__ (OpenTSDB needs at least one)";
    }
    if (s.tags().size() / 2 > maxTags) {
      return (s.tags().size() / 2) + " tags, more than max_tags " + maxTags;
    }
    return null;
  }

  /** Series {@code i} of a batch, sanitised. */
  static OpenTsdbSeries of(SeriesBatch batch, int i) {
    String[] metric = {""};
    List<String> tags = new ArrayList<>(16);
    batch.forEachLabel(i, (buf, no, nl, vo, vl) -> {
      if (vl == 0) {
        return;
      }
      String name = new String(buf, no, nl, StandardCharsets.UTF_8);
      String value = text(buf, vo, vl);
      if (name.equals(Labels.METRIC_NAME)) {
        metric[0] = value;
      } else {
        tags.add(text(buf, no, nl));
        tags.add(value);
      }
    });
    return new OpenTsdbSeries(metric[0], tags);
  }

  /** Label bytes as a sanitised string; the common all-allowed ASCII case without a second pass. */
  private static String text(byte[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      byte c = buf[i];
      if (c < 0 || !allowed(c)) {
        return sanitise(new String(buf, off, len, StandardCharsets.UTF_8));
      }
    }
    return new String(buf, off, len, StandardCharsets.ISO_8859_1);
  }

  /** {@code s} with every character OpenTSDB refuses replaced by {@code _} (one per code point). */
  static String sanitise(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      boolean ok = allowed(cp);
      if (!ok && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        if (ok) {
          out.appendCodePoint(cp);
        } else {
          out.append('_');
        }
      }
      i += n;
    }
    return out == null ? s : out.toString();
  }

  private static boolean allowed(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '_' || c == '.' || c == '/'
        || (c > 0x7f && c <= 0xffff && Character.isLetter(c)); // OpenTSDB checks UTF-16 chars
  }

  /** A sample value as OpenTSDB parses it: an integer when it is one (stored as int64), else a float. */
  static String formatValue(double v) {
    return isIntegral(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** Whether a (finite) value is written as an integer. */
  static boolean isIntegral(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15;
  }
}
