package io.clymene.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.Schema.ObjectSchema;
import io.clymene.storage.StorageProviders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {
  private final ObjectSchema schema = ClymeneSchema.create(StorageProviders.load().schemas());

  private JsonObject validate(JsonObject tree, ConfigOverrides overrides) {
    return ConfigLoader.validate(tree, schema, "clymene.yaml", overrides, new ArrayList<>());
  }

  @Test
  void unknownKeyNamesFilePathAndKnownKeys() {
    JsonObject tree = new JsonObject().put("admin", new JsonObject().put("prot", 1));
    assertThatThrownBy(() -> validate(tree, new ConfigOverrides()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("clymene.yaml: admin.prot: unknown key (expected one of: host, port)");
  }

  @Test
  void wrongTypeNamesWhatWasExpected() {
    JsonObject tree = new JsonObject().put("admin", new JsonObject().put("port", "abc"));
    assertThatThrownBy(() -> validate(tree, new ConfigOverrides()))
        .hasMessage("clymene.yaml: admin.port: expected a port number (0-65535), got 'abc'");
    JsonObject t2 = new JsonObject().put("storage", new JsonArray().add(new JsonObject().put("type", "embedded")
        .put("queue", new JsonObject().put("batch_send_deadline", "soon"))));
    assertThatThrownBy(() -> validate(t2, new ConfigOverrides()))
        .hasMessage("clymene.yaml: storage[0].queue.batch_send_deadline: expected a duration such as 500ms, 15s"
            + " or 1m30s, got 'soon'");
  }

  @Test
  void storageKeysDependOnTheType() {
    JsonObject ok = new JsonObject().put("storage", new JsonArray()
        .add(new JsonObject().put("type", "prometheus").put("url", "http://x/api/v1/write"))
        .add(new JsonObject().put("type", "embedded").put("data_dir", "d")));
    assertThat(validate(ok, new ConfigOverrides()).getJsonArray("storage")).hasSize(2);
    JsonObject bad = new JsonObject().put("storage", new JsonArray()
        .add(new JsonObject().put("type", "embedded").put("url", "http://x")));
    assertThatThrownBy(() -> validate(bad, new ConfigOverrides()))
        .hasMessageContaining("storage[0].url: unknown key");
    JsonObject unknownType = new JsonObject().put("storage", new JsonArray().add(new JsonObject().put("type", "foo")));
    assertThatThrownBy(() -> validate(unknownType, new ConfigOverrides()))
        .hasMessageContaining("storage[0].type: expected one of clickhouse, discard, elasticsearch, embedded, eventbus, file, "
            + "gateway, influxdb, kafka, opensearch, opentsdb, postgresql, prometheus, questdb, stdout, tdengine, "
            + "got 'foo'");
  }

  @Test
  void flagsAndEnvironmentOverrideWithFlagsWinning() {
    JsonObject tree = new JsonObject().put("admin", new JsonObject().put("port", 1000));
    ConfigOverrides o = new ConfigOverrides()
        .environment(Map.of("CLYMENE_ADMIN_PORT", "2000", "CLYMENE_AGENT_CONFIG_FILE", "p.yml",
            "CLYMENE_STORAGE_0_TYPE", "embedded", "CLYMENE_STORAGE_0_HTTP_PORT", "9100"), schema, new ArrayList<>())
        .flag("admin.port", "3000");
    JsonObject out = validate(tree, o);
    assertThat(out.getJsonObject("admin").getInteger("port")).isEqualTo(3000);
    assertThat(out.getJsonObject("agent").getString("config_file")).isEqualTo("p.yml");
    assertThat(out.getJsonArray("storage").getJsonObject(0).getInteger("http_port")).isEqualTo(9100);

    ConfigOverrides envOnly = new ConfigOverrides().environment(Map.of("CLYMENE_ADMIN_PORT", "2000"), schema,
        new ArrayList<>());
    assertThat(validate(tree, envOnly).getJsonObject("admin").getInteger("port")).isEqualTo(2000);
  }

  @Test
  void badOverridesAreAttributedToTheirFlagOrVariable() {
    JsonObject tree = new JsonObject();
    assertThatThrownBy(() -> validate(tree, new ConfigOverrides().flag("admin.port", "x")))
        .hasMessage("--admin.port: admin.port: expected a port number (0-65535), got 'x'");
    assertThatThrownBy(() -> validate(tree, new ConfigOverrides()
        .environment(Map.of("CLYMENE_ADMIN_PORT", "99999"), schema, new ArrayList<>())))
        .hasMessage("CLYMENE_ADMIN_PORT: admin.port: expected a port number (0-65535), got 99999");
    List<String> warnings = new ArrayList<>();
    new ConfigOverrides().environment(Map.of("CLYMENE_NO_SUCH", "1"), schema, warnings);
    assertThat(warnings).singleElement().asString().startsWith("CLYMENE_NO_SUCH: ignored, not a Clymene setting");
    assertThatThrownBy(() -> validate(tree, new ConfigOverrides().flag("admin.prot", "1")))
        .hasMessageStartingWith("--admin.prot: admin.prot: unknown key");
  }

  @Test
  void listOverridesAppendOrReplaceEntries() {
    JsonObject tree = new JsonObject().put("storage", new JsonArray().add(new JsonObject().put("type", "embedded")));
    ConfigOverrides o = new ConfigOverrides().flag("storage[1].type", "prometheus")
        .flag("storage[1].url", "http://h:9090/api/v1/write").flag("storage.0.http_port", "9001");
    JsonArray storage = validate(tree, o).getJsonArray("storage");
    assertThat(storage.getJsonObject(0).getInteger("http_port")).isEqualTo(9001);
    assertThat(storage.getJsonObject(1).getString("url")).isEqualTo("http://h:9090/api/v1/write");
    assertThatThrownBy(() -> validate(tree, new ConfigOverrides().flag("storage[3].type", "embedded")))
        .hasMessageContaining("skips entries");
  }

  @Test
  void optionsApplyRoleDefaults() {
    ClymeneOptions allInOne = new ClymeneOptions(Role.ALL_IN_ONE, "defaults", new JsonObject());
    assertThat(allInOne.admin().port()).isEqualTo(15691);
    assertThat(allInOne.storage()).hasSize(1);
    assertThat(allInOne.storage().get(0).getString("type")).isEqualTo("embedded");
    assertThat(new ClymeneOptions(Role.GATEWAY, "defaults", new JsonObject()).admin().port()).isEqualTo(15690);
    assertThat(new ClymeneOptions(Role.INGESTER, "defaults", new JsonObject()).admin().port()).isEqualTo(15694);
    assertThat(new ClymeneOptions(Role.AGENT, "defaults", new JsonObject()).storage()).isEmpty();
  }

  @Test
  void durationsAndSizesParseLikePrometheus() {
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1d2h")).isEqualTo(Duration.ofHours(26));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    for (String bad : List.of("", "1", "1 s", "s", "1s1m", "-1s", "1.5s")) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(ByteSizes.parse("10MB")).isEqualTo(10L << 20);
    assertThat(ByteSizes.parse("512")).isEqualTo(512);
    assertThat(ByteSizes.parse("1GiB")).isEqualTo(1L << 30);
  }
}
