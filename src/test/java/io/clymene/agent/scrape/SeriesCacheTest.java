package io.clymene.agent.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesCacheTest {

  @Test
  void addLookupRemoveAgreeWithAMapUnderChurn() {
    SeriesCache cache = new SeriesCache();
    Map<Long, Integer> model = new HashMap<>();
    Map<Long, String> labels = new HashMap<>();
    Random r = new Random(7);
    for (int step = 0; step < 200_000; step++) {
      long key = r.nextInt(20_000) * 0x9E3779B97F4A7C15L;
      int id = cache.lookup(key);
      assertThat(id != SeriesCache.NONE).isEqualTo(model.containsKey(key));
      if (id == SeriesCache.NONE) {
        byte[] l = ("series-" + key).getBytes();
        int newId = cache.add(key, l, 0, l.length, key * 31, 1);
        model.put(key, newId);
        labels.put(key, "series-" + key);
      } else {
        assertThat(id).isEqualTo(model.get(key));
        String got = new String(cache.arena(), cache.labelOffset(id), cache.labelLength(id));
        assertThat(got).isEqualTo(labels.get(key));
        assertThat(cache.hash(id)).isEqualTo(key * 31);
        if (r.nextInt(3) == 0) {
          cache.remove(id);
          model.remove(key);
        }
      }
    }
    assertThat(cache.size()).isEqualTo(model.size());
    int[] seen = {0};
    cache.forEach(id -> seen[0]++);
    assertThat(seen[0]).isEqualTo(model.size());
  }
}
