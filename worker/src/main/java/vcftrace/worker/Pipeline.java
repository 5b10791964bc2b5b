package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.IntFunction;
import vcftrace.worker.step.Bcftools;
import vcftrace.worker.step.ExtractStep;
import vcftrace.worker.step.KuzuWriteStep;
import vcftrace.worker.step.LanceWriteStep;
import vcftrace.worker.step.NormaliseStep;
import vcftrace.worker.step.StatsStep;
import vcftrace.worker.step.ValidateStep;
import vcftrace.worker.store.KuzuShard;
import vcftrace.worker.store.LanceVariantStore;

/**
 * The pipeline: the one place that lists a job's stages and the steps in each. The worker runs it,
 * the benchmark measures it. To add a step, write one class implementing {@code Step} (it reports its
 * counts into the {@code JobContext}, its attributes on its span, and what it wrote) and add it to a
 * lane below. {@code JobRunner} and {@code StageRunner} know no concrete step.
 *
 * <p>Stage 0 reads every record in the JVM (the spec's rules, the counts every later step is checked
 * against, a completed header when the file's is not); stage 1 has bcftools count and normalise that
 * prepared file at once; stage 2 writes both stores at once, only after everything before passed.
 */
public final class Pipeline {
  /** What the steps are built from; the caller owns and closes each. */
  public record Parts(Bcftools bcftools, Bcftools tabix, ExecutorService checkers, boolean strictValidation,
      LanceVariantStore lance, IntFunction<KuzuShard> kuzuShards) {
    public Parts {
      requireNonNull(bcftools, "bcftools");
      requireNonNull(tabix, "tabix");
      requireNonNull(checkers, "checkers");
      requireNonNull(lance, "lance");
      requireNonNull(kuzuShards, "kuzuShards");
    }
  }

  private Pipeline() {}

  public static List<Stage> stages(Parts p) {
    return List.of(
        Stage.of(List.of(new ValidateStep(p.bcftools(), p.tabix(), p.checkers(), p.strictValidation()))),
        Stage.of(List.of(new StatsStep(p.bcftools())),
            List.of(new NormaliseStep(p.bcftools()), new ExtractStep(p.bcftools()))),
        Stage.of(List.of(new LanceWriteStep(p.lance())), List.of(new KuzuWriteStep(p.kuzuShards()))));
  }
}
