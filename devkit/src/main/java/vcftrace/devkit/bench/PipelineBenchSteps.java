package vcftrace.devkit.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import vcftrace.common.JobRequest;
import vcftrace.worker.Pipeline;
import vcftrace.worker.Stage;
import vcftrace.worker.step.Bcftools;
import vcftrace.worker.step.JobContext;
import vcftrace.worker.step.Step;
import vcftrace.worker.store.KuzuShard;
import vcftrace.worker.store.LanceVariantStore;

/**
 * The profile behind the pipeline figures: every step of a job, the worker's own classes, run alone
 * and one after another in this JVM on the same file, with its wall time and the CPU it used (this
 * process plus the bcftools it waited for, from {@code /proc/self/stat}). The sum of the CPU column
 * divided by the cores is the least wall time any schedule of these steps can reach on this machine.
 */
final class PipelineBenchSteps {
  /** One step alone: wall milliseconds and CPU seconds. */
  record Cost(String step, long wallMillis, double cpuSeconds) {}

  private PipelineBenchSteps() {}

  /**
   * Runs two warm-up jobs (JIT, native libraries, store creation, as a worker's first jobs do) and then
   * the measured one, into fresh stores under {@code work}.
   */
  static List<Cost> measure(Path warmup, Path file, Path work, long kuzuPoolBytes) throws Exception {
    Files.createDirectories(work);
    Bcftools bcftools = new Bcftools("bcftools", Duration.ofHours(1));
    Bcftools tabix = new Bcftools("tabix", "tabix", Duration.ofHours(1));
    ExecutorService checkers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try (LanceVariantStore lance = new LanceVariantStore(work.resolve("lancedb"));
        KuzuShard kuzu = KuzuShard.open(work.resolve("graph").resolve("steps-0.kuzu"), KuzuShard.Options.forPool(kuzuPoolBytes))) {
      // the worker's own pipeline, its steps one after another
      List<Step> steps = Stage.steps(Pipeline.stages(new Pipeline.Parts(bcftools, tabix, checkers, false, lance, partition -> kuzu)));
      // twice: the JIT is still compiling htsjdk's decoder well into the first pass
      run(steps, warmup, work.resolve("warmup-1"));
      run(steps, warmup, work.resolve("warmup-2"));
      return run(steps, file, work.resolve("measured"));
    } finally {
      checkers.shutdownNow();
    }
  }

  private static List<Cost> run(List<Step> steps, Path file, Path scratch) throws Exception {
    JobContext ctx = new JobContext(JobRequest.of(scratch.getFileName().toString(), "bench-steps", file.toString(), null),
        file, Files.createDirectories(scratch), 0);
    long self = ProcessHandle.current().pid();
    List<Cost> costs = new ArrayList<>();
    for (Step step : steps) {
      double cpu0 = PipelineBenchProcStatus.cpuSeconds(self);
      long t0 = System.nanoTime();
      step.run(ctx);
      long wall = (System.nanoTime() - t0) / 1_000_000;
      costs.add(new Cost(step.spanName(), wall, PipelineBenchProcStatus.cpuSeconds(self) - cpu0));
    }
    return costs;
  }
}
