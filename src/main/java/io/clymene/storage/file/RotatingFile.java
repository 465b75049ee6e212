package io.clymene.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file of newline-terminated lines that never grows past {@code maxBytes} (unless one line is longer):
 * before an append would pass it, the file is synced and closed, {@code path.1 .. path.(maxFiles-2)}
 * move up by one, {@code path} becomes {@code path.1} and the oldest is dropped, so at most
 * {@code maxFiles} files exist. Appends to what is there on open (a restart continues the file). Blocking:
 * call it from one worker thread only.
 */
final class RotatingFile {
  private final Path path;
  private final long maxBytes;
  private final int maxFiles;
  private FileChannel channel;
  private long size;

  RotatingFile(Path path, long maxBytes, int maxFiles) {
    this.path = path;
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
  }

  Path path() {
    return path;
  }

  /** Opens (creating the directory and file if needed) for appending. */
  void open() throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    size = channel.size();
  }

  /** Appends whole lines, rotating at line boundaries so that no file passes {@code maxBytes}. */
  void append(byte[] lines) throws IOException {
    if (channel == null) {
      open(); // a rotation that failed half-way left it closed
    }
    int off = 0;
    while (off < lines.length) {
      long space = maxBytes - size;
      int rest = lines.length - off;
      if (rest <= space) {
        write(lines, off, rest);
        return;
      }
      int end = lastLineEnd(lines, off, (int) Math.max(0, space));
      if (end > off) {
        write(lines, off, end - off);
        off = end;
      } else if (size == 0) {
        end = nextLineEnd(lines, off); // one line longer than max_bytes: it gets a file of its own
        write(lines, off, end - off);
        off = end;
      }
      if (off < lines.length) {
        rotate();
      }
    }
  }

  /** Syncs and closes. */
  void close() throws IOException {
    if (channel != null) {
      channel.force(true);
      channel.close();
      channel = null;
    }
  }

  private void write(byte[] b, int off, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    size += len;
  }

  private void rotate() throws IOException {
    close();
    if (maxFiles == 1) {
      Files.delete(path);
    } else {
      Files.deleteIfExists(numbered(maxFiles - 1));
      for (int i = maxFiles - 2; i >= 1; i--) {
        if (Files.exists(numbered(i))) {
          Files.move(numbered(i), numbered(i + 1), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Files.move(path, numbered(1), StandardCopyOption.ATOMIC_MOVE);
    }
    open();
  }

  private Path numbered(int i) {
    return path.resolveSibling(path.getFileName() + "." + i);
  }

  /** The end (after the newline) of the last line that fits in {@code space} bytes from {@code off}, or off. */
  private static int lastLineEnd(byte[] b, int off, int space) {
    for (int i = Math.min(b.length, off + space) - 1; i >= off; i--) {
      if (b[i] == '\n') {
        return i + 1;
      }
    }
    return off;
  }

  private static int nextLineEnd(byte[] b, int off) {
    for (int i = off; i < b.length; i++) {
      if (b[i] == '\n') {
        return i + 1;
      }
    }
    return b.length;
  }
}
