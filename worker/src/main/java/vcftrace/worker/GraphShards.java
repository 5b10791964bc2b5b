package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vcftrace.worker.store.KuzuShard;

/**
 * Partition-owned Kuzu shards, as Kafka Streams owns its state stores: the graph of partition N of the
 * jobs topic lives in {@code <KUZU_DIR>/<topic>-N.kuzu}, written only by the worker that owns that
 * partition. (Two consumer groups reading one topic must not share a KUZU_DIR: each would own the
 * same files.) Kuzu allows one read-write process per file; a consumer group gives each partition one owner,
 * so N workers never contend for a file lock. A shard opens when first used after assignment and closes
 * on revocation, before the partition moves on.
 *
 * <p>No shard is handed out, and none opened, while the {@link StorageGuard} says the disk cannot take
 * writes: Kuzu 0.11.2 aborts the process when it cannot write a shard's WAL, and a write after a
 * failed commit on a nearly full disk has crashed the JVM.
 *
 * <p>Threads: {@link #shard} is called from the job's lane threads ({@code StageRunner}); the rebalance
 * callbacks run on the poll thread inside {@code poll}; {@link #close} runs on whichever thread closes
 * the worker. The map of open shards is guarded by {@code this}, so a shard is opened at most once
 * and a revoked one is never handed out again. A shard is not revoked in the middle of a job: the
 * poll thread waits for the job's lanes before it polls again. Should a lane still be writing when its
 * partition is revoked (a cancelled lane that ignores the interrupt), {@link KuzuShard#close} waits on
 * the shard's own lock for that write to end, and the lane's next call gets a closed-shard error.
 */
public final class GraphShards implements ConsumerRebalanceListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GraphShards.class);

  private final Path dir;
  private final String topic;
  private final long bufferPoolBytes;
  private final StorageGuard storage;
  // guarded by this
  private final Map<Integer, KuzuShard> open = new HashMap<>();

  public GraphShards(Path dir, String topic, long bufferPoolBytes, StorageGuard storage) {
    this.dir = requireNonNull(dir, "dir");
    this.topic = requireNonNull(topic, "topic");
    this.bufferPoolBytes = bufferPoolBytes;
    this.storage = requireNonNull(storage, "storage");
  }

  public static Path shardFile(Path dir, String topic, int partition) {
    return dir.resolve(topic + "-" + partition + ".kuzu");
  }

  /**
   * The shard of {@code partition}, opened on first use.
   *
   * @throws StorageUnavailableException while storage cannot take writes (checked on every call: the
   *     last look before Kuzu writes)
   */
  public synchronized KuzuShard shard(int partition) {
    StorageGuard.Status status = storage.check();
    if (!status.healthy()) throw new StorageUnavailableException(status.reason());
    return open.computeIfAbsent(partition, p -> {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      log.info("opening graph shard {}", shardFile(dir, topic, p));
      return KuzuShard.open(shardFile(dir, topic, p), KuzuShard.Options.forPool(bufferPoolBytes));
    });
  }

  public synchronized int openShards() {
    return open.size();
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    log.info("assigned {}", partitions);
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    log.info("revoked {}", partitions);
    closeShards(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    log.warn("lost {}", partitions);
    closeShards(partitions);
  }

  private synchronized void closeShards(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      if (!tp.topic().equals(topic)) continue;
      KuzuShard s = open.remove(tp.partition());
      if (s != null) closeQuietly(tp.partition(), s);
    }
  }

  @Override
  public synchronized void close() {
    open.forEach(this::closeQuietly);
    open.clear();
  }

  private void closeQuietly(int partition, KuzuShard s) {
    try {
      s.close();
      log.info("closed graph shard {}", shardFile(dir, topic, partition));
    } catch (RuntimeException e) {
      log.warn("closing graph shard {} failed: {}", partition, e.toString());
    }
  }
}
