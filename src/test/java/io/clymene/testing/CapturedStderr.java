package io.clymene.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies what is written to {@code System.err} (where slf4j-simple logs) into memory until closed, so
 * that a test can assert on the log of an in-process Clymene. The output still reaches the console.
 */
public final class CapturedStderr implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private CapturedStderr() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int c) {
        original.write(c);
        synchronized (captured) {
          captured.write(c);
        }
      }

      @Override
      public void write(byte[] buf, int off, int len) {
        original.write(buf, off, len);
        synchronized (captured) {
          captured.write(buf, off, len);
        }
      }

      @Override
      public void flush() throws IOException {
        original.flush();
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** Starts capturing. */
  public static CapturedStderr start() {
    return new CapturedStderr();
  }

  /** Everything captured so far. */
  public String text() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  /** Restores the original {@code System.err}. */
  @Override
  public void close() {
    System.setErr(original);
  }
}
