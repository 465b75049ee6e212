package io.clymene.storage.spill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/** The meters of one writer's spill queue. */
final class SpillMetrics {
  final Counter written;
  final Counter replayed;
  final Counter truncatedBytes;
  final Counter droppedFull;
  final Counter droppedCorrupt;
  private final MeterRegistry registry;
  private final String writer;
  private final List<Gauge> gauges = new ArrayList<>();

  SpillMetrics(MeterRegistry registry, String writer) {
    this.registry = registry;
    this.writer = writer;
    this.written = counter("clymene.writer.spill.written.samples", "Samples a writer spilled to disk");
    this.replayed = counter("clymene.writer.spill.replayed.samples",
        "Samples a writer read back from disk and delivered (committed)");
    this.truncatedBytes = counter("clymene.writer.spill.truncated.bytes",
        "Bytes of torn or corrupt spill records cut off when a writer's spill queue was opened");
    this.droppedFull = dropped("spill_full");
    this.droppedCorrupt = dropped("spill_corrupt");
  }

  /**
   * Registers the bytes and samples gauges. Called once the directory is the queue's: a failed open must
   * not take over (and then remove) the gauges of the queue that holds it.
   */
  void registerGauges(DiskQueue queue) {
    gauges.add(Gauge.builder("clymene.writer.spill.bytes", queue, DiskQueue::bytes)
        .description("Bytes of a writer's spill files not yet committed").tag("writer", writer)
        .register(registry));
    gauges.add(Gauge.builder("clymene.writer.spill.samples", queue, DiskQueue::samples)
        .description("Samples in a writer's spill files not yet committed").tag("writer", writer)
        .register(registry));
  }

  /** Removes the gauges, so that a queue reopened later registers its own. */
  void removeGauges() {
    gauges.forEach(registry::remove);
    gauges.clear();
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).tag("writer", writer).register(registry);
  }

  /** The meter WriterQueue counts its drops in, with the spill's reasons. */
  private Counter dropped(String reason) {
    return Counter.builder("clymene.dropped.samples").description("Samples dropped, by writer and reason")
        .tag("writer", writer).tag("reason", reason).register(registry);
  }
}
