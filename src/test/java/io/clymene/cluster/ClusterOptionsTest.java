package io.clymene.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

  @Test
  void defaultsFollowTheArchitecture() {
    ClusterOptions o = ClusterOptions.from(new JsonObject().put("enabled", true));
    assertThat(o.enabled()).isTrue();
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(5801);
    assertThat(o.memberName()).isEqualTo("127.0.0.1:5801");
    assertThat(o.replicationFactor()).isEqualTo(1);
    assertThat(o.failureTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.members()).isEmpty();
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("members", new JsonArray().add("127.0.0.1:5801-5805"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.members[0]").hasMessageContaining("ranges");
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("members", new JsonArray().add("a:1").add("a:1"))))
        .hasMessageContaining("cluster.members[1]").hasMessageContaining("duplicate");
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("members", new JsonArray().add("a:1"))
        .put("kubernetes", new JsonObject().put("service_dns", "x.svc"))))
        .hasMessageContaining("cluster.members").hasMessageContaining("not both");
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("kubernetes", new JsonObject())))
        .hasMessageContaining("cluster.kubernetes.service_dns");
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("replica_label", "__replica__")))
        .hasMessageContaining("cluster.replica_label");
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("members", new JsonArray().add("10.0.0.2:5801"))))
        .hasMessageContaining("cluster.host").hasMessageContaining("set cluster.host to this host's address");
    assertThatThrownBy(() -> ClusterOptions.from(new JsonObject().put("failure_timeout", "500ms")))
        .hasMessageContaining("cluster.failure_timeout").hasMessageContaining("at least 2s");
  }

  @Test
  void tcpIpJoinListsTheMembersAndThisOneWithMulticastAndPhoneHomeOff() {
    ClusterOptions o = ClusterOptions.from(new JsonObject().put("enabled", true).put("port", 5802)
        .put("members", new JsonArray().add("127.0.0.1:5801")).put("member_name", "agent-1")
        .put("failure_timeout", "7s"));
    Config c = HazelcastSetup.config(o, "agent", true);
    JoinConfig join = c.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    assertThat(c.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(c.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("7");
    assertThat(c.getNetworkConfig().getPort()).isEqualTo(5802);
    assertThat(c.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(c.getClusterName()).isEqualTo("clymene");
    assertThat(c.getMemberAttributeConfig().getAttributes())
        .containsEntry("clymene.member", "agent-1").containsEntry("clymene.role", "agent")
        .containsEntry("clymene.scrapes", "true");
    assertThat(c.getMultiMapConfigs()).as("Vert.x's own structures are kept").containsKey("__vertx.subs");
  }

  @Test
  void kubernetesDiscoveryUsesTheHeadlessServiceDns() {
    ClusterOptions o = ClusterOptions.from(new JsonObject().put("enabled", true).put("host", "10.1.2.3")
        .put("kubernetes", new JsonObject().put("service_dns", "clymene-agent-cluster.monitoring.svc.cluster.local")));
    Config c = HazelcastSetup.config(o, "agent", true);
    JoinConfig join = c.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("clymene-agent-cluster.monitoring.svc.cluster.local");
    assertThat(c.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.1.2.3");
    assertThat(List.of(o.members())).containsExactly(List.of());
  }
}
