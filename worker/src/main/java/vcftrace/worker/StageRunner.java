package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;
import vcftrace.worker.step.JobContext;
import vcftrace.worker.step.Step;
import vcftrace.worker.step.StepException;

/**
 * Runs the {@link Stage}s of one job attempt: the stages one after another, the lanes of a stage on
 * their own threads, so a job uses the JVM and the bcftools processes at once instead of one after
 * the other (see BENCHMARKS.md). Every step gets a child span of the caller's current span (the job
 * span), whichever thread runs it, and a duration in the step meters.
 */
final class StageRunner implements AutoCloseable {
  private final Tracer tracer;
  private final WorkerMetrics metrics;
  private final List<Stage> stages;
  private final List<String> stepOrder;
  private final ExecutorService lanes;

  StageRunner(Tracer tracer, WorkerMetrics metrics, List<Stage> stages) {
    this.tracer = requireNonNull(tracer, "tracer");
    this.metrics = requireNonNull(metrics, "metrics");
    this.stages = List.copyOf(stages);
    this.stepOrder = Stage.steps(stages).stream().map(Step::spanName).toList();
    AtomicInteger n = new AtomicInteger();
    this.lanes = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "vcf-step-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs every stage; stops at the first stage with a failed lane and throws that failure.
   *
   * @param stepMillis receives each step's duration (thread-safe map), also of failed steps
   */
  void run(JobContext ctx, Map<String, Long> stepMillis) throws StepException, InterruptedException {
    for (int i = 0; i < stages.size(); i++) {
      ctx.count(STAGES_STARTED, i + 1);
      runStage(stages.get(i), ctx, stepMillis);
    }
  }

  /** How many stages an attempt started (a count in its {@link JobContext}). */
  static final String STAGES_STARTED = "stagesStarted";

  /**
   * Compensates every step of the first {@code stagesStarted} stages, last stage first, each in a
   * {@code compensate <step>} span: what a failed job's attempts may have written goes again.
   */
  void compensate(JobContext ctx, long stagesStarted) throws StepException {
    Context parent = Context.current();
    for (int i = (int) Math.min(stagesStarted, stages.size()) - 1; i >= 0; i--) {
      for (List<Step> lane : stages.get(i).lanes()) {
        for (Step step : lane) {
          Span span = tracer.spanBuilder("compensate " + step.spanName()).setParent(parent).startSpan();
          try (Scope ignored = span.makeCurrent()) {
            step.compensate(ctx);
          } catch (StepException | RuntimeException e) {
            span.recordException(e);
            span.setAttribute(Attrs.ERROR_TYPE, e instanceof StepException se ? se.type().name() : ErrorType.INTERNAL.name());
            span.setStatus(StatusCode.ERROR, "compensation failed");
            throw e;
          } finally {
            span.end();
          }
        }
      }
    }
  }

  /** {@code stepMillis} ordered as the steps are listed in the stages. */
  Map<String, Long> inPlanOrder(Map<String, Long> stepMillis) {
    Map<String, Long> ordered = new LinkedHashMap<>();
    for (String step : stepOrder) {
      Long ms = stepMillis.get(step);
      if (ms != null) ordered.put(step, ms);
    }
    return ordered;
  }

  @Override
  public void close() {
    lanes.shutdownNow();
  }

  /**
   * Runs the lanes of {@code stage} on the lane threads and waits for them. As soon as a lane fails,
   * the lanes after it are cancelled (a running bcftools is killed) while the lanes before it go on;
   * the failure thrown is that of the first failed lane in stage order.
   */
  private void runStage(Stage stage, JobContext ctx, Map<String, Long> stepMillis)
      throws StepException, InterruptedException {
    Context parent = Context.current();
    List<List<Step>> laneSteps = stage.lanes();
    if (laneSteps.size() == 1) {
      for (Step step : laneSteps.get(0)) runStep(step, ctx, stepMillis, parent);
      return;
    }
    CompletionService<Integer> done = new ExecutorCompletionService<>(lanes);
    List<Future<Integer>> running = new ArrayList<>(laneSteps.size());
    for (int i = 0; i < laneSteps.size(); i++) {
      List<Step> lane = laneSteps.get(i);
      int index = i;
      running.add(done.submit(() -> {
        for (Step step : lane) runStep(step, ctx, stepMillis, parent);
        return index;
      }));
    }
    int failedLane = Integer.MAX_VALUE;
    Throwable failure = null;
    try {
      for (int finished = 0; finished < running.size(); finished++) {
        Future<Integer> f = done.take();
        int lane = running.indexOf(f);
        if (f.isCancelled()) continue; // after a failed lane: its failure is the one reported
        try {
          f.get();
        } catch (ExecutionException e) {
          if (lane < failedLane) {
            failedLane = lane;
            failure = e.getCause();
            for (int j = lane + 1; j < running.size(); j++) running.get(j).cancel(true);
          }
        }
      }
    } finally {
      // only when this thread is interrupted (shutdown) can a lane still run here
      for (Future<Integer> f : running) f.cancel(true);
    }
    if (failure instanceof StepException e) throw e;
    if (failure instanceof RuntimeException e) throw e;
    if (failure instanceof Error e) throw e;
    if (failure != null) throw new StepException(ErrorType.INTERNAL, failure.toString(), failure);
  }

  private void runStep(Step step, JobContext ctx, Map<String, Long> stepMillis, Context parent)
      throws StepException {
    long t0 = System.nanoTime();
    Span span = tracer.spanBuilder(step.spanName()).setParent(parent).startSpan();
    boolean ok = false;
    try (Scope ignored = span.makeCurrent()) {
      if (step.readsInput()) {
        span.setAttribute(Attrs.FILE_PATH, ctx.input().toString());
        span.setAttribute(Attrs.FILE_SIZE, size(ctx.input()));
        span.setAttribute(Attrs.FILE_TYPE, fileType(ctx.input()));
      }
      step.run(ctx);
      ok = true;
    } catch (StepException e) {
      if (Thread.currentThread().isInterrupted() && causedByInterrupt(e)) {
        // cancelled because an earlier lane of the stage failed: not this step's own failure (a step
        // that failed on its own just before the interrupt came keeps its error)
        span.setAttribute(Attrs.STEP_CANCELLED, true);
        span.setAttribute(Attrs.ERROR_TYPE, Attrs.CANCELLED);
        span.setStatus(StatusCode.ERROR, "cancelled");
        throw e;
      }
      span.recordException(e);
      span.setAttribute(Attrs.ERROR_TYPE, e.type().name());
      span.setAttribute(Attrs.ERROR_MESSAGE, e.getMessage());
      span.setStatus(StatusCode.ERROR, e.type().name());
      throw e;
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setAttribute(Attrs.ERROR_TYPE, ErrorType.INTERNAL.name());
      span.setStatus(StatusCode.ERROR, ErrorType.INTERNAL.name());
      throw e;
    } finally {
      span.end();
      long nanos = System.nanoTime() - t0;
      stepMillis.put(step.spanName(), nanos / 1_000_000);
      metrics.step(step.spanName(), ok, nanos);
    }
  }

  private static boolean causedByInterrupt(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException) return true;
    }
    return false;
  }

  /** The file's size in bytes, -1 when it cannot be read (the job then fails, with its own message). */
  static long size(Path p) {
    try {
      return java.nio.file.Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private static String fileType(Path p) {
    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".bcf")) return "bcf";
    if (n.endsWith(".gz") || n.endsWith(".bgz")) return "vcf.gz";
    return "vcf";
  }
}
