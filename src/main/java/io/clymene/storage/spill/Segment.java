package io.clymene.storage.spill;

import io.clymene.model.SeriesBatch;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One spill file, named by its sequence number: an 8-byte header ({@code "CLSP"}, format version) and
 * framed records (see {@link RecordBuffer}). Keeps an in-memory index of its records (offset, samples,
 * time range) so that reads, commits and drops need no scan. Used by one thread only.
 */
final class Segment {
  static final String SUFFIX = ".seg";
  static final int HEADER_BYTES = 8;
  private static final int MAGIC = 0x50534C43; // "CLSP" in little-endian
  private static final int VERSION = 1;
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class,
      ByteOrder.LITTLE_ENDIAN);

  final long seq;
  final Path path;
  private FileChannel channel;
  private long size;
  private boolean unsynced;
  private int count;
  private long[] offsets = new long[64];
  private int[] samples = new int[64];
  private long[] minTs = new long[64];
  private long[] maxTs = new long[64];

  private Segment(long seq, Path path) {
    this.seq = seq;
    this.path = path;
  }

  static String fileName(long seq) {
    return String.format("%020d%s", seq, SUFFIX);
  }

  /** The sequence number in a segment file name, or -1 if the name is not a segment's. */
  static long parseSeq(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Creates a new empty segment file. */
  static Segment create(Path dir, long seq) throws IOException {
    Segment s = new Segment(seq, dir.resolve(fileName(seq)));
    s.channel = FileChannel.open(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(MAGIC).putInt(VERSION).flip();
    writeFully(s.channel, header, 0);
    s.size = HEADER_BYTES;
    s.unsynced = true;
    return s;
  }

  /**
   * Opens an existing segment, validating every record's checksum; a torn or corrupt record and
   * everything after it is cut off the file (records before it are kept).
   *
   * @return the segment; {@link #cutBytes} says how much was cut
   */
  static Recovered recover(Path path, long seq, Scratch scratch) throws IOException {
    Segment s = new Segment(seq, path);
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    s.channel = ch;
    long fileSize = ch.size();
    byte[] buf = scratch.ensure(HEADER_BYTES);
    if (fileSize < HEADER_BYTES || !readFully(ch, buf, HEADER_BYTES, 0)
        || (int) INTS.get(buf, 0) != MAGIC || (int) INTS.get(buf, 4) != VERSION) {
      // a segment whose header is torn or foreign holds nothing we can trust: cut it all
      s.close();
      return new Recovered(null, fileSize, "bad segment header");
    }
    CRC32C crc = scratch.crc;
    long pos = HEADER_BYTES;
    String problem = null;
    while (pos < fileSize) {
      if (fileSize - pos < RecordBuffer.FRAME_BYTES) {
        problem = "torn record frame";
        break;
      }
      readFully(ch, buf, RecordBuffer.FRAME_BYTES, pos);
      int len = RecordBuffer.payloadLength(buf, 0);
      if (len < SeriesBatchFormat.HEADER_BYTES || len > fileSize - pos - RecordBuffer.FRAME_BYTES) {
        problem = "record length " + Integer.toUnsignedString(len) + " past the end or too small";
        break;
      }
      buf = scratch.ensure(RecordBuffer.FRAME_BYTES + len);
      readFully(ch, buf, RecordBuffer.FRAME_BYTES + len, pos);
      if (RecordBuffer.checksum(crc, buf, 0, len) != RecordBuffer.storedChecksum(buf, 0)) {
        problem = "checksum mismatch";
        break;
      }
      int payload = RecordBuffer.FRAME_BYTES;
      s.index(pos, SeriesBatchFormat.sampleCount(buf, payload), SeriesBatchFormat.minTimestamp(buf, payload),
          SeriesBatchFormat.maxTimestamp(buf, payload));
      pos += RecordBuffer.FRAME_BYTES + len;
    }
    s.size = pos;
    if (pos < fileSize) {
      ch.truncate(pos);
      ch.force(false);
    }
    return new Recovered(s, fileSize - pos, problem);
  }

  /** A recovered segment (null if nothing was usable) and the bytes cut off its tail. */
  record Recovered(Segment segment, long cutBytes, String problem) {
  }

  /** Writes records {@code [from, to)} of {@code records} at the end of this segment in one write. */
  void append(RecordBuffer records, int from, int to) throws IOException {
    int start = records.start(from);
    int end = records.start(to - 1) + records.size(to - 1);
    writeFully(channel(), ByteBuffer.wrap(records.array(), start, end - start), size);
    for (int r = from; r < to; r++) {
      index(size + records.start(r) - start, records.samples(r), records.minTs(r), records.maxTs(r));
    }
    size += end - start;
    unsynced = true;
  }

  /**
   * Reads and decodes records {@code [from, to)} into {@code out}, checking each checksum.
   *
   * @return how many records were decoded; fewer than asked means record {@code from + result} is corrupt
   */
  int read(int from, int to, Scratch scratch, SeriesBatch.Builder builder, List<SeriesBatch> out)
      throws IOException {
    long fileSize = channel().size();
    while (to > from && offset(to) > fileSize) {
      to--; // the file was cut behind our back: what is missing counts as corrupt
    }
    long base = offsets[from];
    int n = (int) (offset(to) - base);
    byte[] buf = scratch.ensure(n);
    if (!readFully(channel(), buf, n, base)) {
      throw new EOFException("spill segment " + path + " is shorter than its index");
    }
    for (int r = from; r < to; r++) {
      int at = (int) (offsets[r] - base);
      int len = RecordBuffer.payloadLength(buf, at);
      if (len != offset(r + 1) - offsets[r] - RecordBuffer.FRAME_BYTES
          || RecordBuffer.checksum(scratch.crc, buf, at, len) != RecordBuffer.storedChecksum(buf, at)) {
        return r - from;
      }
      try {
        out.add(SeriesBatchFormat.decode(buf, at + RecordBuffer.FRAME_BYTES, len, builder));
      } catch (IllegalArgumentException e) {
        return r - from;
      }
    }
    return to - from;
  }

  /** Cuts record {@code record} and all after it off the file. */
  void truncate(int record) throws IOException {
    size = offset(record);
    count = record;
    channel().truncate(size);
    unsynced = true;
  }

  private void index(long offset, int n, long min, long max) {
    if (count == offsets.length) {
      int c = count * 2;
      offsets = Arrays.copyOf(offsets, c);
      samples = Arrays.copyOf(samples, c);
      minTs = Arrays.copyOf(minTs, c);
      maxTs = Arrays.copyOf(maxTs, c);
    }
    offsets[count] = offset;
    samples[count] = n;
    minTs[count] = min;
    maxTs[count] = max;
    count++;
  }

  int count() {
    return count;
  }

  /** Bytes of the file. */
  long size() {
    return size;
  }

  /** File offset of a record; {@link #size()} for {@code count()}. */
  long offset(int record) {
    return record < count ? offsets[record] : size;
  }

  /** The first record at or after a file offset ({@code count()} if none). */
  int recordAt(long offset) {
    int i = Arrays.binarySearch(offsets, 0, count, offset);
    return i >= 0 ? i : -i - 1;
  }

  int samples(int record) {
    return samples[record];
  }

  /** Samples in records {@code [from, to)}. */
  long samples(int from, int to) {
    long n = 0;
    for (int r = from; r < to; r++) {
      n += samples[r];
    }
    return n;
  }

  /** Oldest timestamp of records {@code [from, to)} that have samples, or {@code Long.MAX_VALUE}. */
  long minTs(int from, int to) {
    long min = Long.MAX_VALUE;
    for (int r = from; r < to; r++) {
      if (samples[r] > 0) {
        min = Math.min(min, minTs[r]);
      }
    }
    return min;
  }

  /** Newest timestamp of records {@code [from, to)} that have samples, or {@code Long.MIN_VALUE}. */
  long maxTs(int from, int to) {
    long max = Long.MIN_VALUE;
    for (int r = from; r < to; r++) {
      if (samples[r] > 0) {
        max = Math.max(max, maxTs[r]);
      }
    }
    return max;
  }

  /** Flushes written data to the device if anything was written since the last flush. */
  void force() throws IOException {
    if (unsynced && channel != null) {
      channel.force(false);
    }
    unsynced = false;
  }

  /** Releases the file handle (it is reopened when needed). */
  void close() throws IOException {
    if (channel != null) {
      FileChannel c = channel;
      channel = null;
      c.close();
    }
  }

  void delete() throws IOException {
    close();
    Files.deleteIfExists(path);
  }

  private FileChannel channel() throws IOException {
    if (channel == null) {
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return channel;
  }

  private static void writeFully(FileChannel ch, ByteBuffer src, long position) throws IOException {
    while (src.hasRemaining()) {
      position += ch.write(src, position);
    }
  }

  /** Reads {@code n} bytes at {@code position} into {@code buf}; false at end of file. */
  private static boolean readFully(FileChannel ch, byte[] buf, int n, long position) throws IOException {
    ByteBuffer dst = ByteBuffer.wrap(buf, 0, n);
    while (dst.hasRemaining()) {
      int r = ch.read(dst, position + dst.position());
      if (r < 0) {
        return false;
      }
    }
    return true;
  }

  /** A growable read buffer and checksum shared by the segments of one queue. */
  static final class Scratch {
    final CRC32C crc = new CRC32C();
    private byte[] bytes = new byte[64 * 1024];

    byte[] ensure(int n) {
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, Math.min(Integer.MAX_VALUE - 16, bytes.length * 2))];
      }
      return bytes;
    }

    /** Drops a buffer grown for a rare huge record. */
    void trim() {
      if (bytes.length > 16 << 20) {
        bytes = new byte[64 * 1024];
      }
    }
  }
}
