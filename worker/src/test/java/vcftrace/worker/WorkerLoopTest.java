package vcftrace.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.DlqHeaders;
import vcftrace.common.ErrorType;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.common.WorkerConfig;
import vcftrace.worker.step.JobContext;
import vcftrace.worker.step.Step;
import vcftrace.worker.step.StepException;

/**
 * The poll loop's commit, seek, pause and dead-letter paths on Kafka's own {@link MockConsumer} and
 * {@link MockProducer}, in milliseconds. The loop runs the real {@link JobRunner} (retries, result,
 * dead letter, compensation) and a real {@link StorageGuard}; only the pipeline is one scripted step,
 * whose outcome each test chooses per job id. The loop runs on the test thread: each poll first runs
 * the next task scheduled with {@link MockConsumer#schedulePollTask}, the last of which stops it.
 *
 * <p>MockConsumer, like a broker, returns a record once per fetch; a rewound record is fetched again
 * only when the test adds it again, as the broker would send it again from the rewound position.
 */
class WorkerLoopTest {
  private static final String TOPIC = "vcf.jobs";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
  private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

  @TempDir Path tmp;
  private Path storeDir;
  private MockConsumer<byte[], byte[]> consumer;
  private MockProducer<byte[], byte[]> producer;
  private SimpleMeterRegistry registry;
  private StorageGuard storage;
  private JobRunner runner;
  private Worker worker; // the loop of the latest runPolls
  private boolean workerRan; // a stopped Worker does not start again: the next runPolls makes a new one
  /** How the scripted step ends each job, by job id; absent = success. */
  private final Map<String, Outcome> script = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> compensations = new ConcurrentHashMap<>();

