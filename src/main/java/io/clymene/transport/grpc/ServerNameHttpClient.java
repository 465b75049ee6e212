package io.clymene.transport.grpc;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP client that connects to each request's server address but presents another host name: in
 * TLS (SNI and the certificate's host name check) and as the {@code :authority}, as grpc-go's
 * {@code tls.server_name} does. The gRPC client only gives the server address, so the name is set here.
 */
final class ServerNameHttpClient implements HttpClient {
  private final HttpClient delegate;
  private final String serverName;

  ServerNameHttpClient(HttpClient delegate, String serverName) {
    this.delegate = delegate;
    this.serverName = serverName;
  }

  @Override
  public Future<HttpClientRequest> request(RequestOptions options) {
    if (options.getHost() == null) {
      options.setHost(serverName);
    }
    return delegate.request(options);
  }

  @Override
  public Future<Void> shutdown(long timeout, TimeUnit unit) {
    return delegate.shutdown(timeout, unit);
  }
}
