package vcftrace.common;

/** A record that is not a valid job message; always a permanent failure ({@link ErrorType#BAD_MESSAGE}). */
public final class BadMessageException extends Exception {
  public BadMessageException(String message) {
    super(message);
  }

  public BadMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
