package vcftrace.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import vcftrace.common.ErrorType;
import vcftrace.common.JobStatus;

/**
 * The worker's own meters, registered in one {@link #bindTo}. Names are lowercase and dotted (the
 * Prometheus registry renders {@code vcf.jobs} as {@code vcf_jobs_total}); tags take few values: job
 * ids and paths go on spans, never here.
 */
public final class WorkerMetrics implements MeterBinder {
  private static final Duration MIN_EXPECTED = Duration.ofMillis(5);
  private static final Duration MAX_EXPECTED = Duration.ofHours(1);

  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<String> steps;
  private MeterRegistry registry;

  /** @param steps the span names of the pipeline's steps, so their meters exist (at zero) from the start */
  public WorkerMetrics(List<String> steps) {
    this.steps = List.copyOf(steps);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vcf.jobs.in_flight", inFlight, AtomicInteger::get)
        .description("jobs being processed now")
        .register(registry);
    // Every series exists from the start at zero, so rate() sees the first job too.
    for (JobStatus s : JobStatus.values()) jobTimer(s);
    jobs(JobStatus.SUCCEEDED, null);
    for (ErrorType t : ErrorType.values()) {
      dlq(t);
      jobs(JobStatus.FAILED, t.name());
      if (t.isTransient()) retries(t);
    }
    for (String step : steps) {
      stepTimer(step, true);
      stepTimer(step, false);
    }
    variants("lancedb");
    variants("kuzu");
  }

  public void jobStarted() {
    inFlight.incrementAndGet();
  }

  public void jobFinished(JobStatus status, String errorType, long nanos) {
    inFlight.decrementAndGet();
    jobs(status, errorType).increment();
    jobTimer(status).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void step(String step, boolean ok, long nanos) {
    stepTimer(step, ok).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void variantsWritten(String store, long rows) {
    variants(store).increment(rows);
  }

  public void retry(ErrorType type) {
    retries(type).increment();
  }

  public void deadLettered(ErrorType type) {
    dlq(type).increment();
  }

  private Counter jobs(JobStatus status, String errorType) {
    return Counter.builder("vcf.jobs")
        .description("finished jobs by status and error type")
        .tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
        .tag("error_type", errorType == null ? "none" : errorType)
        .register(registry);
  }

  private Timer stepTimer(String step, boolean ok) {
    return Timer.builder("vcf.step.duration")
        .description("wall time of one pipeline step")
        .tag("step", step)
        .tag("outcome", ok ? "success" : "failure")
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED)
        .maximumExpectedValue(MAX_EXPECTED)
        .register(registry);
  }

  private Counter variants(String store) {
    return Counter.builder("vcf.variants.written")
        .description("variant rows (LanceDB) and genotype relationships (Kuzu) written")
        .baseUnit("rows")
        .tag("store", store)
        .register(registry);
  }

  private Counter retries(ErrorType type) {
    return Counter.builder("vcf.job.retries")
        .description("attempts retried after a transient failure")
        .tag("error_type", type.name())
        .register(registry);
  }

  private Counter dlq(ErrorType type) {
    return Counter.builder("vcf.dlq.messages")
        .description("job records sent to the dead-letter topic")
        .tag("reason", type.name())
        .register(registry);
  }

  private Timer jobTimer(JobStatus status) {
    return Timer.builder("vcf.job.duration")
        .description("wall time of one job, from receipt to acknowledged result")
        .tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN_EXPECTED)
        .maximumExpectedValue(MAX_EXPECTED)
        .register(registry);
  }
}
