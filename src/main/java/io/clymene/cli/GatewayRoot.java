package io.clymene.cli;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway. Its receivers are not in this version: only the admin server runs, and says so. */
final class GatewayRoot implements RoleRoot {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRoot.class);
  static final String NOT_YET = "the gateway receivers (gRPC and HTTP) are not available in this version; "
      + "only the admin server runs";

  @Override
  public Future<Void> deploy(RoleContext ctx) {
    ctx.readiness.notReady("gateway", NOT_YET);
    LOG.warn(NOT_YET);
    return Future.succeededFuture();
  }
}
