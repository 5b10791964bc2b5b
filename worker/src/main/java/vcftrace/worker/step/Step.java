package vcftrace.worker.step;

/**
 * One pipeline step. {@code JobRunner} opens the step's child span (named {@link #spanName()}, e.g.
 * {@code lancedb.write}) under the job span and makes it current around {@link #run}; a step adds its
 * own attributes to {@code Span.current()}.
 */
public interface Step {
  String spanName();

  void run(JobContext job) throws StepException;
}
