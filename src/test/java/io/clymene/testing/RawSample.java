package io.clymene.testing;

/** One stored sample as a receiver returns it; a stale marker has a NaN value. */
public record RawSample(long timestamp, double value) {
}
