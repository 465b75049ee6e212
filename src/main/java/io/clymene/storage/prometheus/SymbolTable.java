package io.clymene.storage.prometheus;

import io.clymene.model.Bytes;
import io.clymene.model.Varint;
import java.util.Arrays;

/**
 * The symbols of one remote-write 2.0 request: deduplicated strings numbered in order of first use,
 * symbol 0 being the empty string. Strings are looked up as byte ranges, so the label bytes of a batch
 * are symbolized without creating a {@code String}; each new symbol is appended at once to the encoded
 * {@code repeated string symbols = 4} field. Reusable, not thread-safe.
 */
final class SymbolTable {
  /** Request.symbols = 4, length-delimited. */
  private static final byte SYMBOLS_TAG = 0x22;

  private final ByteRangeTable table = new ByteRangeTable();
  private byte[] encoded = new byte[16 * 1024];
  private int encodedLength;
  private byte[] scratch = new byte[256];

  SymbolTable() {
    reset();
  }

  /** Forgets every symbol but the empty string (symbol 0). */
  void reset() {
    table.clear();
    encodedLength = 0;
    ref(scratch, 0, 0);
  }

  /** The symbol of {@code len} UTF-8 bytes at {@code off}, added if new. */
  int ref(byte[] buf, int off, int len) {
    int i = table.indexOrAdd(buf, off, len);
    if (i >= 0) {
      return i;
    }
    int need = encodedLength + 1 + Varint.size(len) + len;
    if (need > encoded.length) {
      encoded = Arrays.copyOf(encoded, Math.max(need, encoded.length * 2));
    }
    int pos = encodedLength;
    encoded[pos++] = SYMBOLS_TAG;
    pos = Varint.write(encoded, pos, len);
    System.arraycopy(buf, off, encoded, pos, len);
    encodedLength = pos + len;
    return -1 - i;
  }

  /** The symbol of a string, added if new ({@code ""} is always 0). */
  int ref(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    int max = s.length() * 3;
    if (max > scratch.length) {
      scratch = new byte[Math.max(max, scratch.length * 2)];
    }
    int n = Bytes.writeUtf8(s, scratch, 0);
    return ref(scratch, 0, n);
  }

  /** Number of symbols, the empty string included. */
  int size() {
    return table.size();
  }

  /** The encoded symbols field: {@code 0x22 len bytes} per symbol, in symbol order. */
  byte[] encoded() {
    return encoded;
  }

  /** The length of the encoded symbols field in {@link #encoded()}. */
  int encodedLength() {
    return encodedLength;
  }
}