  private interface Outcome {
    void run(String jobId, int attempt) throws StepException;
  }

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(tmp.resolve("in.vcf"), "not read: the scripted step stands in for the pipeline\n");
    storeDir = tmp.resolve("store");
    WorkerConfig cfg = WorkerConfig.fromEnv(Map.of(
        "INPUT_ROOT", tmp.toString(),
        "DATA_DIR", tmp.resolve("data").toString(),
        "RETRY_MAX_ATTEMPTS", "3",
        "RETRY_BACKOFF_INITIAL", "PT0.001S",
        "RETRY_BACKOFF_MAX", "PT0.001S"));
    storage = StorageGuard.builder().store("kuzu", storeDir).minFreeBytes(0).build();
    consumer = new MockConsumer<>("earliest");
    producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(List.of("script"));
    metrics.bindTo(registry);
    runner = new JobRunner(cfg, OpenTelemetry.noop().getTracer("test"), producer,
        List.of(Stage.of(List.of(new ScriptedStep()))), metrics, storage);
    ConsumerRebalanceListener none = new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };
    // as WorkerApp subscribes, through the loop's listener (of whichever loop runs now)
    consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        worker.rebalanceListener(none).onPartitionsRevoked(partitions);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        worker.rebalanceListener(none).onPartitionsAssigned(partitions);
      }
    });
    worker = new Worker(consumer, runner, storage);
    consumer.rebalance(List.of(P0, P1));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, P2, 0L));
  }

  @AfterEach
  void tearDown() {
    runner.close();
  }

  @Test
  void aJobIsCommittedOnceItsResultIsSent() {
    add(P0, 0, "a");
    add(P0, 1, "b");
    add(P1, 0, "c");
    runPolls(1);

    assertEquals(Map.of("a", JobStatus.SUCCEEDED, "b", JobStatus.SUCCEEDED, "c", JobStatus.SUCCEEDED), results());
    assertEquals(List.of(), deadLetters());
    assertEquals(Map.of(P0, 2L, P1, 1L), committed());
    assertEquals(3, worker.committedJobs());
  }

  @Test
  void aResultThatCannotBeSentIsNotCommittedAndTheRecordIsRewound() {
    producer.sendException = new KafkaException("broker away");
    add(P0, 0, "a");
    add(P0, 1, "b");
    runPolls(1);

    assertEquals(Map.of(), committed());
    assertEquals(0, consumer.position(P0), "rewound to the job whose result was not sent");
    assertEquals(1, runs("a"));
    assertEquals(0, runs("b"), "not started after a job that could not end");
  }

  @Test
  void aFailedJobIsDeadLetteredAsItCameAndCommitted() {
    script.put("bad", (id, attempt) -> {
      throw new StepException(ErrorType.INVALID_VCF, "line 3: POS must be an integer");
    });
    add(P1, 0, "bad");
    add(P1, 1, "good");
    runPolls(1);

    assertEquals(Map.of("bad", JobStatus.FAILED, "good", JobStatus.SUCCEEDED), results());
    List<ProducerRecord<byte[], byte[]>> dlq = deadLetters();
    assertEquals(1, dlq.size());
    ProducerRecord<byte[], byte[]> letter = dlq.get(0);
    assertEquals("bad", new String(letter.key(), StandardCharsets.UTF_8));
    assertEquals(new String(job("bad"), StandardCharsets.UTF_8), new String(letter.value(), StandardCharsets.UTF_8),
        "the original value, byte for byte");
    assertEquals("INVALID_VCF", header(letter, DlqHeaders.ERROR_TYPE));
    assertEquals("1", header(letter, DlqHeaders.ORIGINAL_PARTITION));
    assertEquals("0", header(letter, DlqHeaders.ORIGINAL_OFFSET));
    assertEquals("1", header(letter, DlqHeaders.ATTEMPTS));
    assertEquals(Map.of(P1, 2L), committed());
    assertEquals(1, registry.get("vcf.dlq.messages").tag("reason", "INVALID_VCF").counter().count());
  }

  @Test
  void aTransientFailureIsRetriedThenDeadLetteredWhileStorageIsHealthy() {
    script.put("flaky", (id, attempt) -> {
      throw new StepException(ErrorType.KUZU_WRITE, "Kuzu write failed: lock");
    });
    add(P0, 0, "flaky");
    runPolls(1);

    assertEquals(3, runs("flaky"), "RETRY_MAX_ATTEMPTS");
    assertEquals(Map.of("flaky", JobStatus.FAILED), results());
    assertEquals("3", header(deadLetters().get(0), DlqHeaders.ATTEMPTS));
    assertEquals(Map.of(P0, 1L), committed());
  }

  /**
   * A job that cannot end (a failed job whose store rows cannot be removed) in a batch of several
   * partitions: nothing of it is committed, and every partition of the batch is rewound to its first
   * record not done, so no record of another partition is skipped either.
   */
  @Test
  void aJobThatCannotEndRewindsEveryPartitionOfTheBatch() {
    Outcome undoable = (id, attempt) -> {
      throw new StepException(ErrorType.RECORD_COUNT_MISMATCH, "LanceDB stored 9 rows of 10");
    };
    script.put("p0-stuck", undoable);
    script.put("p1-stuck", undoable);
    compensationFails.add("p0-stuck");
    compensationFails.add("p1-stuck");
    add(P0, 0, "p0-done");
    add(P0, 1, "p0-stuck");
    add(P0, 2, "p0-next");
    add(P1, 0, "p1-done");
    add(P1, 1, "p1-stuck");
    add(P1, 2, "p1-next");
    runPolls(1);

    // Whichever partition the batch iterated first ran its first job and stopped at its stuck one;
    // the other partition's records were not started and must all come again.
    Map<String, JobStatus> first = results();
    assertEquals(1, first.size(), "one job done before the stuck one: " + first);
    String done = first.keySet().iterator().next();
    TopicPartition ran = done.startsWith("p0") ? P0 : P1;
    TopicPartition notRun = ran == P0 ? P1 : P0;
    assertEquals(Map.of(ran, 1L), committed(), "committed up to the stuck job, not past it");
    assertEquals(1, consumer.position(ran), "rewound to the stuck job");
    assertEquals(0, consumer.position(notRun), "rewound to its first record: none skipped");
    assertEquals(List.of(), deadLetters(), "a job that cannot end is not dead-lettered");
    assertEquals(0, runs(ran == P0 ? "p0-next" : "p1-next"));

    // Removal works again: the broker sends from the rewound positions; every job ends once.
    compensationFails.clear();
    String prefix = ran == P0 ? "p0" : "p1";
    String other = ran == P0 ? "p1" : "p0";
    add(ran, 1, prefix + "-stuck");
    add(ran, 2, prefix + "-next");
    add(notRun, 0, other + "-done");
    add(notRun, 1, other + "-stuck");
    add(notRun, 2, other + "-next");
    runPolls(1);

    assertEquals(Map.of("p0-done", JobStatus.SUCCEEDED, "p0-stuck", JobStatus.FAILED, "p0-next", JobStatus.SUCCEEDED,
        "p1-done", JobStatus.SUCCEEDED, "p1-stuck", JobStatus.FAILED, "p1-next", JobStatus.SUCCEEDED), results());
    assertEquals(Map.of(P0, 3L, P1, 3L), committed());
    assertEquals(1, runs("p0-done"));
    assertEquals(1, runs("p1-done"));
    assertEquals(2, deadLetters().size());
  }

  /**
   * Storage that cannot take writes pauses every partition (the consumer keeps polling, so it stays
   * in its group), including one assigned while paused; nothing runs, nothing is committed or
   * dead-lettered; once storage is back the partitions resume and every job runs once.
   */
  @Test
  void unhealthyStoragePausesEveryPartitionUntilItIsBack() {
    List<Runnable> polls = new ArrayList<>();
    polls.add(() -> {
      breakStorage(); // after the check before this poll, before the check before the first job
      add(P0, 0, "a");
      add(P1, 0, "b");
    });
    polls.add(() -> {
      // the first poll's records were not run: handed back, and every partition paused
      assertEquals(Set.of(P0, P1), consumer.paused());
      assertEquals(0, consumer.position(P0));
      assertEquals(0, consumer.position(P1));
      assertEquals("kuzu " + storeDir + ": cannot be used: java.nio.file.FileAlreadyExistsException: " + storeDir,
          worker.pausedReason());
      consumer.rebalance(List.of(P0, P1, P2)); // P2 assigned while paused
      add(P0, 0, "a");
      add(P1, 0, "b");
      add(P2, 0, "c");
    });
    polls.add(() -> {
      assertEquals(Set.of(P0, P1, P2), consumer.paused(), "a partition assigned while paused is paused");
      assertEquals(Map.of(), results(), "a paused poll returns nothing");
      mendStorage();
    });
    polls.add(() -> assertEquals(Set.of(), consumer.paused(), "resumed before this poll"));
    runPolls(polls);

    assertNull(worker.pausedReason());
    assertEquals(Map.of("a", JobStatus.SUCCEEDED, "b", JobStatus.SUCCEEDED, "c", JobStatus.SUCCEEDED), results());
    assertEquals(1, runs("a"));
    assertEquals(Map.of(P0, 1L, P1, 1L, P2, 1L), committed());
    assertEquals(List.of(), deadLetters());
  }

  /**
   * The disk fills up while a job writes: the failed write is not retried (a Kuzu write after a failed
   * one on a full disk has crashed the JVM) and not dead-lettered; the job is handed back, the loop
   * pauses, and the job runs again once storage is back.
   */
  @Test
  void aWriteThatFailsOnUnhealthyStorageIsHandedBackNotDeadLettered() {
    script.put("big", (id, attempt) -> {
      if (runs(id) == 1) {
        breakStorage(); // the disk fills while the job writes
        throw new StepException(ErrorType.KUZU_WRITE, "Kuzu write failed: No space left on device");
      }
    });
    List<Runnable> polls = new ArrayList<>();
    polls.add(() -> {
      add(P0, 0, "big");
      add(P0, 1, "after");
    });
    polls.add(() -> {
      assertEquals(1, runs("big"), "not retried");
      assertEquals(0, runs("after"));
      assertEquals(Set.of(P0, P1), consumer.paused());
      assertEquals(0, consumer.position(P0), "handed back");
      assertEquals(Map.of(), committed());
      mendStorage();
      add(P0, 0, "big");
      add(P0, 1, "after");
    });
    polls.add(() -> {}); // resumed, runs both
    runPolls(polls);

    assertEquals(Map.of("big", JobStatus.SUCCEEDED, "after", JobStatus.SUCCEEDED), results());
    assertEquals(1, resultsOf("big").size(), "one result: the deferred attempt published nothing");
    assertEquals(1, resultsOf("big").get(0).attempts(), "attempts count within one delivery");
    assertEquals(2, runs("big"));
    assertEquals(List.of(), deadLetters());
    assertEquals(0, registry.get("vcf.dlq.messages").tag("reason", "KUZU_WRITE").counter().count());
    assertEquals(0, compensations.getOrDefault("big", new AtomicInteger()).get(), "nothing removed on a bad disk");
    assertEquals(Map.of(P0, 2L), committed());
  }

  // ---- the scripted pipeline and the loop driver ----

  private final Set<String> compensationFails = ConcurrentHashMap.newKeySet();

  private final class ScriptedStep implements Step {
    @Override
    public String spanName() {
      return "script";
    }

    @Override
    public void run(JobContext job) throws StepException {
      String id = job.request().jobId();
      int n = runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      Outcome o = script.get(id);
      if (o != null) o.run(id, n);
    }

    @Override
    public void compensate(JobContext job) throws StepException {
      String id = job.request().jobId();
      compensations.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      if (compensationFails.contains(id)) throw new StepException(ErrorType.LANCE_WRITE, "Lance is away");
    }
  }

  /** A store directory that cannot be used: a regular file where the (empty) directory was. */
  private void breakStorage() {
    try {
      Files.deleteIfExists(storeDir);
      Files.createFile(storeDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void mendStorage() {
    try {
      Files.delete(storeDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int runs(String id) {
    return runs.getOrDefault(id, new AtomicInteger()).get();
  }

  /** Runs the loop for {@code n} polls (the first returns what was added before), then stops it. */
  private void runPolls(int n) {
    List<Runnable> polls = new ArrayList<>();
    for (int i = 0; i < n; i++) polls.add(() -> {});
    runPolls(polls);
  }

  /** Runs the loop on this thread: poll i first runs task i; the poll after the last stops the loop. */
  private void runPolls(List<Runnable> tasks) {
    if (workerRan) worker = new Worker(consumer, runner, storage);
    workerRan = true;
    for (Runnable t : tasks) consumer.schedulePollTask(t);
    consumer.schedulePollTask(this::stopLoop);
    worker.run();
  }

  private void stopLoop() {
    try {
      worker.stop(Duration.ZERO); // returns at once; the loop ends after this poll
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void add(TopicPartition tp, long offset, String jobId) {
    consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset,
        jobId.getBytes(StandardCharsets.UTF_8), job(jobId)));
  }

  /** The record value of {@code jobId}, the same bytes each time (as the broker keeps them). */
  private byte[] job(String jobId) {
    return jobs.computeIfAbsent(jobId, id -> JobRequest.of(id, "loop-test", "in.vcf", null).toJson());
  }

  private final Map<String, byte[]> jobs = new ConcurrentHashMap<>();

  private Map<TopicPartition, Long> committed() {
    Map<TopicPartition, Long> out = new HashMap<>();
    consumer.committed(Set.of(P0, P1, P2)).forEach((tp, om) -> {
      if (om != null) out.put(tp, om.offset());
    });
    return out;
  }

  /** Every result sent, in order. */
  private List<JobResult> sentResults() {
    List<JobResult> out = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : producer.history()) {
      if (!r.topic().equals("vcf.results")) continue;
      try {
        out.add(JobResult.parse(r.value()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private List<JobResult> resultsOf(String jobId) {
    return sentResults().stream().filter(r -> r.jobId().equals(jobId)).toList();
  }

  /** The status of each job's result; also checks that no job got two. */
  private Map<String, JobStatus> results() {
    Map<String, JobStatus> out = new HashMap<>();
    for (JobResult r : sentResults()) {
      assertNull(out.put(r.jobId(), r.status()), "a second result for " + r.jobId());
    }
    return out;
  }

  private List<ProducerRecord<byte[], byte[]>> deadLetters() {
    return producer.history().stream().filter(r -> r.topic().equals("vcf.jobs.dlq")).toList();
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    var h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
