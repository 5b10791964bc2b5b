package vcftrace.worker.step;

/**
 * One pipeline step. {@code JobRunner} opens the step's child span (named {@link #spanName()}, e.g.
 * {@code lancedb.write}) under the job span and makes it current around {@link #run}; a step adds its
 * own attributes to {@code Span.current()}.
 */
public interface Step {
  String spanName();

  /** Whether the step reads the job's input file: its span then carries {@code file.*} attributes. */
  default boolean readsInput() {
    return false;
  }

  void run(JobContext job) throws StepException;

  /**
   * Undoes what {@link #run} may have left of the job (in any attempt) when the job ends FAILED, so a
   * failed job leaves nothing of itself in a store. Must be idempotent and safe when {@code run} never
   * ran or wrote nothing. Steps that write nothing outside the job's scratch directory keep the default.
   */
  default void compensate(JobContext job) throws StepException {}
}
