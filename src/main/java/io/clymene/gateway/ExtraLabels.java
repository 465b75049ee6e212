package io.clymene.gateway;

import io.clymene.model.SeriesBatch;
import java.nio.charset.StandardCharsets;

/** Adds a label to every series of a batch (the tenant, the Influx database), replacing one of that name. */
final class ExtraLabels {
  private ExtraLabels() {
  }

  /** A copy of {@code batch} whose every series has {@code name="value"}. */
  static SeriesBatch with(SeriesBatch batch, String name, String value) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int i = 0; i < batch.size(); i++) {
      b.beginSeries();
      batch.forEachLabel(i, (buf, nameOff, nameLen, valueOff, valueLen) -> {
        if (!java.util.Arrays.equals(buf, nameOff, nameOff + nameLen, n, 0, n.length)) {
          b.label(buf, nameOff, nameLen, buf, valueOff, valueLen);
        }
      });
      b.label(n, 0, n.length, v, 0, v.length);
      for (int s = batch.sampleStart(i); s < batch.sampleEnd(i); s++) {
        b.sample(batch.timestamp(s), batch.value(s));
      }
      b.endSeries();
    }
    return b.metadata(batch.metadata()).build();
  }
}
