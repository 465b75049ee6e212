package io.clymene.storage.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineProtocolEncoderTest {

  @Test
  void questDbOneTablePerMetricWithTagsValueAndMillis() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "node_cpu_seconds_total").label("cpu", "0").label("mode", "idle")
        .sample(1_700_000_000_000L, 12345.5);
    b.endSeries();
    b.beginSeries().label("__name__", "job:rate:sum").label("value", "v").label("timestamp", "t")
        .label("path", "a b,c=d").label("msg", "line1\nline2").sample(5, 2).sample(6, Double.NaN);
    b.endSeries();
    b.beginSeries().label("__name__", "big").sample(7, 1e300);
    b.endSeries();
    b.beginSeries().label("__name__", "neg").sample(8, Double.NEGATIVE_INFINITY);
    b.endSeries();
    String ilp = new String(new LineProtocolEncoder(LineProtocolDialect.QUESTDB).encode(List.of(b.build())), StandardCharsets.UTF_8);
    assertThat(ilp).isEqualTo(String.join("\n",
        "node_cpu_seconds_total,cpu=0,mode=idle value=12345.5 1700000000000",
        "job_rate_sum,msg=line1\\ line2,path=a\\ b\\,c\\=d,label_timestamp=t,label_value=v value=2.0 5",
        "job_rate_sum,msg=line1\\ line2,path=a\\ b\\,c\\=d,label_timestamp=t,label_value=v value=NaN 6",
        "big value=1.0E300 7",
        "neg value=-Infinity 8",
        ""));
  }

  @Test
  void influxDbSkipsNonFiniteValuesLeavesOutEmptyTagsAndRenamesClashingOnes() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "job:rate:sum").label("empty", "").label("time", "t").label("value", "v")
        .label("path", "a b,c=d\\e").sample(5, 2).sample(6, Double.NaN).sample(7, StaleMarkers.STALE_NAN)
        .sample(8, 0.25);
    b.endSeries();
    b.beginSeries().label("__name__", "only_inf").sample(9, Double.POSITIVE_INFINITY);
    b.endSeries();
    b.beginSeries().label("__name__", "my metric,x").sample(10, -1e-300);
    b.endSeries();
    LineProtocolEncoder encoder = new LineProtocolEncoder(LineProtocolDialect.INFLUXDB);
    String lines = new String(encoder.encode(List.of(b.build())), StandardCharsets.UTF_8);
    assertThat(lines).isEqualTo(String.join("\n",
        "job:rate:sum,path=a\\ b\\,c\\=d\\\\e,label_time=t,label_value=v value=2.0 5",
        "job:rate:sum,path=a\\ b\\,c\\=d\\\\e,label_time=t,label_value=v value=0.25 8",
        "my\\ metric\\,x value=-1.0E-300 10",
        ""));
    assertThat(encoder.skipped()).isEqualTo(3);
    assertThat(encoder.encode(List.of())).isEmpty();
    assertThat(encoder.skipped()).isZero();
  }
}
