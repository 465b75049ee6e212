package io.clymene.storage.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.Labels;
import io.clymene.model.MetricMetadata;
import io.clymene.model.MetricMetadata.Type;
import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.clymene.proto.prometheus.v2.WriteV2;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Golden tests of the remote-write 2.0 encoder. No receiver available here accepts 2.0 (Prometheus
 * 2.42 and VictoriaMetrics 1.79 predate it; Prometheus 2.42 even answers 204 to a 2.0 request, having
 * decoded it as an empty 1.0 request), so the bytes are checked field by field with protobuf-java
 * classes generated from {@code write_v2.proto}, against protobuf-java's own encoding of the decoded
 * message, and byte for byte against a request computed by hand.
 */
class RemoteWriteV2EncoderTest {

  private static final Map<String, MetricMetadata> FAMILIES = Map.of(
      // OpenMetrics style: the counter family is named without _total
      "http_requests", new MetricMetadata("http_requests", Type.COUNTER, "Requests handled.", ""),
      "temp_celsius", new MetricMetadata("temp_celsius", Type.GAUGE, "Temperature.", "celsius"),
      "rpc_seconds", new MetricMetadata("rpc_seconds", Type.SUMMARY, "", "seconds"));

  @Test
  void encodesSymbolsRefsSamplesAndMetadata() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("job", "api").label("code", "200").label("__name__", "http_requests_total")
        .sample(1_700_000_000_123L, 5);
    b.endSeries();
    b.beginSeries().label("__name__", "http_requests_total").label("code", "500").label("job", "api")
        .sample(1_700_000_000_123L, 1);
    b.endSeries();
    b.beginSeries().label("__name__", "temp_celsius").label("room", "ü").sample(-5, -0.5).sample(0, 0)
        .sample(Long.MAX_VALUE, StaleMarkers.STALE_NAN);
    b.endSeries();
    SeriesBatch one = b.build();
    b.beginSeries().label("__name__", "rpc_seconds_count").sample(7, Double.POSITIVE_INFINITY);
    b.endSeries();
    b.beginSeries().label("__name__", "no_metadata").sample(8, 8);
    b.endSeries();
    SeriesBatch two = b.build();

    List<String> lookups = new ArrayList<>();
    Function<String, MetricMetadata> byFamily = name -> {
      lookups.add(name);
      return FAMILIES.get(name);
    };
    byte[] bytes = new RemoteWriteV2Encoder(byFamily).encode(List.of(one, two));
    WriteV2.Request req = WriteV2.Request.parseFrom(bytes);

    assertThat(req.getSymbolsList()).containsExactly("", "__name__", "http_requests_total", "code", "200",
        "job", "api", "Requests handled.", "500", "temp_celsius", "room", "ü", "Temperature.", "celsius",
        "rpc_seconds_count", "seconds", "no_metadata");
    assertThat(req.getTimeseriesCount()).isEqualTo(5);

