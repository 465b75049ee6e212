package io.clymene.transport.kafka;

import io.clymene.model.SeriesBatch;
import io.clymene.model.Varint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka record keys: a stable hash of a series' target, so that all series of one target, and so every
 * sample of one series, go to one partition and stay in order.
 *
 * <p>The key is the 8 big-endian bytes of the 64-bit FNV-1a hash of {@code 0x01, job, 0xFF, instance}
 * (the UTF-8 values of the {@code job} and {@code instance} labels, empty when absent; 0xFF never occurs in
 * UTF-8, so the split is unambiguous) when the series has either label, else of {@code 0x02} followed by the
 * series' encoded label set (its remote-write {@code Label} protobuf bytes, labels sorted). FNV-1a is fixed
 * here rather than borrowed from the series hash so that keys, and thus partitions, never change with a
 * Clymene version. Kafka's partitioner then hashes the key (murmur2) onto a partition.
 *
 * <p>The Go Clymene sends no key ({@code plugin/storage/kafka/writer.go}: {@code ProducerMessage} without
 * {@code Key}), so sarama's hash partitioner spreads its records at random; mixing Go and Java producers on
 * one topic keeps working, only the Go records lose per-series order.
 */
public final class RecordKeys {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final byte[] JOB = "job".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INSTANCE = "instance".getBytes(StandardCharsets.US_ASCII);

  private RecordKeys() {
  }

  /** A group of series sharing one key: the key and the series as views of their batches, in order. */
  public record KeyGroup(byte[] key, List<SeriesBatch> batches) {
    /** Number of series in the group. */
    public int seriesCount() {
      int n = 0;
      for (SeriesBatch b : batches) {
        n += b.size();
      }
      return n;
    }
  }

  /** The record key of series {@code series} of the batch (8 bytes). */
  public static byte[] key(SeriesBatch batch, int series) {
    return toBytes(keyHash(batch, series));
  }

  /** The hash {@link #key} encodes, as a long. */
  public static long keyHash(SeriesBatch batch, int series) {
    // walks the encoded labels in place (0x0A <len> 0x0A <nameLen> name 0x12 <valueLen> value), comparing a
    // name only when its length matches: this runs for every series the writer sends
    byte[] d = batch.labelData();
    int start = batch.labelStart(series);
    int end = batch.labelEnd(series);
    int jobOff = -1;
    int jobLen = 0;
    int instanceOff = -1;
    int instanceLen = 0;
    int pos = start;
    while (pos < end) {
      long r = Varint.read(d, pos + 1);
      r = Varint.read(d, Varint.position(r) + 1);
      int nameLen = Varint.value(r);
      int nameOff = Varint.position(r);
      r = Varint.read(d, nameOff + nameLen + 1);
      int valueLen = Varint.value(r);
      int valueOff = Varint.position(r);
      int vsJob = Arrays.compareUnsigned(d, nameOff, nameOff + nameLen, JOB, 0, JOB.length);
      if (vsJob >= 0) { // labels are in name order: instance came before, nothing after job matters
        if (vsJob == 0) {
          jobOff = valueOff;
          jobLen = valueLen;
        }
        break;
      }
      if (nameLen == INSTANCE.length
          && Arrays.equals(d, nameOff, nameOff + nameLen, INSTANCE, 0, INSTANCE.length)) {
        instanceOff = valueOff;
        instanceLen = valueLen;
      }
      pos = valueOff + valueLen;
    }
    long h = FNV_OFFSET;
    if (jobOff >= 0 || instanceOff >= 0) {
      h = fnv(h, 0x01);
      if (jobOff >= 0) {
        h = fnv(h, d, jobOff, jobLen);
      }
      h = fnv(h, 0xFF);
      if (instanceOff >= 0) {
        h = fnv(h, d, instanceOff, instanceLen);
      }
      return h;
    }
    h = fnv(h, 0x02);
    return fnv(h, d, start, end - start);
  }

  /** The 8 big-endian bytes of a key hash. */
  public static byte[] toBytes(long hash) {
    byte[] k = new byte[8];
    for (int i = 0; i < 8; i++) {
      k[i] = (byte) (hash >>> (56 - 8 * i));
    }
    return k;
  }

  /** Groups a batch's series by key, groups in order of first appearance (one record per group). */
  public static List<KeyGroup> groupByKey(SeriesBatch batch) {
    return groupByKey(List.of(batch));
  }

  /** Groups the batches' series by key, groups in order of first appearance, series in order within one. */
  public static List<KeyGroup> groupByKey(List<SeriesBatch> batches) {
    Map<Long, List<SeriesBatch>> groups = new LinkedHashMap<>();
    Map<Long, int[]> perBatch = new LinkedHashMap<>();
    Map<Long, Integer> counts = new HashMap<>();
    long[] hashes = new long[0];
    for (SeriesBatch b : batches) {
      if (b.isEmpty()) {
        continue;
      }
      if (hashes.length < b.size()) {
        hashes = new long[Math.max(b.size(), hashes.length * 2)];
      }
      boolean oneKey = true;
      for (int i = 0; i < b.size(); i++) {
        hashes[i] = keyHash(b, i);
        oneKey &= hashes[i] == hashes[0];
      }
      if (oneKey) { // a target's batch, or a part of one: no per-series bookkeeping
        groups.computeIfAbsent(hashes[0], x -> new ArrayList<>()).add(b);
        continue;
      }
      perBatch.clear();
      counts.clear();
      for (int i = 0; i < b.size(); i++) {
        long k = hashes[i];
        int[] idx = perBatch.computeIfAbsent(k, x -> new int[4]);
        int n = counts.merge(k, 1, Integer::sum);
        if (n > idx.length) {
          idx = Arrays.copyOf(idx, idx.length * 2);
          perBatch.put(k, idx);
        }
        idx[n - 1] = i;
      }
      for (Map.Entry<Long, int[]> e : perBatch.entrySet()) {
        int n = counts.get(e.getKey());
        groups.computeIfAbsent(e.getKey(), x -> new ArrayList<>())
            .add(b.select(Arrays.copyOf(e.getValue(), n)));
      }
    }
    List<KeyGroup> out = new ArrayList<>(groups.size());
    groups.forEach((k, v) -> out.add(new KeyGroup(toBytes(k), List.copyOf(v))));
    return out;
  }

  private static long fnv(long h, int b) {
    return (h ^ (b & 0xFF)) * FNV_PRIME;
  }

  private static long fnv(long h, byte[] d, int off, int len) {
    for (int i = off; i < off + len; i++) {
      h = (h ^ (d[i] & 0xFF)) * FNV_PRIME;
    }
    return h;
  }
}
