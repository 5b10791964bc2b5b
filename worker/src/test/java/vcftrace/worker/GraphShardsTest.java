package vcftrace.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.worker.store.KuzuShard;

/** Lane threads asking for shards while the poll thread revokes them, on real Kuzu files. */
class GraphShardsTest {
  private static final String TOPIC = "vcf.jobs";
  private static final long POOL = 64L << 20;

  @TempDir Path dir;

  @Test
  void concurrentShardAndRevokeOpenEachFileOnceAndLeakNone() throws Exception {
    StorageGuard guard = StorageGuard.builder().store("kuzu", dir).minFreeBytes(0).build();
    Set<KuzuShard> handedOut = ConcurrentHashMap.newKeySet();
    List<TopicPartition> both = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
    ExecutorService lanes = Executors.newFixedThreadPool(4);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(4);
    try (GraphShards shards = new GraphShards(dir, TOPIC, POOL, guard)) {
      List<Future<Integer>> calls = new java.util.ArrayList<>();
      for (int lane = 0; lane < 4; lane++) {
        int partition = lane % 2;
        calls.add(lanes.submit(() -> {
          started.countDown();
          int n = 0;
          while (!stop.get()) {
            // KuzuShard.open throws when the file is open in this JVM already: a second open of
            // one partition, or a revoked shard not closed, fails the lane
            KuzuShard s = shards.shard(partition);
            assertEquals(GraphShards.shardFile(dir, TOPIC, partition).toAbsolutePath().normalize(), s.file());
            handedOut.add(s);
            n++;
          }
          return n;
        }));
      }
      started.await();
      KuzuShard before = shards.shard(0);
      for (int i = 0; i < 10; i++) {
        shards.onPartitionsRevoked(both);
        Thread.sleep(20);
      }
      stop.set(true);
      for (Future<Integer> f : calls) assertTrue(f.get(60, TimeUnit.SECONDS) > 0);
      assertNotSame(before, shards.shard(0), "a revoked shard is never handed out again");
      assertTrue(handedOut.size() > 2, "shards were reopened after revocation: " + handedOut.size());
    } finally {
      lanes.shutdownNow();
    }
    // every shard is closed: the files open again in this JVM
    for (int p = 0; p < 2; p++) {
      KuzuShard.open(GraphShards.shardFile(dir, TOPIC, p), KuzuShard.Options.forPool(POOL)).close();
    }
  }
}
