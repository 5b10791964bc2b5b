package vcftrace.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.ErrorType;
import vcftrace.common.JobRequest;
import vcftrace.worker.step.JobContext;
import vcftrace.worker.step.Step;
import vcftrace.worker.step.StepException;

/**
 * The stage semantics the pipeline relies on: lanes really run at once, the first lane's verdict wins
 * whichever lane fails first, a failure cancels the lanes after it, and no later stage starts after
 * a failure. The steps here are stand-ins for the real ones (bcftools, stores), which the end-to-end
 * tests cover; latches, not sleeps, order them.
 */
@Timeout(120) // a lane that is never cancelled would otherwise hang the build
class StageRunnerTest {
  private static final long WAIT_SECONDS = 30;

  @TempDir Path tmp;
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracing =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    tracing.close();
  }

  @Test
  void lanesRunAtOnceAndStepsAreChildrenOfTheJobSpanInPlanOrder() throws Exception {
    // each of the two steps waits for the other to have started: only concurrent lanes finish
    CountDownLatch aStarted = new CountDownLatch(1);
    CountDownLatch bStarted = new CountDownLatch(1);
    List<Stage> stages = List.of(
        Stage.of(List.of(step("a", () -> { aStarted.countDown(); await(bStarted); })),
            List.of(step("b", () -> { bStarted.countDown(); await(aStarted); }), step("b2", () -> { }))),
        Stage.of(List.of(step("c", () -> { }))));
    Map<String, Long> millis = new ConcurrentHashMap<>();
    Span job = tracing.get("test").spanBuilder("vcf.job").startSpan();
    try (StageRunner runner = runner(stages); Scope ignored = job.makeCurrent()) {
      runner.run(context(), millis);
      assertEquals(List.of("a", "b", "b2", "c"), new ArrayList<>(runner.inPlanOrder(millis).keySet()));
    } finally {
      job.end();
    }
    assertEquals("c", ran.get(ran.size() - 1), "the second stage starts after the first: " + ran);
    assertTrue(ran.indexOf("b2") > ran.indexOf("b"), "a lane runs its steps in order: " + ran);
    for (String name : List.of("a", "b", "b2", "c")) {
      SpanData s = span(name);
      assertEquals(job.getSpanContext().getSpanId(), s.getParentSpanId(), name + " under vcf.job");
      assertEquals(1, meters.get("vcf.step.duration").tag("step", name).tag("outcome", "success").timer().count());
    }
  }

  @Test
  void theFirstLanesFailureIsReportedEvenWhenALaterLaneFailsSooner() throws Exception {
    CountDownLatch laterFailed = new CountDownLatch(1);
    List<Stage> stages = List.of(
        Stage.of(
            List.of(step("validate", () -> {
              await(laterFailed);
              throw new StepException(ErrorType.INVALID_VCF, "line 42: bad");
            })),
            List.of(step("norm", () -> {
              laterFailed.countDown();
              throw new StepException(ErrorType.BCFTOOLS_FAILED, "bcftools norm exited 255");
            }))),
        Stage.of(List.of(step("store", () -> { }))));
    StepException e = assertThrows(StepException.class, () -> run(stages));
    assertEquals(ErrorType.INVALID_VCF, e.type());
    assertEquals("line 42: bad", e.getMessage());
    assertFalse(ran.contains("store"), "no store is written after a failed stage");
    assertEquals("INVALID_VCF", span("validate").getAttributes().get(AttributeKey.stringKey("error.type")));
    assertEquals("BCFTOOLS_FAILED", span("norm").getAttributes().get(AttributeKey.stringKey("error.type")));
    assertTrue(spans.getFinishedSpanItems().stream().noneMatch(s -> s.getName().equals("store")));
  }

  @Test
  void aLaterLanesFailureIsReportedWhenTheFirstLanePasses() {
    List<Stage> stages = List.of(Stage.of(
        List.of(step("validate", () -> { })),
        List.of(step("norm", () -> {
          throw new StepException(ErrorType.BCFTOOLS_FAILED, "bcftools norm exited 255");
        }))));
    StepException e = assertThrows(StepException.class, () -> run(stages));
    assertEquals(ErrorType.BCFTOOLS_FAILED, e.type());
    assertTrue(ran.contains("validate"));
  }

  @Test
  void aFailureCancelsTheLanesAfterItAndWaitsForThem() throws Exception {
    CountDownLatch normStarted = new CountDownLatch(1);
    CountDownLatch normStopped = new CountDownLatch(1);
    List<Stage> stages = List.of(Stage.of(
        List.of(step("validate", () -> {
          await(normStarted);
          throw new StepException(ErrorType.INVALID_VCF, "line 7: bad");
        })),
        List.of(step("norm", () -> {
          normStarted.countDown();
          try {
            new CountDownLatch(1).await(); // stands for a long bcftools run: only an interrupt ends it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // as Bcftools does when it kills its process
            throw new StepException(ErrorType.INTERNAL, "interrupted while bcftools norm ran", e);
          } finally {
            normStopped.countDown();
          }
        }), step("query", () -> { }))));
    StepException e = assertThrows(StepException.class, () -> run(stages));
    assertEquals(ErrorType.INVALID_VCF, e.type());
    assertEquals(0, normStopped.getCount(), "the cancelled lane had stopped when the stage returned");
    assertFalse(ran.contains("query"), "the rest of a cancelled lane does not run");
    SpanData norm = span("norm");
    assertEquals(Boolean.TRUE, norm.getAttributes().get(AttributeKey.booleanKey("step.cancelled")));
    assertEquals(StatusCode.ERROR, norm.getStatus().getStatusCode());
    assertEquals("CANCELLED", norm.getAttributes().get(AttributeKey.stringKey("error.type")),
        "a cancelled step says so in error.type, not with the failure of the step that cancelled it");
    assertNull(norm.getAttributes().get(AttributeKey.stringKey("error.message")), "it has no error of its own");
    assertTrue(norm.getEvents().stream().noneMatch(ev -> ev.getName().equals("exception")), "nor an exception");
    assertEquals(1, meters.get("vcf.step.duration").tag("step", "validate").tag("outcome", "failure").timer().count());
  }

  private void run(List<Stage> stages) throws Exception {
    try (StageRunner runner = runner(stages)) {
      runner.run(context(), new ConcurrentHashMap<>());
    }
  }

  private StageRunner runner(List<Stage> stages) {
    WorkerMetrics metrics = new WorkerMetrics(Stage.steps(stages).stream().map(Step::spanName).toList());
    metrics.bindTo(meters);
    return new StageRunner(tracing.get("test"), metrics, stages);
  }

  private JobContext context() {
    Path input = tmp.resolve("in.vcf");
    return new JobContext(JobRequest.of("job", "batch", input.toString(), null), input, tmp, 0);
  }

  private SpanData span(String name) {
    return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans.getFinishedSpanItems()));
  }

  private interface Body {
    void run() throws StepException;
  }

  private Step step(String name, Body body) {
    return new Step() {
      @Override
      public String spanName() {
        return name;
      }

      @Override
      public void run(JobContext job) throws StepException {
        ran.add(name);
        body.run();
      }
    };
  }

  private static void await(CountDownLatch latch) throws StepException {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new StepException(ErrorType.INTERNAL, "the other lane did not run at the same time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepException(ErrorType.INTERNAL, "interrupted", e);
    }
  }
}
