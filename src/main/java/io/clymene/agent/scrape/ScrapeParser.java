package io.clymene.agent.scrape;

import io.clymene.agent.parse.ParseException;
import io.clymene.model.Labels;
import io.clymene.model.SeriesBatch;

/**
 * One target's scrape bodies turned into batches, without the HTTP part: the parser its content type
 * calls for, the target's series cache, labels, relabeling, limits and staleness, and the report series.
 * Used by benchmarks and tests; the scrape loop does the same around its HTTP requests. Not
 * thread-safe.
 */
public final class ScrapeParser {
  private final ScrapeScratch scratch = new ScrapeScratch();
  private final ScrapeAppender appender;

  public ScrapeParser(ScrapeTarget target, Labels externalLabels) {
    this.appender = new ScrapeAppender(scratch.builder, scratch.encoder, target, externalLabels);
  }

  /**
   * Parses one body scraped at {@code timeMillis} into a batch.
   *
   * @throws ParseException when the body is invalid or a limit is exceeded (the batch is then lost, as in
   *     Prometheus)
   */
  public SeriesBatch parse(byte[] body, int off, int len, String contentType, long timeMillis)
      throws ParseException {
    parseInto(body, off, len, contentType, timeMillis);
    return scratch.builder.build();
  }

  /**
   * Parses one body into the shared builder without building a batch (for benchmarks of the parsing
   * itself); returns the number of series added.
   */
  public int parseInto(byte[] body, int off, int len, String contentType, long timeMillis) throws ParseException {
    scratch.builder.reset();
    appender.begin(timeMillis);
    boolean openMetrics = contentType != null && contentType.startsWith("application/openmetrics-text");
    String problem;
    try {
      (openMetrics ? scratch.openMetricsParser : scratch.textParser).parse(body, off, len, appender);
      problem = appender.finish();
    } catch (ParseException e) {
      scratch.builder.reset();
      throw e;
    }
    if (problem != null) {
      scratch.builder.reset();
      throw new ParseException(problem);
    }
    return scratch.builder.seriesCount();
  }

  /**
   * The empty append that follows a failed scrape: stale markers for the series of the previous scrape
   * that the failed one did not reach.
   */
  public SeriesBatch failed(long timeMillis) {
    scratch.builder.reset();
    appender.failed(timeMillis);
    return scratch.builder.build();
  }

  /** Stale markers for every series and the report series, as when the target goes away. */
  public SeriesBatch endOfRun(long timeMillis) {
    scratch.builder.reset();
    appender.endOfRun(timeMillis);
    return scratch.builder.build();
  }

  /** The last append's counts: samples scraped, after relabeling, and new series. */
  public int[] counts() {
    return new int[]{appender.total(), appender.added(), appender.seriesAdded()};
  }

  /** Series the target's cache holds. */
  public int cachedSeries() {
    return appender.cachedSeries();
  }

  /** Bytes the target's cache holds. */
  public long cacheBytes() {
    return appender.cacheBytes();
  }
}
