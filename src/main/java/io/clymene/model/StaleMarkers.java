package io.clymene.model;

/** Prometheus staleness markers: a NaN with a fixed bit pattern that writers must keep intact. */
public final class StaleMarkers {

  /** The bit pattern of Prometheus' StaleNaN. */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
  /** Prometheus' StaleNaN; compare with {@link #isStale}, never with {@code ==}. */
  public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

  private StaleMarkers() {
  }

  /** Whether a value is the stale marker (not just any NaN). */
  public static boolean isStale(double value) {
    return Double.doubleToRawLongBits(value) == STALE_NAN_BITS;
  }
}
