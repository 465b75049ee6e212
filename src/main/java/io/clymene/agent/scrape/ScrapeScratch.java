package io.clymene.agent.scrape;

import io.clymene.agent.parse.OpenMetricsParser;
import io.clymene.agent.parse.TextParser;
import io.clymene.model.SeriesBatch;

/**
 * Working memory shared by every scrape loop of one agent context: a scrape is parsed and built into a
 * batch in one go on the event loop, so one builder and one parser of each format serve all targets,
 * instead of each target keeping buffers as large as its biggest scrape.
 */
final class ScrapeScratch {
  final SeriesBatch.Builder builder = new SeriesBatch.Builder();
  /** Encodes one new series' final labels at a time, for the series caches to copy. */
  final SeriesBatch.Builder encoder = new SeriesBatch.Builder();
  final TextParser textParser = new TextParser();
  final OpenMetricsParser openMetricsParser = new OpenMetricsParser();
}
