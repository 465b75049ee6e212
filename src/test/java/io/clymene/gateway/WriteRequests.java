package io.clymene.gateway;

import io.clymene.proto.prometheus.Remote.WriteRequest;
import io.clymene.proto.prometheus.Types.Label;
import io.clymene.proto.prometheus.Types.Sample;
import io.clymene.proto.prometheus.Types.TimeSeries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.xerial.snappy.Snappy;

/** Builds remote-write 1.0 requests (with the generated protobuf types) and posts bodies, for gateway tests. */
final class WriteRequests {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();

  private WriteRequests() {
  }

  /** One series per name, {@code samples} samples each at ts0, ts0+1000, ... with value = index. */
  static WriteRequest request(String metric, int series, int samples, long ts0, String... extraLabels) {
    WriteRequest.Builder w = WriteRequest.newBuilder();
    for (int s = 0; s < series; s++) {
      TimeSeries.Builder ts = TimeSeries.newBuilder()
          .addLabels(Label.newBuilder().setName("__name__").setValue(metric))
          .addLabels(Label.newBuilder().setName("series").setValue(Integer.toString(s)));
      for (int i = 0; i + 1 < extraLabels.length; i += 2) {
        ts.addLabels(Label.newBuilder().setName(extraLabels[i]).setValue(extraLabels[i + 1]));
      }
      for (int i = 0; i < samples; i++) {
        ts.addSamples(Sample.newBuilder().setTimestamp(ts0 + i * 1000L).setValue(i));
      }
      w.addTimeseries(ts);
    }
    return w.build();
  }

  /** A series with the given labels in the given order (not sorted, duplicates kept) and one sample. */
  static WriteRequest rawSeries(long ts, String... labels) {
    TimeSeries.Builder t = TimeSeries.newBuilder();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      t.addLabels(Label.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
    }
    t.addSamples(Sample.newBuilder().setTimestamp(ts).setValue(1));
    return WriteRequest.newBuilder().addTimeseries(t).build();
  }

  static byte[] snappy(byte[] b) {
    try {
      return Snappy.compress(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Posts a body with the remote-write 1.0 headers (others may be overridden by {@code headers} pairs). */
  static HttpResponse<String> post(String url, byte[] body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    boolean ct = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      ct |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (!ct) {
      b.header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
          .header("X-Prometheus-Remote-Write-Version", "0.1.0");
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Posts a body with a Content-Type and returns the raw response body. */
  static HttpResponse<byte[]> postForBytes(String url, byte[] body, String contentType) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
          .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Posts a remote-write request. */
  static HttpResponse<String> post(String url, WriteRequest req, String... headers) {
    return post(url, snappy(req.toByteArray()), headers);
  }
}
