package io.clymene.storage.opentsdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.model.SeriesBatch;
import io.clymene.model.StaleMarkers;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden output of the OpenTSDB encoder: JSON bodies, telnet lines, OpenTSDB's naming and tag rules. */
class PutEncoderTest {

  @Test
  void jsonBodyHoldsOnePointPerSampleWithSanitisedNamesAndSkipsNonFiniteValues() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "job:up:sum").label("instance", "host:9100").label("job", "node")
        .sample(1700000000000L, 1).sample(1700000001000L, 0.25).sample(1700000002000L, Double.NaN)
        .sample(1700000003000L, StaleMarkers.STALE_NAN).sample(1700000004000L, Double.POSITIVE_INFINITY)
        .sample(1700000005000L, 1e300);
    b.endSeries();
    PutEncoder enc = new PutEncoder(8);

    List<PutEncoder.Body> bodies = enc.json(List.of(b.build()), 8192);

    assertThat(bodies).hasSize(1);
    assertThat(bodies.get(0).json().toString(StandardCharsets.UTF_8)).isEqualTo("["
        + "{\"metric\":\"job_up_sum\",\"timestamp\":1700000000000,\"value\":1,\"tags\":{\"instance\":\"host_9100\",\"job\":\"node\"}},"
        + "{\"metric\":\"job_up_sum\",\"timestamp\":1700000001000,\"value\":0.25,\"tags\":{\"instance\":\"host_9100\",\"job\":\"node\"}},"
        + "{\"metric\":\"job_up_sum\",\"timestamp\":1700000005000,\"value\":1.0E300,\"tags\":{\"instance\":\"host_9100\",\"job\":\"node\"}}]");
    assertThat(bodies.get(0).points()).isEqualTo(3);
    assertThat(enc.unsupported()).isEqualTo(3);
    assertThat(enc.rejected()).isZero();
  }

  @Test
  void telnetLinesFollowThePutCommand() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "temp").label("room", "Küche 1").label("x", "a/b.c-d_e")
        .sample(1700000000000L, -3.5).sample(1700000001999L, -42);
    b.endSeries();
    PutEncoder enc = new PutEncoder(8);

    String lines = enc.telnet(List.of(b.build())).toString(StandardCharsets.UTF_8);

    assertThat(lines).isEqualTo("put temp 1700000000 -3.5 room=Küche_1 x=a/b.c-d_e\n"
        + "put temp 1700000001 -42 room=Küche_1 x=a/b.c-d_e\n");
  }

  @Test
  void seriesWithoutTagsOrWithTooManyAreRejectedAndCounted() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    b.beginSeries().label("__name__", "lonely").sample(1, 1).sample(2, 2);
    b.endSeries();
    b.beginSeries().label("__name__", "wide").label("a", "1").label("b", "2").label("c", "3").sample(1, 1);
    b.endSeries();
    b.beginSeries().label("__name__", "ok").label("a", "1").sample(1700000000000L, 7);
    b.endSeries();
    SeriesBatch batch = b.build();
    PutEncoder enc = new PutEncoder(2);

    String lines = enc.telnet(List.of(batch)).toString(StandardCharsets.UTF_8);

    assertThat(lines).isEqualTo("put ok 1700000000 7 a=1\n");
    assertThat(enc.rejected()).isEqualTo(3);
    assertThat(enc.firstRejection()).startsWith("no tag besides __name__").contains("lonely");
    assertThat(enc.json(List.of(batch), 8192)).singleElement()
        .satisfies(body -> assertThat(body.series()).containsExactly(2L));
  }

  @Test
  void bodiesStayWithinTheLimitAndListEverySeriesTheyHold() {
    SeriesBatch.Builder b = new SeriesBatch.Builder();
    for (int s = 0; s < 3; s++) {
      b.beginSeries().label("__name__", "m").label("s", "series-" + s);
      for (int i = 0; i < 100; i++) {
        b.sample(1700000000000L + i * 1000L, s * 1000 + i);
      }
      b.endSeries();
    }
    SeriesBatch batch = b.build();

    List<PutEncoder.Body> bodies = new PutEncoder(8).json(List.of(SeriesBatch.EMPTY, batch), 1000);

    int points = 0;
    for (PutEncoder.Body body : bodies) {
      assertThat(body.json().length()).isLessThanOrEqualTo(1000);
      JsonArray arr = new JsonArray(body.json());
      assertThat(arr.size()).isEqualTo(body.points());
      points += arr.size();
      for (long s : body.series()) {
        assertThat(s >>> 32).isEqualTo(1L); // the second batch
      }
      assertThat(body.series()).isNotEmpty();
    }
    assertThat(points).isEqualTo(300);
    assertThat(bodies.size()).isGreaterThan(20);
    assertThat(bodies.get(bodies.size() / 2).series()).containsAnyOf(1L << 32, 1L | (1L << 32), 2L | (1L << 32));
  }

  @Test
  void sanitisingKeepsOpenTsdbCharactersAndLetters() {
    assertThat(OpenTsdbSeries.sanitise("a-Z_0.9/ü日本")).isEqualTo("a-Z_0.9/ü日本");
    assertThat(OpenTsdbSeries.sanitise("a b:c=d,e\"f")).isEqualTo("a_b_c_d_e_f");
    assertThat(OpenTsdbSeries.sanitise("x\uD83D\uDE00y")).isEqualTo("x_y");
    assertThat(OpenTsdbSeries.formatValue(-0.0)).isEqualTo("0");
    assertThat(OpenTsdbSeries.formatValue(1e15)).isEqualTo("1.0E15");
    assertThat(OpenTsdbSeries.formatValue(123456789012345.0)).isEqualTo("123456789012345");
  }
}
