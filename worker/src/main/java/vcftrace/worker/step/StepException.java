package vcftrace.worker.step;

import static java.util.Objects.requireNonNull;

import vcftrace.common.ErrorType;

/** A step failed; {@link #type()} decides between a retry and the dead-letter topic. */
public final class StepException extends Exception {
  private final ErrorType type;

  public StepException(ErrorType type, String message) {
    this(type, message, null);
  }

  public StepException(ErrorType type, String message, Throwable cause) {
    super(message, cause);
    this.type = requireNonNull(type, "type");
  }

  public ErrorType type() {
    return type;
  }
}
