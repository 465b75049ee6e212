package io.clymene.storage.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.storage.RetryAfter;
import io.clymene.model.MetricMetadata;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.proto.prometheus.Remote;
import io.clymene.proto.prometheus.Types;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteWriteEncoderTest {

  @Test
  void encodesAWriteRequestThatProtobufDecodes() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "j").sample(1_700_000_000_123L, 1);
    b.endSeries();
    b.beginSeries().label("__name__", "temp").label("room", "ü").sample(-5, -0.5).sample(0, 0)
        .sample(Long.MAX_VALUE, StaleMarkers.STALE_NAN);
    b.endSeries();
    SeriesBatch one = b.build();
    b.beginSeries().label("__name__", "inf").sample(7, Double.POSITIVE_INFINITY);
    b.endSeries();
    SeriesBatch two = b.build();

    byte[] bytes = new RemoteWriteEncoder().encode(List.of(one, two.slice(0, 1)));
    Remote.WriteRequest req = Remote.WriteRequest.parseFrom(bytes);

    assertThat(req.getTimeseriesCount()).isEqualTo(3);
    Types.TimeSeries up = req.getTimeseries(0);
    assertThat(up.getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
        .containsExactly("__name__=up", "job=j");
    assertThat(up.getSamples(0).getTimestamp()).isEqualTo(1_700_000_000_123L);
    assertThat(up.getSamples(0).getValue()).isEqualTo(1.0);
    Types.TimeSeries temp = req.getTimeseries(1);
    assertThat(temp.getLabels(1).getValue()).isEqualTo("ü");
    assertThat(temp.getSamplesList()).extracting(Types.Sample::getTimestamp).containsExactly(-5L, 0L, Long.MAX_VALUE);
    assertThat(temp.getSamples(0).getValue()).isEqualTo(-0.5);
    assertThat(Double.doubleToRawLongBits(temp.getSamples(2).getValue())).isEqualTo(StaleMarkers.STALE_NAN_BITS);
    assertThat(req.getTimeseries(2).getSamples(0).getValue()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void encodesALargeBatchAcrossBufferGrowth() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < 5000; i++) {
      b.beginSeries().label("__name__", "m").label("i", Integer.toString(i)).label("pad", "x".repeat(50))
          .sample(i, i);
      b.endSeries();
    }
    Remote.WriteRequest req = Remote.WriteRequest.parseFrom(new RemoteWriteEncoder().encode(List.of(b.build())));
    assertThat(req.getTimeseriesCount()).isEqualTo(5000);
    assertThat(req.getTimeseries(4999).getLabels(1).getValue()).isEqualTo("4999");
  }

  @Test
  void encodesMetadataAfterTheSeries() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "http_requests_total").sample(10, 1);
    b.endSeries();
    List<MetricMetadata> metadata = List.of(
        new MetricMetadata("http_requests_total", MetricMetadata.Type.COUNTER, "Requests handled.", ""),
        new MetricMetadata("temp_celsius", MetricMetadata.Type.GAUGE, "Température.", "celsius"),
        new MetricMetadata("mystery", MetricMetadata.Type.UNKNOWN, null, null));

    byte[] bytes = new RemoteWriteEncoder().encode(List.of(b.build()), metadata);
    Remote.WriteRequest req = Remote.WriteRequest.parseFrom(bytes);

    assertThat(req.getTimeseriesCount()).isEqualTo(1);
    assertThat(req.getTimeseries(0).getLabels(0).getValue()).isEqualTo("http_requests_total");
    assertThat(req.getMetadataCount()).isEqualTo(3);
    Types.MetricMetadata counter = req.getMetadata(0);
    assertThat(counter.getType()).isEqualTo(Types.MetricMetadata.MetricType.COUNTER);
    assertThat(counter.getMetricFamilyName()).isEqualTo("http_requests_total");
    assertThat(counter.getHelp()).isEqualTo("Requests handled.");
    assertThat(counter.getUnit()).isEmpty();
    Types.MetricMetadata gauge = req.getMetadata(1);
    assertThat(gauge.getType()).isEqualTo(Types.MetricMetadata.MetricType.GAUGE);
    assertThat(gauge.getHelp()).isEqualTo("Température.");
    assertThat(gauge.getUnit()).isEqualTo("celsius");
    assertThat(req.getMetadata(2).getType()).isEqualTo(Types.MetricMetadata.MetricType.UNKNOWN);
    assertThat(req.getMetadata(2).getMetricFamilyName()).isEqualTo("mystery");
    // every metadata field is encoded canonically: protobuf-java writes the same bytes for them
    byte[] metadataOnly = new RemoteWriteEncoder().encode(List.of(), metadata);
    assertThat(Remote.WriteRequest.parseFrom(metadataOnly).toByteArray()).isEqualTo(metadataOnly);
  }

  @Test
  void withoutMetadataTheRequestIsUnchanged() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").sample(10, 1);
    b.endSeries();
    SeriesBatch batch = b.build();
    RemoteWriteEncoder encoder = new RemoteWriteEncoder();
    assertThat(encoder.encode(List.of(batch), List.of())).isEqualTo(encoder.encode(List.of(batch)));
    assertThat(Remote.WriteRequest.parseFrom(encoder.encode(List.of(batch))).getMetadataCount()).isZero();
  }

  @Test
  void retryAfterIsReadInSeconds() {
    assertThat(RetryAfter.parse("7")).hasSeconds(7);
    assertThat(RetryAfter.parse(null)).isNull();
    assertThat(RetryAfter.parse("soon")).isNull();
  }
}
