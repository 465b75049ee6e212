package io.clymene.gateway.decode;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Inflates gzip bodies into a reused buffer, stopping as soon as the output would pass a limit, so a small
 * body that inflates to gigabytes (a gzip bomb) costs at most the limit. Concatenated gzip members are
 * read as one stream, as Go's reader does. Not thread-safe.
 */
public final class GzipInflater {
  private static final int INITIAL = 64 * 1024;

  private final int limit;
  private byte[] buffer = new byte[0];

  /** @param limit the most bytes a body may inflate to */
  public GzipInflater(int limit) {
    this.limit = limit;
  }

  /** The buffer the last {@link #inflate} wrote to, from offset 0; valid until the next call. */
  public byte[] buffer() {
    return buffer;
  }

  /**
   * Inflates {@code body} into {@link #buffer()}.
   *
   * @return the number of bytes inflated
   * @throws DecodeException 413 if they would be more than the limit, 400 if the body is not valid gzip
   */
  public int inflate(byte[] body) throws DecodeException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      int n = 0;
      while (true) {
        if (n == buffer.length) {
          if (n >= limit) {
            if (in.read() >= 0) {
              throw new DecodeException(DecodeException.PAYLOAD_TOO_LARGE,
                  "gzip body inflates to more than the limit of " + limit + " bytes");
            }
            return n;
          }
          buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(INITIAL, 2L * n)));
        }
        int r = in.read(buffer, n, buffer.length - n);
        if (r < 0) {
          return n;
        }
        n += r;
      }
    } catch (EOFException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST,
          "bad gzip: unexpected end of the " + body.length + "-byte body");
    } catch (IOException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST, "bad gzip: " + e.getMessage());
    }
  }
}
