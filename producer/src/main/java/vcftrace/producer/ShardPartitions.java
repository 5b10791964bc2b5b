package vcftrace.producer;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which jobs-topic partition each region shard of one file is sent to: shard {@code i} goes to
 * {@code (start + i) % partitions}, round-robin from a per-file {@code start}.
 *
 * <p>Why not the default key hash: each worker owns whole partitions, so a partition's share of a
 * file's shards is that worker's share of the work. Hashing 8 random job ids onto 6 partitions put
 * 6 of a file's 8 shards on one of two workers (measured); round-robin gives every partition
 * {@code floor(n/P)} or {@code ceil(n/P)} shards of an {@code n}-shard file.
 *
 * <p>{@code start} is the partition Kafka's default partitioner picks for {@code fileKey} (murmur2 of
 * its UTF-8 bytes), so different files begin at different partitions instead of all piling their
 * leftover shards onto partition 0, and a file keyed by its first shard's job id puts that shard
 * exactly where key hashing would have. Record keys are untouched: only the partition is chosen here.
 */
final class ShardPartitions {
  private ShardPartitions() {}

  /** The partition of shard 0 of the file identified by {@code fileKey}, in {@code [0, partitions)}. */
  static int start(String fileKey, int partitions) {
    requireNonNull(fileKey, "fileKey");
    checkPartitions(partitions);
    return Utils.toPositive(Utils.murmur2(fileKey.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The partition of shard {@code shardIndex} of a file whose shard 0 went to {@code start}. */
  static int partition(int start, int shardIndex, int partitions) {
    checkPartitions(partitions);
    if (start < 0 || start >= partitions) {
      throw new IllegalArgumentException("start must be in [0, " + partitions + "), got " + start);
    }
    if (shardIndex < 0) throw new IllegalArgumentException("shardIndex must be >= 0, got " + shardIndex);
    // Long sum: start + shardIndex may exceed Integer.MAX_VALUE before the modulo.
    return (int) (((long) start + shardIndex) % partitions);
  }

  private static void checkPartitions(int partitions) {
    if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
  }
}
