package io.clymene.storage.opentsdb;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One telnet connection to a TSD: writes, the bytes written lately (for a replay after a break), and
 * the error lines the TSD sends. Used on the writer's context only.
 */
final class TelnetConnection {
  private record Written(long nanos, Buffer bytes) {
  }

  private final NetSocket socket;
  private final long windowNanos;
  private final int maxBytes;
  private final ArrayDeque<Written> recent = new ArrayDeque<>();
  private int recentBytes;
  private boolean alive = true;
  private boolean closing;

  TelnetConnection(NetSocket socket, Duration replayWindow, int replayMaxBytes, Consumer<String> answers,
                   BiConsumer<TelnetConnection, Buffer> broken) {
    this.socket = socket;
    this.windowNanos = replayWindow.toNanos();
    this.maxBytes = replayMaxBytes;
    socket.handler(RecordParser.newDelimited("\n", line -> answers.accept(
        line.toString(StandardCharsets.UTF_8).trim())).maxRecordSize(64 * 1024));
    socket.exceptionHandler(err -> socket.close());
    socket.closeHandler(v -> {
      alive = false;
      if (!closing) {
        broken.accept(this, recentBytes());
      }
    });
  }

  boolean alive() {
    return alive;
  }

  /** Writes; completes when the bytes are flushed to the socket, fails when the connection breaks. */
  Future<Void> write(Buffer bytes) {
    if (!alive) {
      return Future.failedFuture("connection closed");
    }
    return socket.write(bytes).onSuccess(v -> remember(bytes)).onFailure(err -> socket.close());
  }

  private void remember(Buffer bytes) {
    long now = System.nanoTime();
    recent.addLast(new Written(now, bytes));
    recentBytes += bytes.length();
    while (!recent.isEmpty() && (now - recent.peekFirst().nanos() > windowNanos || recentBytes > maxBytes)) {
      recentBytes -= recent.pollFirst().bytes().length();
    }
  }

  private Buffer recentBytes() {
    long now = System.nanoTime();
    Buffer out = Buffer.buffer(recentBytes);
    for (Written w : recent) {
      if (now - w.nanos() <= windowNanos) {
        out.appendBuffer(w.bytes());
      }
    }
    recent.clear();
    recentBytes = 0;
    return out;
  }

  Future<Void> close() {
    closing = true;
    return socket.close();
  }
}
