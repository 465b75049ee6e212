package io.clymene.storage.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.clymene.storage.QueueOptions;
import io.clymene.storage.StorageEntry;
import io.clymene.storage.WriteException;
import io.clymene.storage.WriterContext;
import io.clymene.testing.Await;
import io.clymene.testing.ExternalServer;
import io.clymene.testing.PrometheusApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer against a real Prometheus 2.42 remote-write receiver. 1.0 is written and queryable.
 * Prometheus 2.42 predates remote write 2.0 and ignores Content-Type: it decodes a 2.0 request as an
 * empty 1.0 request and answers 204 without the Written headers, which the writer must report as a
 * receiver that does not support 2.0 rather than as success.
 */
@Timeout(90)
class RemoteWriteReceiverTest {
  private ExternalServer prometheus;
  private Vertx vertx;
  private RemoteWriteWriter writer;

  @BeforeEach
  void setUp() throws Exception {
    prometheus = ExternalServer.prometheusReceiver();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (writer != null) {
      writer.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    prometheus.close();
  }

  @Test
  void v1IsWrittenToARealPrometheus() throws Exception {
    writer = writer(null);
    assertThat(RemoteWriteWriterTest.write(writer, RemoteWriteWriterTest.batch(), vertx)).isNull();
    PrometheusApi api = new PrometheusApi(prometheus.url());
    Double b = Await.until("b{job=\"j\"} in Prometheus", Duration.ofSeconds(20), () -> api.single("b{job=\"j\"}"));
    assertThat(b).isEqualTo(3.0);
    assertThat(api.single("a{job=\"j\"}")).isEqualTo(2.0);
  }

  @Test
  void v2ToAPrometheusThatPredatesItIsReportedAsUnsupported() throws Exception {
    writer = writer("v2");
    Throwable err = RemoteWriteWriterTest.write(writer, RemoteWriteWriterTest.batch(), vertx);
    assertThat(err).isInstanceOf(WriteException.class).hasMessageContaining("probably does not support 2.0");
    assertThat(((WriteException) err).retryable()).isFalse();
  }

  private RemoteWriteWriter writer(String protobufMessage) throws Exception {
    JsonObject json = new JsonObject().put("type", "prometheus").put("url", prometheus.url() + "/api/v1/write");
    if (protobufMessage != null) {
      json.put("protobuf_message", protobufMessage);
    }
    RemoteWriteWriter w = new RemoteWriteWriter(new WriterContext(vertx, new SimpleMeterRegistry(), "test", null),
        StorageEntry.from(json, "storage[0]", "rw", new QueueOptions()));
    w.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return w;
  }
}
