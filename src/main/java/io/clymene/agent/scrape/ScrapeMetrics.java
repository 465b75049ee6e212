package io.clymene.agent.scrape;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The agent's own meters for one job: scrapes by result, samples, scrape durations. */
final class ScrapeMetrics {
  final Counter success;
  final Counter failure;
  final Counter samples;
  final Timer duration;

  ScrapeMetrics(MeterRegistry registry, String job) {
    success = Counter.builder("clymene.scrapes").description("Scrapes by job and result")
        .tag("job", job).tag("result", "success").register(registry);
    failure = Counter.builder("clymene.scrapes").description("Scrapes by job and result")
        .tag("job", job).tag("result", "failure").register(registry);
    samples = Counter.builder("clymene.scrape.samples").description("Samples scraped, by job")
        .tag("job", job).register(registry);
    duration = Timer.builder("clymene.scrape.duration").description("Time taken by scrapes, by job")
        .tag("job", job).register(registry);
  }
}
