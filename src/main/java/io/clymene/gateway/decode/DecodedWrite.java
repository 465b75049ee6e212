package io.clymene.gateway.decode;

import io.clymene.model.SeriesBatch;

/**
 * The result of decoding one remote-write request: the series with float samples, and the counts a
 * receiver reports in its {@code X-Prometheus-Remote-Write-*-Written} response headers.
 *
 * @param version the protobuf message the Content-Type named
 * @param batch the decoded series that have float samples, labels sorted, in request order
 * @param series number of series in {@link #batch}
 * @param samples number of float samples in {@link #batch}
 * @param seriesWithoutSamples series dropped because they carried no float sample (only histograms or
 *     exemplars, or nothing)
 * @param histogramsSkipped native histogram samples seen and not decoded
 * @param exemplarsSkipped exemplars seen and not decoded
 * @param metadataSkipped 1.0 {@code MetricMetadata} entries and 2.0 per-series {@code Metadata} seen and not
 *     decoded
 */
public record DecodedWrite(Version version, SeriesBatch batch, int series, int samples, int seriesWithoutSamples,
                           int histogramsSkipped, int exemplarsSkipped, int metadataSkipped) {

  /** The remote-write protobuf message of a request. */
  public enum Version {
    /** Remote write 1.0, {@code prometheus.WriteRequest}. */
    V1("prometheus.WriteRequest"),
    /** Remote write 2.0, {@code io.prometheus.write.v2.Request}. */
    V2("io.prometheus.write.v2.Request");

    private final String message;

    Version(String message) {
      this.message = message;
    }

    /** The fully qualified protobuf message name, as in the {@code proto} Content-Type parameter. */
    public String message() {
      return message;
    }
  }
}
