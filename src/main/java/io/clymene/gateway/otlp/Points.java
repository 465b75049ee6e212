package io.clymene.gateway.otlp;

import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;

/** Counting and dating the data points of an OTLP metric, whatever its type. */
final class Points {

  private Points() {
  }

  /** The number of data points of a metric (0 when it has no type). */
  static int count(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsCount();
      case SUM -> m.getSum().getDataPointsCount();
      case HISTOGRAM -> m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> m.getSummary().getDataPointsCount();
      case DATA_NOT_SET -> 0;
    };
  }

  /**
   * The later of {@code latest} and the metric's latest point time, in nanoseconds; OTLP times are
   * unsigned 64-bit, compared as such.
   */
  static long latest(Metric m, long latest) {
    long t = latest;
    switch (m.getDataCase()) {
      case GAUGE -> {
        for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
          t = later(t, p.getTimeUnixNano());
        }
      }
      case SUM -> {
        for (NumberDataPoint p : m.getSum().getDataPointsList()) {
          t = later(t, p.getTimeUnixNano());
        }
      }
      case HISTOGRAM -> {
        for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
          t = later(t, p.getTimeUnixNano());
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
          t = later(t, p.getTimeUnixNano());
        }
      }
      case SUMMARY -> {
        for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
          t = later(t, p.getTimeUnixNano());
        }
      }
      case DATA_NOT_SET -> { }
    }
    return t;
  }

  private static long later(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }

  /** An unsigned 64-bit count as the nearest double (as Go's {@code float64(uint64)}). */
  static double unsigned(long v) {
    if (v >= 0) {
      return v;
    }
    // halve (keeping the low bit so the rounding stays right), convert, double
    return ((v >>> 1) | (v & 1)) * 2.0;
  }
}
