package io.clymene.storage.prometheus;

import io.clymene.model.MetricMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The remote-write 2.0 {@code Metadata} of the series of one request: type, help and unit symbols,
 * found with the metadata lookup once per metric name and request (by the name's symbol), so neither
 * the lookup nor the {@code String} it needs is on the per-series path. Reusable, not thread-safe.
 */
final class MetadataRefs {
  private final Function<String, MetricMetadata> byFamily;
  private final SymbolTable symbols;
  /**
   * Per symbol used as a metric name in this request: 0 not looked up yet, -1 no metadata, else 1 +
   * the index into {@link #types}, {@link #helps} and {@link #units}.
   */
  private int[] bySymbol = new int[1024];
  private int bySymbolUsed;
  private int[] types = new int[64];
  private int[] helps = new int[64];
  private int[] units = new int[64];
  private int count;

  MetadataRefs(Function<String, MetricMetadata> byFamily, SymbolTable symbols) {
    this.byFamily = byFamily;
    this.symbols = symbols;
  }

  /** Starts a request. */
  void reset() {
    Arrays.fill(bySymbol, 0, bySymbolUsed, 0);
    bySymbolUsed = bySymbol.length; // should this request fail, the next one clears everything
    count = 0;
  }

  /** Ends a request. */
  void done() {
    bySymbolUsed = Math.min(symbols.size(), bySymbol.length);
  }

  /**
   * The metadata of a series' metric name, or -1 when there is none.
   *
   * @param nameSymbol the name's symbol
   * @param d the label bytes holding the name, at {@code off} for {@code len} bytes
   */
  int indexOf(int nameSymbol, byte[] d, int off, int len) {
    if (nameSymbol >= bySymbol.length) {
      bySymbol = Arrays.copyOf(bySymbol, Math.max(nameSymbol + 1, bySymbol.length * 2));
    }
    int state = bySymbol[nameSymbol];
    if (state != 0) {
      return state > 0 ? state - 1 : -1;
    }
    MetricMetadata m = MetricMetadata.forSeries(new String(d, off, len, StandardCharsets.UTF_8), byFamily);
    int index = -1;
    if (m != null) {
      int type = m.type().wireValue();
      int help = symbols.ref(m.help());
      int unit = symbols.ref(m.unit());
      if ((type | help | unit) != 0) {
        if (count == types.length) {
          types = Arrays.copyOf(types, count * 2);
          helps = Arrays.copyOf(helps, count * 2);
          units = Arrays.copyOf(units, count * 2);
        }
        index = count++;
        types[index] = type;
        helps[index] = help;
        units[index] = unit;
      }
    }
    bySymbol[nameSymbol] = index < 0 ? -1 : index + 1;
    return index;
  }

  /** The metric type's wire value of metadata {@code index} (0: unknown). */
  int type(int index) {
    return types[index];
  }

  /** The HELP symbol of metadata {@code index} (0: none). */
  int help(int index) {
    return helps[index];
  }

  /** The unit symbol of metadata {@code index} (0: none). */
  int unit(int index) {
    return units[index];
  }
}
