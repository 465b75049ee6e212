package io.clymene.storage;

import io.clymene.config.Durations;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * How a writer's queue batches, bounds and retries, with Prometheus' {@code queue_config} names.
 * Mutable builder-style options (Vert.x habit): copy constructor, JSON overlay, fluent setters.
 */
public final class QueueOptions {
  /** Samples buffered per shard; the queue holds at most {@code capacity * max_shards} samples. */
  public static final int DEFAULT_CAPACITY = 20_000;
  /** The disk queue's default bound; 0 turns the disk queue off. */
  public static final long DEFAULT_SPILL_MAX_BYTES = 1L << 30;
  public static final int DEFAULT_MAX_SAMPLES_PER_SEND = 2_000;
  public static final Duration DEFAULT_BATCH_SEND_DEADLINE = Duration.ofSeconds(5);
  public static final int DEFAULT_MIN_SHARDS = 1;
  public static final int DEFAULT_MAX_SHARDS = 50;
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(30);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  public static final boolean DEFAULT_RETRY_ON_HTTP_429 = true;

  private int capacity = DEFAULT_CAPACITY;
  private int maxSamplesPerSend = DEFAULT_MAX_SAMPLES_PER_SEND;
  private Duration batchSendDeadline = DEFAULT_BATCH_SEND_DEADLINE;
  private int minShards = DEFAULT_MIN_SHARDS;
  private int maxShards = DEFAULT_MAX_SHARDS;
  private Duration minBackoff = DEFAULT_MIN_BACKOFF;
  private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  private boolean retryOnHttp429 = DEFAULT_RETRY_ON_HTTP_429;
  private String spillDir;
  private long spillMaxBytes = DEFAULT_SPILL_MAX_BYTES;

  public QueueOptions() {
  }

  public QueueOptions(QueueOptions other) {
    capacity = other.capacity;
    maxSamplesPerSend = other.maxSamplesPerSend;
    batchSendDeadline = other.batchSendDeadline;
    minShards = other.minShards;
    maxShards = other.maxShards;
    minBackoff = other.minBackoff;
    maxBackoff = other.maxBackoff;
    retryOnHttp429 = other.retryOnHttp429;
    spillDir = other.spillDir;
    spillMaxBytes = other.spillMaxBytes;
  }

  /** These options with the keys present in a normalized {@code queue} section applied. */
  public QueueOptions apply(JsonObject json) {
    QueueOptions o = new QueueOptions(this);
    if (json == null) {
      return o;
    }
    if (json.containsKey("capacity")) {
      o.capacity = json.getLong("capacity").intValue();
    }
    if (json.containsKey("max_samples_per_send")) {
      o.maxSamplesPerSend = json.getLong("max_samples_per_send").intValue();
    }
    if (json.containsKey("batch_send_deadline")) {
      o.batchSendDeadline = Durations.parse(json.getString("batch_send_deadline"));
    }
    if (json.containsKey("min_shards")) {
      o.minShards = json.getLong("min_shards").intValue();
    }
    if (json.containsKey("max_shards")) {
      o.maxShards = json.getLong("max_shards").intValue();
    }
    if (json.containsKey("min_backoff")) {
      o.minBackoff = Durations.parse(json.getString("min_backoff"));
    }
    if (json.containsKey("max_backoff")) {
      o.maxBackoff = Durations.parse(json.getString("max_backoff"));
    }
    if (json.containsKey("retry_on_http_429")) {
      o.retryOnHttp429 = json.getBoolean("retry_on_http_429");
    }
    if (json.containsKey("spill_dir")) {
      o.spillDir = json.getString("spill_dir");
    }
    if (json.containsKey("spill_max_bytes")) {
      o.spillMaxBytes = json.getLong("spill_max_bytes");
    }
    return o;
  }

  public int capacity() {
    return capacity;
  }

  public QueueOptions setCapacity(int capacity) {
    this.capacity = capacity;
    return this;
  }

  public int maxSamplesPerSend() {
    return maxSamplesPerSend;
  }

  public QueueOptions setMaxSamplesPerSend(int maxSamplesPerSend) {
    this.maxSamplesPerSend = maxSamplesPerSend;
    return this;
  }

  public Duration batchSendDeadline() {
    return batchSendDeadline;
  }

  public QueueOptions setBatchSendDeadline(Duration batchSendDeadline) {
    this.batchSendDeadline = batchSendDeadline;
    return this;
  }

  public int minShards() {
    return minShards;
  }

  public QueueOptions setMinShards(int minShards) {
    this.minShards = minShards;
    return this;
  }

  public int maxShards() {
    return maxShards;
  }

  public QueueOptions setMaxShards(int maxShards) {
    this.maxShards = maxShards;
    return this;
  }

  public Duration minBackoff() {
    return minBackoff;
  }

  public QueueOptions setMinBackoff(Duration minBackoff) {
    this.minBackoff = minBackoff;
    return this;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public QueueOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = maxBackoff;
    return this;
  }

  public boolean retryOnHttp429() {
    return retryOnHttp429;
  }

  public QueueOptions setRetryOnHttp429(boolean retryOnHttp429) {
    this.retryOnHttp429 = retryOnHttp429;
    return this;
  }

  /** Where the queue spills when sends fail or memory is full, or null for {@code <data_dir>/spill/<name>}. */
  public String spillDir() {
    return spillDir;
  }

  /** The disk queue's bound in bytes; 0 when there is no disk queue. */
  public long spillMaxBytes() {
    return spillMaxBytes;
  }

  /** The most samples held in memory: {@code capacity * max_shards}. */
  public long memoryBound() {
    return (long) capacity * maxShards;
  }

  @Override
  public String toString() {
    return "QueueOptions[capacity=" + capacity + ", max_samples_per_send=" + maxSamplesPerSend
        + ", batch_send_deadline=" + Durations.format(batchSendDeadline) + ", shards=" + minShards + ".."
        + maxShards + ", backoff=" + Durations.format(minBackoff) + ".." + Durations.format(maxBackoff) + "]";
  }
}
