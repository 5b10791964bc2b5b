package vcftrace.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class ShardPartitionsTest {
  private static final String FILE = "0f8c2a6e-3b1d-4c5e-9a7f-1d2e3f4a5b6c";

  /** How many of {@code shards} shards land on each of {@code partitions} partitions. */
  private static int[] counts(String fileKey, int shards, int partitions) {
    int start = ShardPartitions.start(fileKey, partitions);
    int[] counts = new int[partitions];
    for (int i = 0; i < shards; i++) counts[ShardPartitions.partition(start, i, partitions)]++;
    return counts;
  }

  @Test
  void twelveShardsOnSixPartitionsGiveEveryPartitionTwo() {
    for (String key : List.of(FILE, "a", "b", "chr1.vcf.gz")) {
      assertEquals(List.of(2, 2, 2, 2, 2, 2), IntStream.of(counts(key, 12, 6)).boxed().toList(), key);
    }
  }

  @Test
  void eightShardsOnSixPartitionsDifferByAtMostOne() {
    for (int k = 0; k < 50; k++) {
      String key = "file-" + k;
      int[] c = counts(key, 8, 6);
      assertEquals(8, IntStream.of(c).sum(), key);
      assertEquals(1, IntStream.of(c).min().orElseThrow(), key);
      assertEquals(2, IntStream.of(c).max().orElseThrow(), key);
    }
  }

  @Test
  void shardsFollowEachOtherRoundRobinFromStart() {
    int start = ShardPartitions.start(FILE, 6);
    List<Integer> expected = IntStream.range(0, 8).map(i -> (start + i) % 6).boxed().toList();
    assertEquals(expected, IntStream.range(0, 8).map(i -> ShardPartitions.partition(start, i, 6)).boxed().toList());
    assertEquals(List.of(4, 5, 0, 1, 2, 3, 4, 5),
        IntStream.range(0, 8).map(i -> ShardPartitions.partition(4, i, 6)).boxed().toList());
  }

  @Test
  void startDependsOnTheFileKeyAndIsStable() {
    Set<Integer> starts = new TreeSet<>();
    for (int k = 0; k < 100; k++) starts.add(ShardPartitions.start("file-" + k, 6));
    assertEquals(Set.of(0, 1, 2, 3, 4, 5), starts, "100 files start on every one of 6 partitions");
    assertNotEquals(ShardPartitions.start("file-0", 6), ShardPartitions.start("file-1", 6));
    assertEquals(ShardPartitions.start(FILE, 6), ShardPartitions.start(FILE, 6));
  }

  @Test
  void startIsWhereKafkasKeyHashWouldPutTheKey() {
    for (int p : new int[] {1, 3, 6, 7, 64}) {
      for (String key : List.of(FILE, "file-0", "file-1", "")) {
        assertEquals(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), p),
            ShardPartitions.start(key, p), key + " on " + p);
      }
    }
  }

  @Test
  void onePartitionTakesEveryShard() {
    assertEquals(0, ShardPartitions.start(FILE, 1));
    assertEquals(List.of(8), IntStream.of(counts(FILE, 8, 1)).boxed().toList());
  }

  @Test
  void largeShardIndexDoesNotOverflow() {
    assertEquals((int) ((5L + Integer.MAX_VALUE) % 6), ShardPartitions.partition(5, Integer.MAX_VALUE, 6));
  }

  @Test
  void rejectsBadArguments() {
    assertEquals("partitions must be >= 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> ShardPartitions.start(FILE, 0)).getMessage());
    assertEquals("start must be in [0, 6), got 6",
        assertThrows(IllegalArgumentException.class, () -> ShardPartitions.partition(6, 0, 6)).getMessage());
    assertEquals("shardIndex must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> ShardPartitions.partition(0, -1, 6)).getMessage());
    assertThrows(NullPointerException.class, () -> ShardPartitions.start(null, 6));
  }
}