    WriteV2.TimeSeries first = req.getTimeseries(0);
    assertThat(first.getLabelsRefsList()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(first.getSamplesList()).hasSize(1);
    assertThat(first.getSamples(0).getTimestamp()).isEqualTo(1_700_000_000_123L);
    assertThat(first.getSamples(0).getValue()).isEqualTo(5.0);
    assertThat(first.getSamples(0).getStartTimestamp()).isZero();
    assertThat(first.getMetadata().getType()).isEqualTo(WriteV2.Metadata.MetricType.METRIC_TYPE_COUNTER);
    assertThat(first.getMetadata().getHelpRef()).isEqualTo(7);
    assertThat(first.getMetadata().getUnitRef()).isZero();

    WriteV2.TimeSeries second = req.getTimeseries(1);
    assertThat(second.getLabelsRefsList()).containsExactly(1, 2, 3, 8, 5, 6);
    assertThat(second.getMetadata()).isEqualTo(first.getMetadata());

    WriteV2.TimeSeries temp = req.getTimeseries(2);
    assertThat(labels(req, temp)).isEqualTo(Labels.of("__name__", "temp_celsius", "room", "ü"));
    assertThat(temp.getSamplesList()).extracting(WriteV2.Sample::getTimestamp)
        .containsExactly(-5L, 0L, Long.MAX_VALUE);
    assertThat(temp.getSamples(0).getValue()).isEqualTo(-0.5);
    assertThat(temp.getSamples(1).getValue()).isEqualTo(0.0);
    assertThat(Double.doubleToRawLongBits(temp.getSamples(2).getValue())).isEqualTo(StaleMarkers.STALE_NAN_BITS);
    assertThat(temp.getMetadata().getType()).isEqualTo(WriteV2.Metadata.MetricType.METRIC_TYPE_GAUGE);
    assertThat(req.getSymbols(temp.getMetadata().getHelpRef())).isEqualTo("Temperature.");
    assertThat(req.getSymbols(temp.getMetadata().getUnitRef())).isEqualTo("celsius");

    // a summary's _count series gets its family's metadata
    WriteV2.TimeSeries count = req.getTimeseries(3);
    assertThat(count.getLabelsRefsList()).containsExactly(1, 14);
    assertThat(count.getSamples(0).getValue()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(count.getMetadata().getType()).isEqualTo(WriteV2.Metadata.MetricType.METRIC_TYPE_SUMMARY);
    assertThat(count.getMetadata().getHelpRef()).isZero();
    assertThat(req.getSymbols(count.getMetadata().getUnitRef())).isEqualTo("seconds");

    WriteV2.TimeSeries none = req.getTimeseries(4);
    assertThat(none.hasMetadata()).isFalse();

    // canonical protobuf: protobuf-java encodes what it decoded to the very same bytes
    assertThat(req.toByteArray()).isEqualTo(bytes);
    // the lookup runs once per metric name and request, trying the family without the suffix
    assertThat(lookups).containsExactly("http_requests_total", "http_requests", "temp_celsius",
        "rpc_seconds_count", "rpc_seconds", "no_metadata");
  }

  /** {__name__="up"} 1 @ 1000, a gauge without help or unit, computed by hand from the proto file. */
  @Test
  void encodesATinyRequestToTheBytesComputedByHand() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").sample(1000, 1.0);
    b.endSeries();
    Function<String, MetricMetadata> byFamily =
        name -> name.equals("up") ? new MetricMetadata("up", Type.GAUGE, "", "") : null;

    byte[] bytes = new RemoteWriteV2Encoder(byFamily).encode(List.of(b.build()));

    byte[] expected = hex(
        "22 00" // symbols[0] = ""
            + " 22 08 5f 5f 6e 61 6d 65 5f 5f" // symbols[1] = "__name__"
            + " 22 02 75 70" // symbols[2] = "up"
            + " 2a 16" // timeseries, 22 bytes
            + " 0a 02 01 02" // labels_refs, packed: [1, 2]
            + " 12 0c 09 00 00 00 00 00 00 f0 3f 10 e8 07" // samples: value 1.0 (fixed64), timestamp 1000
            + " 2a 02 08 02"); // metadata: type GAUGE; help_ref and unit_ref 0, omitted
    assertThat(bytes).isEqualTo(expected);
  }

