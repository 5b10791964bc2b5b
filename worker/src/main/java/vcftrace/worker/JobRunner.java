package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vcftrace.common.Attrs;
import vcftrace.common.BadMessageException;
import vcftrace.common.DlqHeaders;
import vcftrace.common.ErrorType;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.common.WorkerConfig;
import vcftrace.worker.step.JobContext;
import vcftrace.worker.step.StepException;

/**
 * Runs the job of one record: one {@code vcf.job} span (a child of the instrumentation's {@code process}
 * span, so it continues the producer's trace), one child span per step, bounded retries of transient
 * failures, then the result event and, for a failure, the dead letter. {@link #handle} returns only
 * once Kafka has acknowledged them, so the caller may commit the record's offset.
 *
 * The steps run in {@link Stage}s through a {@link StageRunner}.
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final WorkerConfig config;
  private final Tracer tracer;
  private final Producer<byte[], byte[]> producer;
  private final StageRunner stages;
  private final WorkerMetrics metrics;
  private final InputResolver inputs;
  private final StorageGuard storage;

  public JobRunner(
      WorkerConfig config,
      Tracer tracer,
      Producer<byte[], byte[]> producer,
      List<Stage> stages,
      WorkerMetrics metrics,
      StorageGuard storage) {
    this.config = requireNonNull(config, "config");
    this.storage = requireNonNull(storage, "storage");
    this.tracer = requireNonNull(tracer, "tracer");
    this.producer = requireNonNull(producer, "producer");
    this.metrics = requireNonNull(metrics, "metrics");
    this.stages = new StageRunner(tracer, metrics, stages);
    this.inputs = new InputResolver(config.inputRoot());
  }

  @Override
  public void close() {
    stages.close();
  }

  /**
   * Processes {@code rec} to an acknowledged result (and dead letter when it failed).
   *
   * @throws JobDeferredException when the job cannot end now (nothing published: do not commit)
   */
  public JobResult handle(ConsumerRecord<byte[], byte[]> rec)
      throws InterruptedException, ExecutionException, JobDeferredException {
    long start = System.nanoTime();
    metrics.jobStarted();
    Span span = tracer.spanBuilder("vcf.job").startSpan();
    JobResult result = null;
    try (Scope ignored = span.makeCurrent()) {
      span.setAttribute(Attrs.WORKER_ID, config.workerId());
      result = runToResult(rec, span, start);
      publish(rec, result);
      if (result.status() == JobStatus.FAILED) {
        log.warn("job {} FAILED ({}): {}", result.jobId(), result.errorType(), result.errorMessage());
      } else {
        log.info("job {} SUCCEEDED: {} normalised records in {} ms", result.jobId(),
            result.counts().normalisedRecords(), result.durationMillis());
      }
      return result;
    } finally {
      span.end();
      metrics.jobFinished(
          result == null ? JobStatus.FAILED : result.status(),
          result == null ? ErrorType.INTERNAL.name() : result.errorType(),
          System.nanoTime() - start);
    }
  }

  private JobResult runToResult(ConsumerRecord<byte[], byte[]> rec, Span span, long start)
      throws InterruptedException, JobDeferredException {
    JobRequest request;
    try {
      request = JobRequest.parse(rec.value(), config.maxMessageBytes());
    } catch (BadMessageException e) {
      String jobId = rec.key() != null ? new String(rec.key(), StandardCharsets.UTF_8) : null;
      span.setAttribute(Attrs.JOB_ID, jobId != null ? jobId : "");
      return failed(span, null, jobId, new StepException(ErrorType.BAD_MESSAGE, e.getMessage(), e),
          1, Map.of(), new JobContextCounts(null), start);
    }
    span.setAttribute(Attrs.JOB_ID, request.jobId());
    span.setAttribute(Attrs.BATCH_ID, request.batchId());
    if (request.region() != null) span.setAttribute(Attrs.JOB_REGION, request.region());
    span.setAttribute(Attrs.FILE_PATH, request.input());

    Path input;
    try {
      input = inputs.resolve(request.input());
    } catch (StepException e) {
      return failed(span, request, request.jobId(), e, 1, Map.of(), new JobContextCounts(null), start);
    }
    span.setAttribute(Attrs.FILE_SIZE, StageRunner.size(input));

    long stagesStarted = 0; // the most stages any attempt started: what a failure must undo
    for (int attempt = 1; ; attempt++) {
      span.setAttribute(Attrs.JOB_ATTEMPT, (long) attempt);
      Map<String, Long> stepMillis = new java.util.concurrent.ConcurrentHashMap<>();
      JobContext ctx = null;
      Path scratch = null;
      try {
        // Scratch directories are not named after job ids: a job id is user input.
        scratch = Files.createDirectories(config.workDir().resolve(UUID.randomUUID().toString()));
        ctx = new JobContext(request, input, scratch, rec.partition());
        stages.run(ctx, stepMillis);
        return succeeded(span, request, ctx, attempt, stepMillis, start);
      } catch (StepException | IOException | RuntimeException e) {
        StepException failure = e instanceof StepException se ? se : new StepException(ErrorType.INTERNAL, e.toString(), e);
        if (ctx != null) stagesStarted = Math.max(stagesStarted, ctx.count(StageRunner.STAGES_STARTED));
        deferIfStorageDown(failure);
        if (!failure.type().isTransient() || attempt >= config.retryMaxAttempts()) {
          // All or nothing: a FAILED job leaves nothing of itself in the stores. If that removal
          // fails too, no result is published and nothing committed: the job is run again later.
          compensate(request, input, rec.partition(), stagesStarted);
          return failed(span, request, request.jobId(), failure, attempt, stepMillis, new JobContextCounts(ctx), start);
        }
        retryAfterBackoff(span, failure, attempt);
      } finally {
        deleteRecursively(scratch);
      }
    }
  }

  /**
   * A failure while a store directory is full or read-only is not the job's: the job is handed back
   * (nothing published, nothing committed) and the poll loop pauses until storage is back. Neither
   * retried nor compensated now: on a nearly full disk a Kuzu write after a failed one has crashed
   * the JVM; the redelivery replaces whatever this attempt left, as after a crash. Verdicts on the
   * input itself stand whatever the disk.
   */
  private void deferIfStorageDown(StepException failure) throws JobDeferredException {
    if (!failure.type().isTransient() && failure.type() != ErrorType.BCFTOOLS_FAILED) return;
    StorageGuard.Status status = storage.check();
    if (!status.healthy()) {
      throw new JobDeferredException("storage cannot take writes (" + status.reason() + "); the attempt failed with "
          + failure.type() + ": " + failure.getMessage(), failure);
    }
  }

  /** Removes what a failed job's attempts may have written (steps of the stages they started). */
  private void compensate(JobRequest request, Path input, int partition, long stagesStarted)
      throws JobDeferredException {
    if (stagesStarted == 0) return;
    Path dir = null;
    try {
      dir = Files.createDirectories(config.workDir().resolve(UUID.randomUUID().toString()));
      stages.compensate(new JobContext(request, input, dir, partition), stagesStarted);
    } catch (StepException | IOException | RuntimeException e) {
      throw new JobDeferredException("cannot remove what failed job " + request.jobId() + " left in the stores: " + e, e);
    } finally {
      deleteRecursively(dir);
    }
  }

  /** Full jitter: a random delay in [0, min(max, initial * 2^(attempt-1))]. */
  private void retryAfterBackoff(Span span, StepException e, int attempt) throws InterruptedException {
    long cap = Math.min(config.retryBackoffMax().toMillis(),
        config.retryBackoffInitial().toMillis() << Math.min(attempt - 1, 20));
    long delay = ThreadLocalRandom.current().nextLong(cap + 1);
    metrics.retry(e.type());
    span.addEvent("job.retry", Attributes.builder()
        .put(Attrs.JOB_ATTEMPT, (long) attempt)
        .put(Attrs.ERROR_TYPE, e.type().name())
        .put(Attrs.ERROR_MESSAGE, e.getMessage())
        .put("retry.delay_ms", delay)
        .build());
    log.warn("attempt {} failed ({}), retrying in {} ms: {}", attempt, e.type(), delay, e.getMessage());
    Thread.sleep(delay);
  }

  private JobResult succeeded(Span span, JobRequest r, JobContext ctx, int attempts, Map<String, Long> stepMillis, long start) {
    span.setAttribute(Attrs.JOB_STATUS, JobStatus.SUCCEEDED.name());
    ctx.written().forEach(metrics::variantsWritten);
    return new JobResult(JobResult.SCHEMA_VERSION, r.jobId(), r.batchId(), JobStatus.SUCCEEDED, r.input(),
        r.region(), r.shardIndex(), r.shardCount(), new JobContextCounts(ctx).counts(), stages.inPlanOrder(stepMillis),
        (System.nanoTime() - start) / 1_000_000, span.getSpanContext().getTraceId(), config.workerId(),
        attempts, null, null, Instant.now(), ctx.warnings(), ctx.warningsTotal());
  }

  private JobResult failed(Span span, JobRequest r, String jobId, StepException e, int attempts,
      Map<String, Long> stepMillis, JobContextCounts counts, long start) {
    span.recordException(e);
    span.setAttribute(Attrs.JOB_STATUS, JobStatus.FAILED.name());
    span.setAttribute(Attrs.ERROR_TYPE, e.type().name());
    span.setAttribute(Attrs.ERROR_MESSAGE, e.getMessage());
    span.setStatus(StatusCode.ERROR, e.type().name() + ": " + e.getMessage());
    return new JobResult(JobResult.SCHEMA_VERSION, jobId, r == null ? null : r.batchId(), JobStatus.FAILED,
        r == null ? null : r.input(), r == null ? null : r.region(), r == null ? 0 : r.shardIndex(),
        r == null ? 1 : r.shardCount(), counts.counts(), stages.inPlanOrder(stepMillis), (System.nanoTime() - start) / 1_000_000,
        span.getSpanContext().getTraceId(), config.workerId(), attempts, e.type().name(), e.getMessage(),
        Instant.now(), counts.warnings(), counts.warningsTotal());
  }

  /**
   * Sends the result (and the dead letter of a failed job) and waits for both acknowledgements. The
   * wrapped producer injects the current context (the job span) into both records' headers.
   */
  private void publish(ConsumerRecord<byte[], byte[]> rec, JobResult result)
      throws InterruptedException, ExecutionException {
    byte[] key = result.jobId() == null ? rec.key() : result.jobId().getBytes(StandardCharsets.UTF_8);
    var resultSent = producer.send(new ProducerRecord<>(config.topics().results(), key, result.toJson()));
    if (result.status() == JobStatus.FAILED) {
      Headers h = new RecordHeaders();
      header(h, DlqHeaders.ERROR_TYPE, result.errorType());
      header(h, DlqHeaders.ERROR_MESSAGE, result.errorMessage());
      header(h, DlqHeaders.ORIGINAL_TOPIC, rec.topic());
      header(h, DlqHeaders.ORIGINAL_PARTITION, Integer.toString(rec.partition()));
      header(h, DlqHeaders.ORIGINAL_OFFSET, Long.toString(rec.offset()));
      header(h, DlqHeaders.ATTEMPTS, Integer.toString(result.attempts()));
      header(h, DlqHeaders.WORKER_ID, config.workerId());
      header(h, DlqHeaders.TRACE_ID, result.traceId());
      if (result.jobId() != null) header(h, DlqHeaders.JOB_ID, result.jobId());
      // key and value stay byte-for-byte the original record's, so replay can publish them again
      producer.send(new ProducerRecord<>(config.topics().dlq(), null, rec.key(), rec.value(), h)).get();
      metrics.deadLettered(ErrorType.valueOf(result.errorType()));
    }
    resultSent.get();
  }

  private static void header(Headers h, String k, String v) {
    if (v != null) h.add(k, v.getBytes(StandardCharsets.UTF_8));
  }



  private static void deleteRecursively(Path dir) {
    if (dir == null) return;
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot remove scratch directory {}: {}", dir, e.getMessage());
    }
  }

  /** The result's counts from whatever the steps got to. */
  private record JobContextCounts(JobContext ctx) {
    List<JobResult.Warning> warnings() {
      return ctx == null ? List.of() : ctx.warnings();
    }

    long warningsTotal() {
      return ctx == null ? 0 : ctx.warningsTotal();
    }

    JobResult.Counts counts() {
      return ctx == null ? JobResult.Counts.NONE : JobResult.Counts.of(ctx.counts());
    }
  }
}
