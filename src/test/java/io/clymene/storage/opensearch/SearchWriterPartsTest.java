package io.clymene.storage.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.StorageProviders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The opensearch writer's parts without a server: entry checks and defaults, the bulk answer parser on
 * an unfiltered answer (fields it does not need are skipped), the round robin with a node down (injected
 * clock), and the daily index names.
 */
class SearchWriterPartsTest {

  @Test
  void entryDefaultsAndQueueDefaults() {
    StorageEntry e = entry(new JsonObject());
    SearchOptions o = SearchOptions.from(e);
    assertThat(o.urls()).containsExactly(URI.create("http://127.0.0.1:9200"));
    assertThat(o.index()).isEqualTo("clymene-metrics");
    assertThat(o.mode()).isEqualTo(IndexMode.DAILY);
    assertThat(o.template()).isTrue();
    assertThat(o.replicas()).isEqualTo(1);
    assertThat(e.queue().maxSamplesPerSend()).isEqualTo(5_000);
    assertThat(e.queue().capacity()).isEqualTo(50_000);
    assertThat(e.queue().maxShards()).isEqualTo(8);
    assertThat(SearchOptions.from(entry(new JsonObject().put("api_key", "secret"))).toString())
        .doesNotContain("secret").contains("api_key=set");
  }

  @Test
  void badEntriesNameTheKey() {
    assertThatThrownBy(() -> entry(new JsonObject().put("index", "Metrics")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].index").hasMessageContaining("'Metrics'");
    assertThatThrownBy(() -> entry(new JsonObject().put("urls", new JsonArray().add("127.0.0.1:9200"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].urls[0]");
    assertThatThrownBy(() -> entry(new JsonObject().put("urls", new JsonArray())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].urls");
  }

  @Test
  void anUnfilteredAnswerIsReadItemByItem() throws IOException {
    String full = "{\"took\":30,\"errors\":true,\"items\":["
        + "{\"create\":{\"_index\":\"m-2026.11.25\",\"_id\":\"a-1\",\"_version\":1,\"result\":\"created\","
        + "\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":0,\"_primary_term\":1,\"status\":201}},"
        + "{\"create\":{\"_index\":\"m-2026.11.25\",\"_id\":\"a-2\",\"status\":503,\"error\":{\"type\":"
        + "\"unavailable_shards_exception\",\"reason\":\"primary shard is not active\",\"index\":\"m\","
        + "\"caused_by\":{\"type\":\"x\",\"reason\":\"y\"}}}},"
        + "{\"create\":{\"_index\":\"m-2026.11.25\",\"_id\":\"a-3\",\"status\":400,\"error\":{\"type\":"
        + "\"mapper_parsing_exception\",\"reason\":\"failed to parse\"}}}]}";
    BulkAnswer a = BulkAnswer.parse(Buffer.buffer(full));
    assertThat(a.errors()).isTrue();
    assertThat(a.items()).isEqualTo(3);
    assertThat(List.of(a.status(0), a.status(1), a.status(2))).containsExactly(201, 503, 400);
    assertThat(a.firstRetry()).isEqualTo("503 unavailable_shards_exception: primary shard is not active");
    assertThat(a.firstRefusal()).isEqualTo("400 mapper_parsing_exception: failed to parse");
    assertThat(a.firstRefusedItem()).isEqualTo(2);
    assertThat(BulkAnswer.parse(Buffer.buffer("{\"took\":3,\"errors\":false,\"items\":[]}")).errors()).isFalse();
    assertThatThrownBy(() -> BulkAnswer.parse(Buffer.buffer("{\"acknowledged\":true}"))).isInstanceOf(IOException.class);
  }

  @Test
  void roundRobinSkipsANodeThatJustFailedUntilItsTimeOutIsOver() {
    AtomicLong now = new AtomicLong();
    URI a = URI.create("http://a:9200");
    URI b = URI.create("http://b:9200");
    URI c = URI.create("http://c:9200");
    Endpoints e = new Endpoints(List.of(a, b, c), now::get);
    assertThat(List.of(e.next(), e.next(), e.next(), e.next())).containsExactly(a, b, c, a);
    e.failed(b);
    assertThat(List.of(e.next(), e.next(), e.next())).containsExactly(c, a, c);
    now.addAndGet(Endpoints.DOWN_FOR_NANOS);
    assertThat(List.of(e.next(), e.next())).containsExactly(a, b);
    e.failed(b);
    now.incrementAndGet();
    e.failed(c);
    now.incrementAndGet();
    e.failed(a);
    assertThat(List.of(e.next(), e.next())).containsExactly(b, b); // all down: the one down longest
  }

  @Test
  void dailyIndicesAreNamedByUtcDay() {
    assertThat(IndexMode.dailyIndex("m", IndexMode.day(0))).isEqualTo("m-1970.01.01");
    assertThat(IndexMode.dailyIndex("m", IndexMode.day(-1))).isEqualTo("m-1969.12.31");
    assertThat(IndexMode.dailyIndex("m", IndexMode.day(1_795_651_199_999L))).isEqualTo("m-2026.11.25");
    assertThat(ClusterSetup.olderThan("7.7.1", 7, 8)).isTrue();
    assertThat(ClusterSetup.olderThan("7.8.0", 7, 8)).isFalse();
    assertThat(ClusterSetup.olderThan("8.15.3", 7, 8)).isFalse();
  }

  private static StorageEntry entry(JsonObject config) {
    JsonObject e = new JsonObject().put("type", "opensearch").mergeIn(config);
    return StorageProviders.load().entries(List.of(e), i -> "storage[" + i + "]").get(0);
  }
}
