package io.clymene.transport.grpc;

import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;

/**
 * A failed call to one gateway: a gRPC status with the gateway's message, or a connection error (no
 * status). {@link #kind()} says what the writer does about it. No stack trace: it is an answer, not a fault.
 */
final class GatewayCallException extends RuntimeException {

  /** What a failure means for the endpoint and the write. */
  enum Kind {
    /** The gateway is unreachable, gone or too slow: mark it down and fail over. */
    DOWN,
    /** A server-side error: fail over (the endpoint stays up), the write is retryable. */
    RETRY,
    /** The gateway is full: back off, no failover (gateways share their downstream). */
    THROTTLED,
    /** The data or the credentials were refused: sending again cannot help. */
    REJECTED
  }

  private final GrpcStatus status;
  private final String statusMessage;
  private final Duration retryAfter;

  GatewayCallException(GrpcStatus status, String statusMessage, Duration retryAfter, Throwable cause) {
    super(describe(status, statusMessage, cause), cause, false, false);
    this.status = status;
    this.statusMessage = statusMessage;
    this.retryAfter = retryAfter;
  }

  /** The failure behind a call's failed future. */
  static GatewayCallException of(Throwable err) {
    if (err instanceof GatewayCallException g) {
      return g;
    }
    if (err instanceof GrpcErrorException g) {
      return new GatewayCallException(g.status(), "stream reset", null, err);
    }
    if (err instanceof InvalidStatusException s) {
      return new GatewayCallException(s.actualStatus(), null, null, err);
    }
    return new GatewayCallException(null, null, null, err);
  }

  /** The status, or null for a connection error. */
  GrpcStatus status() {
    return status;
  }

  /** The gateway's {@code grpc-message}, or null. */
  String statusMessage() {
    return statusMessage;
  }

  /** The {@code retry-after} the gateway sent with RESOURCE_EXHAUSTED, or null. */
  Duration retryAfter() {
    return retryAfter;
  }

  /** The label of the {@code status} tag of call metrics. */
  String statusName() {
    return status == null ? "CONNECTION_ERROR" : status.name();
  }

  Kind kind() {
    if (status == null) {
      return Kind.DOWN;
    }
    return switch (status) {
      case UNAVAILABLE, DEADLINE_EXCEEDED -> Kind.DOWN;
      case RESOURCE_EXHAUSTED -> Kind.THROTTLED;
      case INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED, NOT_FOUND, FAILED_PRECONDITION,
          OUT_OF_RANGE, ALREADY_EXISTS -> Kind.REJECTED;
      default -> Kind.RETRY; // INTERNAL, UNKNOWN, CANCELLED, ABORTED, DATA_LOSS (and OK never fails)
    };
  }

  private static String describe(GrpcStatus status, String message, Throwable cause) {
    if (status == null) {
      String text = cause == null ? "unknown error" : cause.getMessage() != null ? cause.getMessage()
          : cause.getClass().getSimpleName();
      return "connection error: " + text;
    }
    return message == null || message.isEmpty() ? status.name() : status.name() + ": " + message;
  }
}
