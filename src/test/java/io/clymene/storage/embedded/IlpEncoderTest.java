package io.clymene.storage.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IlpEncoderTest {

  @Test
  void oneTablePerMetricWithTagsValueAndMillis() {
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
    String ilp = new String(new IlpEncoder().encode(List.of(b.build())), StandardCharsets.UTF_8);
    assertThat(ilp).isEqualTo(String.join("\n",
        "node_cpu_seconds_total,cpu=0,mode=idle value=12345.5 1700000000000",
        "job_rate_sum,msg=line1\\ line2,path=a\\ b\\,c\\=d,label_timestamp=t,label_value=v value=2.0 5",
        "job_rate_sum,msg=line1\\ line2,path=a\\ b\\,c\\=d,label_timestamp=t,label_value=v value=NaN 6",
        "big value=1.0E300 7",
        "neg value=-Infinity 8",
        ""));
  }
}
