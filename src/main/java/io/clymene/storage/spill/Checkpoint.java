package io.clymene.storage.spill;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;

/**
 * Where replay resumes: the first record not yet committed, as a segment sequence number and a file
 * offset in it. Stored as 24 bytes ({@code "CLCP"}, sequence, offset, CRC32C) and replaced atomically by
 * writing a temporary file and renaming it over the old one, so a reader sees the old or the new
 * checkpoint, never a mix. A missing or damaged checkpoint means "replay everything", which at worst
 * sends records twice.
 *
 * @param segment sequence number of the segment holding the first uncommitted record
 * @param offset file offset of that record in the segment
 */
record Checkpoint(long segment, long offset) {
  static final String FILE = "checkpoint";
  static final String TEMP = "checkpoint.tmp";
  private static final int MAGIC = 0x50434C43; // "CLCP" in little-endian
  private static final int BYTES = 4 + 8 + 8 + 4;

  /** Reads the checkpoint in {@code dir}; null if there is none or it is damaged. */
  static Checkpoint read(Path dir) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve(FILE));
    } catch (NoSuchFileException e) {
      return null;
    }
    if (bytes.length != BYTES) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != MAGIC || b.getInt(20) != crc(bytes)) {
      return null;
    }
    return new Checkpoint(b.getLong(4), b.getLong(12));
  }

  /** Replaces the checkpoint in {@code dir} with this one (not fsynced: see {@link DiskQueue}). */
  void write(Path dir) throws IOException {
    byte[] bytes = new byte[BYTES];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putLong(segment).putLong(offset);
    b.putInt(crc(bytes));
    Path temp = dir.resolve(TEMP);
    Files.write(temp, bytes);
    Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static int crc(byte[] bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes, 0, 20);
    return (int) c.getValue();
  }
}
