package vcftrace.worker;

/**
 * A job could not be brought to an end: no result was published and its offset must not be committed,
 * so the record is processed again (by this worker after a seek, or by the partition's next owner).
 * Thrown when ending the job honestly is impossible for now, for instance when what a failed job left
 * in a store cannot be removed.
 */
public final class JobDeferredException extends Exception {
  public JobDeferredException(String message, Throwable cause) {
    super(message, cause);
  }
}
