package io.clymene.relabel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Relabeling with Prometheus' semantics; expected outputs follow Prometheus 2.42's relabel tests. */
class RelabelerTest {

  private static SortedMap<String, String> run(String rulesJson, Map<String, String> input) {
    Relabeler r = new Relabeler(RelabelConfig.parseList(new JsonArray(rulesJson), "relabel_configs"));
    SortedMap<String, String> labels = new TreeMap<>(input);
    return r.process(labels) ? labels : null;
  }

  @Test
  void replaceWithGroupsAndTemplatedTargets() {
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"f(.*)\",\"target_label\":\"d\",\"replacement\":\"ch${1}-ch${1}\"}]",
        Map.of("a", "foo", "b", "bar"))).isEqualTo(Map.of("a", "foo", "b", "bar", "d", "choo-choo"));
    // a regex is fully anchored: "o" does not match "foo"
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"o\",\"target_label\":\"d\"}]", Map.of("a", "foo")))
        .isEqualTo(Map.of("a", "foo"));
    // multiple sources joined by the separator
    assertThat(run("[{\"source_labels\":[\"a\",\"b\"],\"separator\":\"-\",\"regex\":\"(.*)\",\"target_label\":\"c\"}]",
        Map.of("a", "x", "b", "y"))).containsEntry("c", "x-y");
    // $1x names the group "1x", which does not exist: empty, so the target is deleted
    assertThat(run("[{\"source_labels\":[\"a\"],\"target_label\":\"a\",\"replacement\":\"$1x\"}]", Map.of("a", "v")))
        .isEmpty();
    // templated target label
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"(\\\\w+)=(\\\\w+)\",\"target_label\":\"${1}\","
        + "\"replacement\":\"${2}\"}]", Map.of("a", "key=val"))).containsEntry("key", "val");
    // a target that expands to an invalid name deletes the literal target label
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"(.*)\",\"target_label\":\"${1}\"}]",
        Map.of("a", "1bad"))).isEqualTo(Map.of("a", "1bad"));
    // named groups and $$
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"(?P<n>\\\\d+)\",\"target_label\":\"b\","
        + "\"replacement\":\"$$${n}\"}]", Map.of("a", "42"))).containsEntry("b", "$42");
  }

  @Test
  void keepDropAndEqualityActions() {
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"f.*\",\"action\":\"drop\"}]", Map.of("a", "foo"))).isNull();
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"f.*\",\"action\":\"keep\"}]", Map.of("a", "bar"))).isNull();
    assertThat(run("[{\"source_labels\":[\"a\"],\"regex\":\"f.*\",\"action\":\"KEEP\"}]", Map.of("a", "foo")))
        .isEqualTo(Map.of("a", "foo"));
    assertThat(run("[{\"source_labels\":[\"a\"],\"target_label\":\"b\",\"action\":\"keepequal\"}]",
        Map.of("a", "x", "b", "x"))).isNotNull();
    assertThat(run("[{\"source_labels\":[\"a\"],\"target_label\":\"b\",\"action\":\"keepequal\"}]",
        Map.of("a", "x", "b", "y"))).isNull();
    assertThat(run("[{\"source_labels\":[\"a\"],\"target_label\":\"b\",\"action\":\"dropequal\"}]",
        Map.of("a", "x", "b", "x"))).isNull();
  }

  @Test
  void hashmodMatchesPrometheus() {
    assertThat(run("[{\"source_labels\":[\"c\"],\"target_label\":\"d\",\"action\":\"hashmod\",\"modulus\":1000}]",
        Map.of("a", "foo", "b", "bar", "c", "baz"))).containsEntry("d", "976");
    assertThat(run("[{\"source_labels\":[\"a\"],\"target_label\":\"b\",\"action\":\"hashmod\",\"modulus\":1000}]",
        Map.of("a", "foo\nbar"))).containsEntry("b", "734");
  }

  @Test
  void labelActionsAndCase() {
    assertThat(run("[{\"regex\":\"__meta_(.+)\",\"action\":\"labelmap\"}]", Map.of("__meta_x", "1", "y", "2")))
        .isEqualTo(Map.of("__meta_x", "1", "x", "1", "y", "2"));
    assertThat(run("[{\"regex\":\"y|z\",\"action\":\"labeldrop\"}]", Map.of("x", "1", "y", "2", "z", "3")))
        .isEqualTo(Map.of("x", "1"));
    assertThat(run("[{\"regex\":\"y|__name__\",\"action\":\"labelkeep\"}]", Map.of("__name__", "m", "x", "1", "y", "2")))
        .isEqualTo(Map.of("__name__", "m", "y", "2"));
    assertThat(run("[{\"source_labels\":[\"a\"],\"target_label\":\"l\",\"action\":\"lowercase\"},"
        + "{\"source_labels\":[\"a\"],\"target_label\":\"u\",\"action\":\"uppercase\"}]", Map.of("a", "MiXeD")))
        .containsEntry("l", "mixed").containsEntry("u", "MIXED");
  }

  @Test
  void configErrorsAreTheOnesPrometheusGives() {
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "hashmod").put("target_label", "x"),
        "r")).isInstanceOf(ConfigException.class).hasMessageContaining("requires non-zero modulus");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "replace"), "r"))
        .hasMessageContaining("requires 'target_label' value");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "replace").put("target_label", "1x"),
        "r")).hasMessageContaining("is invalid 'target_label'");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "labeldrop")
        .put("source_labels", new JsonArray().add("a")), "r")).hasMessageContaining("requires only 'regex'");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "keepequal").put("target_label", "b")
        .put("regex", "(.*)"), "r")).hasMessageContaining("requires only 'source_labels'");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "lowercase").put("target_label", "b")
        .put("replacement", "x"), "r")).hasMessageContaining("'replacement' can not be set");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("action", "shout"), "r"))
        .hasMessageContaining("unknown relabel action 'shout'");
    assertThatThrownBy(() -> RelabelConfig.parse(new JsonObject().put("regex", "(unclosed"), "r[0]"))
        .hasMessageContaining("r[0].regex: invalid regular expression");
  }
}
