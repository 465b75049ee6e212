package io.clymene.agent.parse;

/** Receives the samples a parser finds, as byte ranges of the body; nothing is allocated per sample. */
public interface SampleSink {

  /** Marks an absent timestamp. */
  long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * One sample.
   *
   * @param buf the body
   * @param nameOff offset of the metric name in {@code buf}
   * @param nameLen length of the metric name
   * @param labels the sample's labels, valid only during this call
   * @param value the value
   * @param timestamp the explicit timestamp in milliseconds, or {@link #NO_TIMESTAMP}
   * @return null to go on, or a problem that makes the whole body invalid (e.g. a duplicate label)
   */
  String sample(byte[] buf, int nameOff, int nameLen, ParsedLabels labels, double value, long timestamp);
}
