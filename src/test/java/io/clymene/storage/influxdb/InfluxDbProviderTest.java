package io.clymene.storage.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageProvider;
import io.clymene.storage.StorageProviders;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The influxdb and questdb entries' checks, and that both types are registered. */
class InfluxDbProviderTest {
  private final InfluxDbProvider influx = new InfluxDbProvider();

  private void check(StorageProvider p, JsonObject entry) {
    p.check(Harness.entry(p, entry.put("type", p.type())));
  }

  @Test
  void version2NeedsOrgBucketAndToken() {
    assertThatThrownBy(() -> check(influx, new JsonObject().put("version", 2).put("org", "o").put("bucket", "b")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].token")
        .hasMessageContaining("needs org, bucket and token");
    assertThatCode(() -> check(influx, new JsonObject().put("version", 2).put("org", "o").put("bucket", "b")
        .put("token", "t"))).doesNotThrowAnyException();
  }

  @Test
  void keysOfTheOtherVersionAreRefused() {
    assertThatThrownBy(() -> check(influx, new JsonObject().put("token", "t")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].token")
        .hasMessageContaining("is for version: 2");
    assertThatThrownBy(() -> check(influx, new JsonObject().put("version", 2).put("org", "o").put("bucket", "b")
        .put("token", "t").put("database", "d"))).hasMessageContaining("storage[0].database");
  }

  @Test
  void theUrlMustBeHttpWithoutAQuery() {
    assertThatThrownBy(() -> check(influx, new JsonObject().put("url", "127.0.0.1:8086")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[0].url");
    assertThatThrownBy(() -> check(new QuestDbProvider(), new JsonObject().put("url", "http://q:9000/write?x=1")))
        .hasMessageContaining("without a query");
    assertThatCode(() -> check(influx, new JsonObject())).doesNotThrowAnyException();
  }

  @Test
  void bothTypesAreRegisteredWithTheirQueueDefaults() {
    StorageProviders all = StorageProviders.load();
    assertThat(all.get("influxdb")).isInstanceOf(InfluxDbProvider.class);
    assertThat(all.get("questdb")).isInstanceOf(QuestDbProvider.class);
    assertThat(influx.defaultQueueOptions().maxSamplesPerSend()).isEqualTo(10_000);
    assertThat(new QuestDbProvider().defaultQueueOptions().maxShards()).isEqualTo(4);
  }

  @Test
  void partialWriteReasonsCountDroppedAndUnparsableLines() {
    assertThat(InfluxApi.refusedLines("partial write: points beyond retention policy dropped=7")).isEqualTo(7);
    assertThat(InfluxApi.refusedLines("partial write: unable to parse 'a b': x\nunable to parse 'c d': y "
        + "dropped=0")).isEqualTo(2);
  }
}
