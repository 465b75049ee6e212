package io.clymene.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KafkaEncodingTest {

  @Test
  void configNamesAreTheGoClymenesPlusJsonLines() {
    assertThat(KafkaEncoding.fromConfig("protobuf")).isEqualTo(KafkaEncoding.PROTOBUF);
    assertThat(KafkaEncoding.fromConfig("json")).isEqualTo(KafkaEncoding.JSON);
    assertThat(KafkaEncoding.fromConfig("json-lines")).isEqualTo(KafkaEncoding.JSON_LINES);
    assertThat(KafkaEncoding.JSON_LINES.configName()).isEqualTo("json-lines");
  }

  @Test
  void unknownConfigValueIsRejectedWithTheChoices() {
    assertThatThrownBy(() -> KafkaEncoding.fromConfig("JSON"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown Kafka encoding \"JSON\": expected one of \"protobuf\", \"json\", \"json-lines\"");
    assertThatThrownBy(() -> KafkaEncoding.fromConfig(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headerRoundTrips() {
    assertThat(KafkaEncoding.HEADER).isEqualTo("clymene-encoding");
    for (KafkaEncoding e : KafkaEncoding.values()) {
      assertThat(KafkaEncoding.fromHeader(e.headerBytes())).isEqualTo(e);
      assertThat(new String(e.headerBytes(), StandardCharsets.US_ASCII)).isEqualTo(e.headerValue());
    }
    assertThat(KafkaEncoding.fromHeader(null)).isNull();
    assertThat(KafkaEncoding.fromHeader("avro".getBytes(StandardCharsets.US_ASCII))).isNull();
  }
}