  @Test
  void withoutALookupNoMetadataIsSent() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "up").label("job", "j").sample(1, 1);
    b.endSeries();
    WriteV2.Request req = WriteV2.Request.parseFrom(new RemoteWriteV2Encoder().encode(List.of(b.build())));
    assertThat(req.getSymbolsList()).containsExactly("", "__name__", "up", "job", "j");
    assertThat(req.getTimeseries(0).hasMetadata()).isFalse();
  }

  @Test
  void theFamilyLookupStripsOnlySuffixesTheFamilyTypeAllows() {
    Map<String, MetricMetadata> families = Map.of(
        "jobs", new MetricMetadata("jobs", Type.GAUGE, "", ""),
        "rpc", new MetricMetadata("rpc", Type.HISTOGRAM, "", ""),
        "build", new MetricMetadata("build", Type.INFO, "", ""),
        "reqs", new MetricMetadata("reqs", Type.COUNTER, "", ""),
        "reqs_created", new MetricMetadata("reqs_created", Type.GAUGE, "", ""));
    assertThat(MetricMetadata.forSeries("jobs", families::get).family()).isEqualTo("jobs");
    assertThat(MetricMetadata.forSeries("jobs_count", families::get)).isNull(); // a gauge has no _count
    assertThat(MetricMetadata.forSeries("jobs_total", families::get)).isNull();
    assertThat(MetricMetadata.forSeries("rpc_bucket", families::get).family()).isEqualTo("rpc");
    assertThat(MetricMetadata.forSeries("rpc_sum", families::get).family()).isEqualTo("rpc");
    assertThat(MetricMetadata.forSeries("rpc_count", families::get).family()).isEqualTo("rpc");
    assertThat(MetricMetadata.forSeries("rpc_created", families::get).family()).isEqualTo("rpc");
    assertThat(MetricMetadata.forSeries("rpc_total", families::get)).isNull();
    assertThat(MetricMetadata.forSeries("build_info", families::get).family()).isEqualTo("build");
    assertThat(MetricMetadata.forSeries("reqs_total", families::get).family()).isEqualTo("reqs");
    // the exact name wins over a stripped one
    assertThat(MetricMetadata.forSeries("reqs_created", families::get).type()).isEqualTo(Type.GAUGE);
    assertThat(MetricMetadata.forSeries("_total", families::get)).isNull();
  }

  @Test
  void consecutiveSeriesWithDifferentLabelsKeepTheirOwnRefs() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    String[][] series = {
        {"__name__", "a", "x", "1", "y", "2"},
        {"__name__", "a"},
        {"__name__", "a", "x", "1", "y", "3"},
        {"__name__", "a", "x", "10", "y", "3"},
        {"__name__", "ab", "x", "1", "y", "3", "z", "0"},
        {"__name__", "a", "x", "1", "y", "3"},
        {"x", "1", "y", "3"},
    };
    for (String[] labels : series) {
      b.beginSeries().labels(Labels.of(labels)).sample(1, 1);
      b.endSeries();
    }
    SeriesBatch batch = b.build();
    WriteV2.Request req = WriteV2.Request.parseFrom(new RemoteWriteV2Encoder().encode(
        List.of(batch.slice(0, 3), batch.slice(3, 7))));
    for (int i = 0; i < series.length; i++) {
      assertThat(labels(req, req.getTimeseries(i))).isEqualTo(Labels.of(series[i]));
    }
    assertThat(req.getSymbolsList()).doesNotHaveDuplicates();
  }

  @Test
  void largeRequestsGrowTheTableAndLaterRequestsStartAfresh() throws Exception {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < 5000; i++) {
      b.beginSeries().label("__name__", "m" + (i % 7)).label("i", Integer.toString(i))
          .label("pad", "x".repeat(100 + i % 3)).sample(i, i);
      b.endSeries();
    }
    SeriesBatch big = b.build();
    RemoteWriteV2Encoder encoder = new RemoteWriteV2Encoder(name -> new MetricMetadata(name, Type.GAUGE,
        "help of " + name, ""));

    WriteV2.Request req = WriteV2.Request.parseFrom(encoder.encode(List.of(big)));
    // "", __name__, 7 names, i, 5000 values, pad, 3 pads, 7 help texts
    assertThat(req.getSymbolsCount()).isEqualTo(1 + 1 + 7 + 1 + 5000 + 1 + 3 + 7);
    assertThat(req.getSymbolsList()).doesNotHaveDuplicates();
    for (int i = 0; i < big.size(); i++) {
      WriteV2.TimeSeries ts = req.getTimeseries(i);
      assertThat(labels(req, ts)).isEqualTo(big.labels(i));
      assertThat(req.getSymbols(ts.getMetadata().getHelpRef())).isEqualTo("help of m" + (i % 7));
    }

    b.beginSeries().label("__name__", "after").label("i", "4999").sample(1, 1);
    b.endSeries();
    List<SeriesBatch> next = List.of(b.build(), big.slice(4999, 5000));
    byte[] smallBytes = encoder.encode(next);
    WriteV2.Request small = WriteV2.Request.parseFrom(smallBytes);
    assertThat(small.getSymbolsList()).containsExactly("", "__name__", "after", "i", "4999", "help of after",
        "m1", "pad", "x".repeat(101), "help of m1");
    assertThat(labels(small, small.getTimeseries(1))).isEqualTo(big.labels(4999));
    assertThat(encoder.encode(next)).isEqualTo(smallBytes).isEqualTo(small.toByteArray());
  }

  /** The label set a series' refs name. */
  static Labels labels(WriteV2.Request req, WriteV2.TimeSeries ts) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int k = 0; k < ts.getLabelsRefsCount(); k += 2) {
      map.put(req.getSymbols(ts.getLabelsRefs(k)), req.getSymbols(ts.getLabelsRefs(k + 1)));
    }
    return Labels.of(map);
  }

  static byte[] hex(String s) {
    String[] parts = s.trim().split("\\s+");
    byte[] out = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return out;
  }
}
