package io.clymene.agent.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.agent.discovery.SdConfigs;
import io.clymene.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing and validating {@code dns_sd_configs} entries, with Prometheus 2.42's defaults and messages. */
class DnsSdConfigTest {
  private static final String PATH = "scrape_configs[0].dns_sd_configs[0]";

  private static DnsSdConfig parse(Map<String, Object> yaml) {
    JsonObject raw = (JsonObject) DnsSdConfig.schema().normalize(yaml, PATH, new ArrayList<>());
    return DnsSdConfig.parse(raw, PATH, null);
  }

  @Test
  void defaultsAreSrvEvery30Seconds() {
    DnsSdConfig c = parse(Map.of("names", List.of("_http._tcp.example.test")));
    assertThat(c).isEqualTo(new DnsSdConfig(List.of("_http._tcp.example.test"), RecordType.SRV, 0,
        Duration.ofSeconds(30)));
    assertThat(c.mechanism()).isEqualTo("dns");
  }

  @Test
  void registeredAsDnsSdConfigs() {
    SdConfigs.Mechanism m = SdConfigs.of("dns_sd_configs");
    JsonObject raw = (JsonObject) m.schema().get().normalize(Map.of("names", List.of("a.example.test"), "type", "A",
        "port", 80), PATH, new ArrayList<>());
    assertThat(m.parser().parse(raw, PATH, null))
        .isEqualTo(new DnsSdConfig(List.of("a.example.test"), RecordType.A, 80, Duration.ofSeconds(30)));
  }

  @Test
  void typeInAnyCaseWithPortAndInterval() {
    DnsSdConfig c = parse(Map.of("names", List.of("a.example.test", "b.example.test."), "type", "aaaa",
        "port", 9100, "refresh_interval", "1m30s"));
    assertThat(c).isEqualTo(new DnsSdConfig(List.of("a.example.test", "b.example.test."), RecordType.AAAA, 9100,
        Duration.ofSeconds(90)));
    assertThat(parse(Map.of("names", List.of("x"), "type", "Mx", "port", 25)).type()).isEqualTo(RecordType.MX);
    assertThat(parse(Map.of("names", List.of("x"), "type", "SRV", "port", 1)).port()).isEqualTo(1);
  }

  @Test
  void equalEntriesAreEqual() {
    Map<String, Object> yaml = Map.of("names", List.of("a.example.test"), "type", "A", "port", 80);
    assertThat(parse(yaml)).isEqualTo(parse(yaml)).hasSameHashCodeAs(parse(yaml));
    assertThat(parse(yaml)).isNotEqualTo(parse(Map.of("names", List.of("a.example.test"), "type", "A", "port", 81)));
  }

  @Test
  void namesAreRequired() {
    assertThatThrownBy(() -> parse(Map.of("type", "SRV")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".names: DNS-SD config must contain at least one SRV record name");
    assertThatThrownBy(() -> parse(Map.of("names", List.of())))
        .hasMessage(PATH + ".names: DNS-SD config must contain at least one SRV record name");
  }

  @Test
  void unknownTypeIsRejected() {
    assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "type", "TXT", "port", 1)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(PATH + ".type: invalid DNS-SD records type TXT (expected SRV, A, AAAA or MX)");
    assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "type", "")))
        .hasMessageStartingWith(PATH + ".type: invalid DNS-SD records type ");
  }

  @Test
  void portIsRequiredExceptForSrv() {
    for (String type : List.of("A", "AAAA", "MX")) {
      assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "type", type)))
          .isInstanceOf(ConfigException.class)
          .hasMessage(PATH + ".port: a port is required in DNS-SD configs for all record types except SRV");
      assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "type", type, "port", 0)))
          .hasMessage(PATH + ".port: a port is required in DNS-SD configs for all record types except SRV");
    }
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "server", "127.0.0.1")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(PATH + ".server: unknown key");
    assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "refresh_interval", "soon")))
        .hasMessageStartingWith(PATH + ".refresh_interval: expected a duration");
    assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "refresh_interval", "0s")))
        .hasMessage(PATH + ".refresh_interval: must be greater than 0");
    assertThatThrownBy(() -> parse(Map.of("names", List.of("x"), "type", "A", "port", "http")))
        .hasMessageStartingWith(PATH + ".port: expected an integer");
  }
}
