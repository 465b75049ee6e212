package io.clymene.agent.scrape;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The agent's own meters for one job: scrapes by result, samples, durations, samples dropped. */
final class ScrapeMetrics {
  final Counter success;
  final Counter failure;
  final Counter samples;
  final Timer duration;
  final Counter outOfOrder;
  final Counter outOfBounds;

  ScrapeMetrics(MeterRegistry registry, String job) {
    success = Counter.builder("clymene.scrapes").description("Scrapes by job and result")
        .tag("job", job).tag("result", "success").register(registry);
    failure = Counter.builder("clymene.scrapes").description("Scrapes by job and result")
        .tag("job", job).tag("result", "failure").register(registry);
    samples = Counter.builder("clymene.scrape.samples").description("Samples scraped, by job")
        .tag("job", job).register(registry);
    duration = Timer.builder("clymene.scrape.duration").description("Time taken by scrapes, by job")
        .tag("job", job).register(registry);
    outOfOrder = Counter.builder("clymene.scrape.samples.dropped")
        .description("Scraped samples not forwarded, by job and reason").tag("job", job)
        .tag("reason", "out_of_order").register(registry);
    outOfBounds = Counter.builder("clymene.scrape.samples.dropped")
        .description("Scraped samples not forwarded, by job and reason").tag("job", job)
        .tag("reason", "too_far_in_future").register(registry);
  }
}
