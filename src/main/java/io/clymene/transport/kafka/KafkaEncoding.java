package io.clymene.transport.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a Kafka record value holds series: the {@code kafka.encoding} config value, also sent as the
 * {@value #HEADER} record header so a consumer can tell records apart when a topic carries more than one.
 *
 * <ul>
 *   <li>{@link #PROTOBUF}: snappy block-compressed Prometheus remote-write 1.0 {@code WriteRequest},
 *       exactly as the Go Clymene writes and reads it ({@code plugin/storage/kafka/marshaller.go}).
 *   <li>{@link #JSON}: the same {@code WriteRequest} in the JSON that the Go Clymene's gogo {@code jsonpb}
 *       marshaller writes (proto3 JSON mapping, int64 timestamps as strings, zero fields omitted).
 *   <li>{@link #JSON_LINES}: one flat JSON object per sample, one per line, for Druid and log tools (Clymene
 *       Java only; the format is described in {@code JsonLinesCodec}).
 * </ul>
 */
public enum KafkaEncoding {
  PROTOBUF("protobuf"),
  JSON("json"),
  JSON_LINES("json-lines");

  /** The name of the record header carrying {@link #headerValue()}. */
  public static final String HEADER = "clymene-encoding";

  private final String name;
  private final byte[] header;

  KafkaEncoding(String name) {
    this.name = name;
    this.header = name.getBytes(StandardCharsets.US_ASCII);
  }

  /** The config and header spelling: {@code protobuf}, {@code json} or {@code json-lines}. */
  public String configName() {
    return name;
  }

  /** The {@value #HEADER} header value, as a string. */
  public String headerValue() {
    return name;
  }

  /** The {@value #HEADER} header value, as bytes (a copy). */
  public byte[] headerBytes() {
    return header.clone();
  }

  /**
   * The encoding a config value names, exactly as spelled by {@link #configName()}.
   *
   * @throws IllegalArgumentException quoting the value and listing the accepted ones
   */
  public static KafkaEncoding fromConfig(String value) {
    for (KafkaEncoding e : values()) {
      if (e.name.equals(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown Kafka encoding \"" + value + "\": expected one of "
        + Arrays.stream(values()).map(e -> "\"" + e.name + "\"").collect(Collectors.joining(", ")));
  }

  /**
   * The encoding a {@value #HEADER} header value names; {@code null} when the header is absent or names no
   * encoding we know (the consumer then falls back to its configured encoding).
   */
  public static KafkaEncoding fromHeader(byte[] value) {
    if (value == null) {
      return null;
    }
    for (KafkaEncoding e : values()) {
      if (Arrays.equals(e.header, value)) {
        return e;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return name;
  }
}
