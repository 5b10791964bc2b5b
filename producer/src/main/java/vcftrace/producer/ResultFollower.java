package vcftrace.producer;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import vcftrace.common.JobResult;

/**
 * Follows the results topic for one batch. It is positioned at the end of every partition before the
 * jobs are sent, so no result can slip past it, and needs no consumer group.
 */
final class ResultFollower implements AutoCloseable {
  private final Consumer<byte[], byte[]> consumer;

  private ResultFollower(Consumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
  }

  /**
   * Follows {@code topic} from its end with {@code consumer}, which the follower owns from here on:
   * closed by {@link #close}, or at once if positioning it throws.
   */
  static ResultFollower open(Consumer<byte[], byte[]> consumer, String topic) {
    ResultFollower follower = new ResultFollower(consumer);
    try {
      List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition()))
          .collect(Collectors.toList());
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position); // resolve the lazy seek now, before any job is sent
      return follower;
    } catch (RuntimeException e) {
      try {
        follower.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Collects results of {@code jobIds} until all arrived or the deadline passed; draws progress.
   * A job redelivered after a worker crash may report twice: the last result wins.
   */
  Map<String, JobResult> await(Set<String> jobIds, Duration timeout, Progress progress) {
    Map<String, JobResult> results = new LinkedHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    progress.update(results.values());
    while (results.size() < jobIds.size() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
        try {
          JobResult r = JobResult.parse(rec.value());
          if (r.jobId() != null && jobIds.contains(r.jobId())) results.put(r.jobId(), r);
        } catch (IOException e) {
          // not ours to judge: a result written by another version or tool
        }
      }
      progress.update(results.values());
    }
    progress.done();
    return results;
  }

  @Override
  public void close() {
    consumer.close();
  }

  /** A one-line progress bar on a terminal stream: done / failed / remaining. */
  static final class Progress {
    private final PrintStream out;
    private final int total;
    private final boolean enabled;
    private String last = "";

    Progress(PrintStream out, int total, boolean enabled) {
      this.out = out;
      this.total = total;
      this.enabled = enabled;
    }

    void update(java.util.Collection<JobResult> results) {
      if (!enabled) return;
      long failed = results.stream().filter(r -> r.status() == vcftrace.common.JobStatus.FAILED).count();
      long done = results.size() - failed;
      int width = 30;
      int filled = total == 0 ? width : (int) (width * results.size() / total);
      String line = String.format("[%s%s] done %d  failed %d  remaining %d", "#".repeat(filled),
          ".".repeat(width - filled), done, failed, total - results.size());
      if (line.equals(last)) return; // redraw on change only, so a log file gets one line per change
      last = line;
      out.print(System.console() != null ? "\r" + line + " " : line + "\n");
      out.flush();
    }

    void done() {
      if (enabled && System.console() != null) out.println();
    }
  }
}
