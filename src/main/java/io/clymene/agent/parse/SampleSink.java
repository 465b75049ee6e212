package io.clymene.agent.parse;

/**
 * Receives the samples a parser finds, as byte ranges of the body; nothing is allocated per sample.
 *
 * <p>For each sample line the parser first offers the series' raw text ({@code name{labels}} as
 * written) to {@link #known}; when the sink knows that text from an earlier scrape, the parser skips
 * parsing the labels and calls {@link #knownSample}. Otherwise it parses the labels and calls
 * {@link #sample}.
 *
 * <p>A sink that {@link #wantsMetadata} also gets the body's {@code # HELP}, {@code # TYPE} and
 * {@code # UNIT} lines through {@link #metadata}; others cost nothing more, as the parsers look at those
 * lines anyway.
 */
public interface SampleSink {

  /** Marks an absent timestamp. */
  long NO_TIMESTAMP = Long.MIN_VALUE;

  /** Whether {@link #known} can ever answer; parsers skip the lookup otherwise. */
  default boolean remembersSeries() {
    return false;
  }

  /**
   * Whether this series text was seen before.
   *
   * @param buf the body
   * @param seriesOff where the metric name starts
   * @param seriesEnd the end (exclusive) of the series text
   * @return a handle for {@link #knownSample}, or -1 when unknown
   */
  default int known(byte[] buf, int seriesOff, int seriesEnd) {
    return -1;
  }

  /**
   * A sample of a known series.
   *
   * @return null to go on, or a problem that makes the whole body invalid
   */
  default String knownSample(int handle, double value, long timestamp) {
    throw new IllegalStateException("known() returned a handle but knownSample() is not implemented");
  }

  /**
   * A sample of a series {@link #known} did not know.
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

  /**
   * Whether {@link #metadata} should receive the body's metadata lines; parsers ask once per body.
   */
  default boolean wantsMetadata() {
    return false;
  }

  /**
   * A valid metadata line, in body order (a family may have several: the last of each kind wins, as
   * in Prometheus' scrape cache). The byte ranges are valid only during this call.
   *
   * @param kind HELP, TYPE or UNIT
   * @param buf the body
   * @param nameOff offset in {@code buf} of the metric family name the line names
   * @param nameLen length of the name
   * @param textBuf the buffer holding the text: the body, or a parser buffer for HELP text with escapes
   * @param textOff offset of the text in {@code textBuf}
   * @param textLen length of the text: HELP with escapes resolved as Prometheus does, TYPE as written
   *     (see {@link MetadataKind#metricType}), UNIT as written; may be empty
   */
  default void metadata(MetadataKind kind, byte[] buf, int nameOff, int nameLen, byte[] textBuf, int textOff,
                        int textLen) {
  }
}
