package io.clymene.ingester;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The ingester's meters ({@code clymene_ingester_*} on {@code /metrics}). */
final class IngesterMetrics {
  final MeterRegistry registry;
  final Counter recordsOk;
  final Counter recordsDeadLetter;
  final Counter deadLetterFailures;
  final Counter samples;
  final Counter commitsOk;
  final Counter commitsFailed;
  final Counter rewinds;
  final AtomicInteger paused = new AtomicInteger();

  IngesterMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.recordsOk = records("ok");
    this.recordsDeadLetter = records("dead_letter");
    this.deadLetterFailures = Counter.builder("clymene.ingester.dead.letter.failures")
        .description("Undecodable records that could not be written to the dead-letter topic either (logged)")
        .register(registry);
    this.samples = Counter.builder("clymene.ingester.samples")
        .description("Samples the ingester consumed and gave to the writers").register(registry);
    this.commitsOk = commits("ok");
    this.commitsFailed = commits("failed");
    this.rewinds = Counter.builder("clymene.ingester.rewinds")
        .description("Times a partition was read again from its last safe offset because a writer lost data")
        .register(registry);
    Gauge.builder("clymene.ingester.paused.partitions", paused, AtomicInteger::get)
        .description("Partitions paused because the writers have no room").register(registry);
  }

  private Counter records(String status) {
    return Counter.builder("clymene.ingester.records").description("Kafka records consumed, by outcome")
        .tag("status", status).register(registry);
  }

  private Counter commits(String result) {
    return Counter.builder("clymene.ingester.commits").description("Offset commits, by result")
        .tag("result", result).register(registry);
  }
}
