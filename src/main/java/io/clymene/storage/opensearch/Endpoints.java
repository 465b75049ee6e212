package io.clymene.storage.opensearch;

import java.net.URI;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The nodes of {@code urls}, taken round robin. A node whose request just failed (network error or 5xx)
 * is skipped for {@link #DOWN_FOR} while another is up; when every node is down the one that went down
 * first is tried, so a write never waits for a node to come back. Used on the writer's context only;
 * the clock is injected for tests.
 */
final class Endpoints {
  static final long DOWN_FOR_NANOS = 10_000_000_000L;

  private final List<URI> urls;
  private final long[] downSince;
  private final boolean[] down;
  private final LongSupplier nanoClock;
  private int cursor;

  Endpoints(List<URI> urls, LongSupplier nanoClock) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no urls");
    }
    this.urls = List.copyOf(urls);
    this.downSince = new long[urls.size()];
    this.down = new boolean[urls.size()];
    this.nanoClock = nanoClock;
  }

  /** The node for the next request. */
  URI next() {
    long now = nanoClock.getAsLong();
    int n = urls.size();
    int oldest = -1;
    for (int k = 0; k < n; k++) {
      int i = (cursor + k) % n;
      if (down[i] && now - downSince[i] >= DOWN_FOR_NANOS) {
        down[i] = false; // its time out is over: try it again
      }
      if (!down[i]) {
        cursor = (i + 1) % n;
        return urls.get(i);
      }
      if (oldest < 0 || downSince[i] - downSince[oldest] < 0) {
        oldest = i;
      }
    }
    cursor = (oldest + 1) % n;
    return urls.get(oldest);
  }

  /** A request to {@code url} failed in a way another node may not (network, 5xx). */
  void failed(URI url) {
    int i = urls.indexOf(url);
    if (i >= 0 && !down[i]) {
      down[i] = true;
      downSince[i] = nanoClock.getAsLong();
    }
  }

  /** A request to {@code url} got an answer. */
  void succeeded(URI url) {
    int i = urls.indexOf(url);
    if (i >= 0) {
      down[i] = false;
    }
  }

  List<URI> all() {
    return urls;
  }
}
