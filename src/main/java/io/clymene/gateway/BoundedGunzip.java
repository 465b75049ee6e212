package io.clymene.gateway;

import io.clymene.gateway.decode.DecodeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/** Inflates a gzip body without ever holding more than a limit (a small body may inflate to gigabytes). */
final class BoundedGunzip {
  private BoundedGunzip() {
  }

  /**
   * @throws DecodeException 413 beyond {@code maxBytes}, 400 for a body that is not gzip
   */
  static byte[] gunzip(byte[] body, int maxBytes) throws DecodeException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(1024, body.length * 4)));
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (out.size() + n > maxBytes) {
          throw new DecodeException(DecodeException.PAYLOAD_TOO_LARGE,
              "gzip body inflates beyond the limit of " + maxBytes + " bytes");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(DecodeException.BAD_REQUEST, "bad gzip body: " + e.getMessage());
    }
  }
}
