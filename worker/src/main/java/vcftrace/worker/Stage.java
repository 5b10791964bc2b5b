package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import vcftrace.worker.step.Step;

/**
 * Steps that may run at the same time. A job runs its stages one after another; inside a stage every
 * lane runs on its own thread and the steps of one lane run in order (a lane is a chain whose steps
 * hand files to each other). Lanes are listed by authority: when a lane fails, the lanes after it are
 * cancelled and the lanes before it still finish, so the failure a job reports is always that of the
 * first failing lane, whichever finished first. That is why validation is the first lane: a file
 * that breaks the specification fails as INVALID_VCF with its line, even when bcftools, reading the
 * same file in a later lane, trips over it sooner.
 */
public record Stage(List<List<Step>> lanes) {
  public Stage {
    requireNonNull(lanes, "lanes");
    if (lanes.isEmpty()) throw new IllegalArgumentException("a stage needs at least one lane");
    lanes = lanes.stream().map(List::copyOf).toList();
    for (List<Step> lane : lanes) {
      if (lane.isEmpty()) throw new IllegalArgumentException("a lane needs at least one step");
    }
  }

  /** A stage of the given lanes, each a list of steps run in order. */
  @SafeVarargs
  public static Stage of(List<Step>... lanes) {
    return new Stage(Arrays.asList(lanes));
  }

  /** Every step of the stages, in lane order: the order of the result's {@code stepMillis}. */
  public static List<Step> steps(List<Stage> stages) {
    return stages.stream().flatMap(s -> s.lanes().stream()).flatMap(List::stream).toList();
  }
}
