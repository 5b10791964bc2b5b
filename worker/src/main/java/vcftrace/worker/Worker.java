package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vcftrace.common.Attrs;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;

/**
 * The poll loop: one job at a time per worker (a job already uses the machine's cores through
 * bcftools; more throughput comes from more workers), committed only after its result is durable.
 *
 * <p>Records are iterated through the consumer wrapped by {@code KafkaTelemetry}, which makes the
 * {@code process vcf.jobs} span current while the loop body runs. Its parent is the producer's send
 * span (the trace continues, as the instrumentation does it), and the instrumentation adds one span
 * link to the same send span, for backends that follow links rather than parents. A failed job's
 * process span is ERROR with the job's {@code errorType} as {@code error.type}.
 *
 * <p>A full or read-only disk pauses the loop rather than failing jobs: before each poll and each
 * job the {@link StorageGuard} is asked; while it says unhealthy every assigned
 * partition is paused (the consumer keeps polling, so it stays in its group and keeps its
 * partitions), records polled but not run are handed back by a seek, and the partitions resume once
 * the guard says healthy again. {@link #pausedReason} says why, for {@code /health}.
 */
public final class Worker implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

  private final Consumer<byte[], byte[]> consumer;
  private final JobRunner runner;
  private final StorageGuard storage;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong committed = new AtomicLong();
  private volatile boolean running = true;
  // Written on the poll thread only; read by /health. Null while taking jobs.
  private volatile String pausedReason;

  public Worker(Consumer<byte[], byte[]> consumer, JobRunner runner, StorageGuard storage) {
    this.consumer = requireNonNull(consumer, "consumer");
    this.runner = requireNonNull(runner, "runner");
    this.storage = requireNonNull(storage, "storage");
  }

  @Override
  public void run() {
    try {
      while (running) {
        // On every poll, idle or not, so /health tells the truth and a paused worker resumes
        // within one poll of storage coming back (a check is a statvfs and a probe file per store).
        storageReady();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
        // Iterated through the wrapped records: each record's process span is current while it runs.
        Map<TopicPartition, Long> next = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : records) {
          // Not started (stopping, or storage cannot take writes: paused), or a job that could not
          // end: the records from here on are handed back, each partition rewound to its first one
          // not done, so none is skipped and none is committed past.
          if (!running || !storageReady() || !process(rec)) {
            rewind(records, next);
            break;
          }
          next.put(new TopicPartition(rec.topic(), rec.partition()), rec.offset() + 1);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped.countDown();
    }
  }

  /**
   * Asks the storage guard; pauses every assigned partition while it says unhealthy (again on each
   * call, which covers partitions assigned since), resumes them when it says healthy. Returns whether
   * a job may run.
   */
  private boolean storageReady() {
    StorageGuard.Status status = storage.check();
    if (!status.healthy()) {
      if (pausedReason == null) {
        log.warn("storage cannot take writes, pausing partitions {} until it can: {}", consumer.assignment(), status.reason());
      }
      pausedReason = status.reason();
      consumer.pause(consumer.assignment());
      return false;
    }
    if (pausedReason != null) {
      log.info("storage takes writes again, resuming partitions {}", consumer.paused());
      consumer.resume(consumer.paused());
      pausedReason = null;
    }
    return true;
  }

  /**
   * {@code delegate} plus: partitions assigned while paused are paused at once, so the poll that
   * assigned them fetches nothing from them.
   */
  ConsumerRebalanceListener rebalanceListener(ConsumerRebalanceListener delegate) {
    requireNonNull(delegate, "delegate");
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        delegate.onPartitionsAssigned(partitions);
        if (pausedReason != null) consumer.pause(partitions);
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        delegate.onPartitionsRevoked(partitions);
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        delegate.onPartitionsLost(partitions);
      }
    };
  }

  /** Why the loop takes no jobs now (storage cannot take writes), or null while it takes them. */
  public String pausedReason() {
    return pausedReason;
  }

  /** Seeks every partition of {@code records} to its first record not done ({@code next}, else its first). */
  private void rewind(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, Long> next) {
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> polled = records.records(tp);
      if (!polled.isEmpty()) consumer.seek(tp, next.getOrDefault(tp, polled.get(0).offset()));
    }
  }

  /** Runs one job and commits it; returns false when it could not end (nothing committed). */
  private boolean process(ConsumerRecord<byte[], byte[]> rec) throws InterruptedException {
    // The instrumentation links this span to the send span (stable messaging conventions): no link of our own.
    Span processSpan = Span.current();
    JobResult result;
    try {
      result = runner.handle(rec);
    } catch (JobDeferredException e) {
      log.error("job at {}-{}@{} not finished, it will run again: {}", rec.topic(), rec.partition(), rec.offset(), e.getMessage());
      processSpan.setStatus(StatusCode.ERROR, "deferred");
      processSpan.setAttribute(Attrs.ERROR_TYPE, e.getClass().getName());
      return false;
    } catch (ExecutionException | RuntimeException e) {
      // The result or dead letter could not be written: nothing is committed, so the job is read
      // again (by us after the seek, or by the partition's next owner).
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      log.error("cannot publish the outcome of {}-{}@{}: {}", rec.topic(), rec.partition(), rec.offset(), cause.toString());
      processSpan.setStatus(StatusCode.ERROR, "result not published");
      processSpan.setAttribute(Attrs.ERROR_TYPE, cause.getClass().getName());
      return false;
    }
    if (result.status() == JobStatus.FAILED) {
      processSpan.setStatus(StatusCode.ERROR, result.errorType());
      processSpan.setAttribute(Attrs.ERROR_TYPE, result.errorType());
    }
    commit(rec);
    return true;
  }

  private void commit(ConsumerRecord<byte[], byte[]> rec) {
    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
    try {
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(rec.offset() + 1)));
      committed.incrementAndGet();
    } catch (RebalanceInProgressException | CommitFailedException | RetriableException e) {
      // The partition moved on while the job ran, or the broker is away. The job is read again (by
      // the partition's next owner, or by us after a restart), and the stores' per-job replace makes
      // the second run leave the same rows: at-least-once delivery, exactly-once outcome.
      log.warn("commit of {}@{} failed ({}); the job will be processed again", tp, rec.offset(), e.toString());
    }
  }

  /** Asks the loop to stop after the job in flight; returns whether it stopped within the timeout. */
  public boolean stop(Duration timeout) throws InterruptedException {
    running = false;
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public long committedJobs() {
    return committed.get();
  }
}
