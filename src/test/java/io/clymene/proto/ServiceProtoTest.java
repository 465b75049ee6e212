package io.clymene.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import io.clymene.proto.prometheus.ServiceProto;
import org.junit.jupiter.api.Test;

/**
 * The gateway's gRPC contract keeps the Go Clymene's names on the wire (prompb/service.proto: package
 * {@code prometheus}, {@code ClymeneService.RequestMetrics(WriteRequest) returns (MetricsResponse)}), so
 * Go agents can call a Clymene gateway; the streaming call is an addition.
 */
class ServiceProtoTest {

  @Test
  void methodNamesAndMessagesMatchTheGoClymene() {
    Descriptors.ServiceDescriptor service = ServiceProto.getDescriptor().findServiceByName("ClymeneService");
    assertThat(service.getFullName()).isEqualTo("prometheus.ClymeneService");
    Descriptors.MethodDescriptor unary = service.findMethodByName("RequestMetrics");
    assertThat(unary.getInputType().getFullName()).isEqualTo("prometheus.WriteRequest");
    assertThat(unary.getOutputType().getFullName()).isEqualTo("prometheus.MetricsResponse");
    assertThat(unary.isClientStreaming()).isFalse();
    assertThat(unary.getOutputType().getFields()).isEmpty();
    Descriptors.MethodDescriptor stream = service.findMethodByName("StreamMetrics");
    assertThat(stream.isClientStreaming()).isTrue();
    assertThat(stream.isServerStreaming()).isFalse();
    // the request is the remote-write 1.0 message: timeseries = 1, metadata = 3
    assertThat(unary.getInputType().findFieldByNumber(1).getName()).isEqualTo("timeseries");
    assertThat(unary.getInputType().findFieldByNumber(3).getName()).isEqualTo("metadata");
  }
}
