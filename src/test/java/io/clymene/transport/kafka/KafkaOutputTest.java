package io.clymene.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.cli.CommandLine;
import io.clymene.cli.Launcher;
import io.clymene.model.SeriesBatch;
import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.proto.prometheus.Types.Label;
import io.clymene.proto.prometheus.Types.Sample;
import io.clymene.proto.prometheus.Types.TimeSeries;
import io.clymene.testing.Await;
import io.clymene.testing.CounterTarget;
import io.clymene.testing.KafkaBroker;
import io.clymene.testing.Ports;
import io.clymene.testing.TempDirs;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xerial.snappy.Snappy;

/**
 * {@code agent.output: kafka} and {@code gateway.output: kafka}: the role's only writer is a {@code kafka}
 * writer built from the top-level {@code kafka} section, and what the agent scrapes or the gateway receives
 * lands in the topic, decodable, with the encoding header.
 */
@Timeout(180)
class KafkaOutputTest {
  static KafkaBroker broker;
  static Vertx vertx;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("kafka-output-");
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    if (broker != null) {
      broker.close();
    }
    TempDirs.delete(dir);
  }

  private static Set<String> namesIn(String topic, KafkaEncoding encoding) throws Exception {
    Set<String> names = new HashSet<>();
    KafkaRecordDecoder decoder = new KafkaRecordDecoder(encoding);
    for (ConsumerRecord<byte[], byte[]> r : broker.records(topic)) {
      assertThat(new String(r.headers().lastHeader(KafkaEncoding.HEADER).value())).isEqualTo(encoding.headerValue());
      SeriesBatch b = decoder.decode(r.value());
      for (int i = 0; i < b.size(); i++) {
        names.add(b.metricName(i));
      }
    }
    return names;
  }

  @Test
  void theAgentWritesWhatItScrapesToKafka() throws Exception {
    broker.createTopic("agent-out", 2);
    CounterTarget target = CounterTarget.start(vertx, "to_kafka_total", 5);
    Path prom = dir.resolve("prometheus.yml");
    Files.writeString(prom, "global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: k\n"
        + "    static_configs: [{targets: ['" + target.address() + "']}]\n");
    Launcher agent = Launcher.create(CommandLine.parse("--role", "agent", "--config.file", prom.toString(),
        "--admin.host=127.0.0.1", "--admin.port=0", "--data_dir=" + dir.resolve("agent-data"),
        "--agent.output=kafka", "--kafka.brokers=" + broker.bootstrapServers(), "--kafka.topic=agent-out",
        "--kafka.encoding=json"));
    try {
      agent.start(Map.of()).toCompletionStage().toCompletableFuture().get();
      Await.until("scraped series in the topic", Duration.ofSeconds(60),
          () -> {
            try {
              return namesIn("agent-out", KafkaEncoding.JSON).containsAll(Set.of("to_kafka_total", "up")) ? true : null;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    } finally {
      agent.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void theGatewayForwardsWhatItReceivesToKafka() throws Exception {
    broker.createTopic("gateway-out", 2);
    int http = Ports.free();
    Launcher gateway = Launcher.create(CommandLine.parse("--role", "gateway", "--admin.host=127.0.0.1",
        "--admin.port=0", "--data_dir=" + dir.resolve("gateway-data"), "--gateway.output=kafka",
        "--gateway.grpc.host=127.0.0.1", "--gateway.grpc.port=" + Ports.free(), "--gateway.http.host=127.0.0.1",
        "--gateway.http.port=" + http, "--kafka.brokers=" + broker.bootstrapServers(), "--kafka.topic=gateway-out"));
    try {
      gateway.start(Map.of()).toCompletionStage().toCompletableFuture().get();
      WriteRequest req = WriteRequest.newBuilder().addTimeseries(TimeSeries.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue("via_gateway"))
          .addLabels(Label.newBuilder().setName("job").setValue("j"))
          .addSamples(Sample.newBuilder().setTimestamp(System.currentTimeMillis()).setValue(7))).build();
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + http + "/api/v1/write"))
          .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(req.toByteArray()))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
      Await.until("the received series in the topic", Duration.ofSeconds(60), () -> {
        try {
          return namesIn("gateway-out", KafkaEncoding.PROTOBUF).contains("via_gateway") ? true : null;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    } finally {
      gateway.stop(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
    }
  }
}
