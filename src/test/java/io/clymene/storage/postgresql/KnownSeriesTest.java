package io.clymene.storage.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bounded set of stored series ids: two generations, refreshed on hits, zero allowed. */
class KnownSeriesTest {

  @Test
  void remembersUpToTheBoundAndKeepsIdsInUse() {
    KnownSeries k = new KnownSeries(100);
    assertThat(k.contains(0)).isFalse();
    k.add(0);
    assertThat(k.contains(0)).isTrue();
    for (long id = 1; id <= 49; id++) {
      k.add(id * 7919);
    }
    assertThat(k.contains(7919)).isTrue();
    for (long id = 1000; id < 1050; id++) { // fills a generation: the first ones move to the previous one
      k.add(id);
      assertThat(k.contains(7919)).isTrue(); // a hit copies it forward
    }
    for (long id = 2000; id < 2100; id++) {
      k.add(id);
    }
    assertThat(k.contains(7919 * 2)).isFalse(); // not used for two generations: forgotten
    assertThat(k.contains(2099)).isTrue();
    k.clear();
    assertThat(k.contains(2099)).isFalse();
  }
}
