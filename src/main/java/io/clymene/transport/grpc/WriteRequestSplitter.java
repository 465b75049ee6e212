package io.clymene.transport.grpc;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an encoded remote-write 1.0 {@code WriteRequest} into messages of at most a given size without
 * decoding it. A {@code WriteRequest} is a sequence of top-level fields ({@code timeseries = 1},
 * {@code metadata = 3}), and any run of whole fields is itself a valid {@code WriteRequest}, so the cut
 * only has to fall between fields. A single field larger than the limit goes alone in a message.
 */
final class WriteRequestSplitter {

  private WriteRequestSplitter() {
  }

  /**
   * Splits {@code encoded} into views of one buffer.
   *
   * @param encoded a valid encoded {@code WriteRequest}
   * @param maxBytes the largest message wanted
   * @return at least one message (an empty request stays one empty message)
   * @throws IllegalArgumentException when the bytes are not a sequence of length-delimited fields
   */
  static List<Buffer> split(byte[] encoded, long maxBytes) {
    Buffer whole = Buffer.buffer(encoded);
    if (encoded.length <= maxBytes) {
      return List.of(whole);
    }
    List<Buffer> out = new ArrayList<>();
    int start = 0;
    int pos = 0;
    while (pos < encoded.length) {
      int end = fieldEnd(encoded, pos);
      if (end - start > maxBytes && pos > start) {
        out.add(whole.slice(start, pos));
        start = pos;
      }
      pos = end;
    }
    out.add(whole.slice(start, pos));
    return out;
  }

  /** The end of the length-delimited field starting at {@code pos}. */
  private static int fieldEnd(byte[] b, int pos) {
    long tag = 0;
    int shift = 0;
    int p = pos;
    while (true) {
      if (p >= b.length || shift > 28) {
        throw new IllegalArgumentException("truncated field tag at byte " + pos);
      }
      byte x = b[p++];
      tag |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        break;
      }
      shift += 7;
    }
    if ((tag & 7) != 2) {
      throw new IllegalArgumentException("expected a length-delimited field at byte " + pos + ", got wire type "
          + (tag & 7));
    }
    long len = 0;
    shift = 0;
    while (true) {
      if (p >= b.length || shift > 28) {
        throw new IllegalArgumentException("truncated field length at byte " + pos);
      }
      byte x = b[p++];
      len |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        break;
      }
      shift += 7;
    }
    long end = p + len;
    if (end > b.length) {
      throw new IllegalArgumentException("field at byte " + pos + " runs past the end");
    }
    return (int) end;
  }
}
