package io.clymene.gateway.decode;

/**
 * Reads protobuf wire format from a byte range without allocating. Every read checks bounds and throws a
 * 400 {@link DecodeException} naming the byte offset (relative to the start of the whole message) where
 * the input is truncated or malformed. Not thread-safe; {@link #reset} it for each message.
 */
final class WireReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int FIXED32 = 5;

  private byte[] buf;
  /** Offset in {@link #buf} of byte 0 of the message, for error offsets. */
  private int base;
  private int pos;
  private int limit;

  /** Reads {@code [off, off+len)} of {@code buf}; byte offsets in errors count from {@code base}. */
  WireReader reset(byte[] buf, int base, int off, int len) {
    this.buf = buf;
    this.base = base;
    this.pos = off;
    this.limit = off + len;
    return this;
  }

  boolean hasMore() {
    return pos < limit;
  }

  int position() {
    return pos;
  }

  int limit() {
    return limit;
  }

  /** Offset of the current position in the message, for messages. */
  int offset() {
    return pos - base;
  }

  /** Sets the position within the current limit (after reading a sub-message by other means). */
  void seek(int p) {
    pos = p;
  }

  /** Reads a field key; returns {@code fieldNumber << 3 | wireType}. */
  int readTag() throws DecodeException {
    int at = pos;
    long key = readVarint64();
    if (key >>> 32 != 0 || (key >>> 3) == 0) {
      throw malformed(at, "invalid field number " + (key >>> 3));
    }
    int wire = (int) key & 7;
    if (wire == 3 || wire == 4) {
      throw malformed(at, "groups are not supported (field " + (key >>> 3) + ")");
    }
    if (wire > 5) {
      throw malformed(at, "invalid wire type " + wire + " (field " + (key >>> 3) + ")");
    }
    return (int) key;
  }

  long readVarint64() throws DecodeException {
    int at = pos;
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw truncated(at, "varint");
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw malformed(at, "varint longer than 10 bytes");
  }

  /** A varint that must fit an unsigned 32-bit int below 2^31 (lengths, refs). */
  int readVarint31(String what) throws DecodeException {
    int at = pos;
    long v = readVarint64();
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw malformed(at, what + " " + Long.toUnsignedString(v) + " out of range");
    }
    return (int) v;
  }

  long readFixed64() throws DecodeException {
    if (limit - pos < 8) {
      throw truncated(pos, "fixed64");
    }
    long v = 0;
    for (int k = 7; k >= 0; k--) {
      v = (v << 8) | (buf[pos + k] & 0xFF);
    }
    pos += 8;
    return v;
  }

  /**
   * Reads the length of a length-delimited field and checks it fits; returns the length, leaving the
   * position at the field's first byte.
   */
  int readLength() throws DecodeException {
    int at = pos;
    int len = readVarint31("length");
    if (len > limit - pos) {
      throw truncated(at, "length " + len + " runs past the end of its message (" + (limit - pos) + " bytes left)");
    }
    return len;
  }

  /** Skips the value of a field of the given wire type. */
  void skip(int tag) throws DecodeException {
    switch (tag & 7) {
      case VARINT -> readVarint64();
      case FIXED64 -> {
        if (limit - pos < 8) {
          throw truncated(pos, "fixed64");
        }
        pos += 8;
      }
      case LEN -> {
        int len = readLength();
        pos += len;
      }
      case FIXED32 -> {
        if (limit - pos < 4) {
          throw truncated(pos, "fixed32");
        }
        pos += 4;
      }
      default -> throw malformed(pos, "invalid wire type " + (tag & 7));
    }
  }

  /** Fails unless field {@code tag}'s wire type is {@code expected}; {@code at} is the tag's position. */
  void expect(int tag, int expected, String field, int at) throws DecodeException {
    if ((tag & 7) != expected) {
      throw malformed(at, field + " has wire type " + (tag & 7) + ", expected " + expected);
    }
  }

  DecodeException truncated(int at, String what) {
    return new DecodeException(DecodeException.BAD_REQUEST,
        "truncated protobuf at byte " + (at - base) + ": " + what);
  }

  DecodeException malformed(int at, String what) {
    return new DecodeException(DecodeException.BAD_REQUEST,
        "malformed protobuf at byte " + (at - base) + ": " + what);
  }
}
