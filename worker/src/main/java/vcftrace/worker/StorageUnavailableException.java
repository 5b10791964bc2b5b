package vcftrace.worker;

/**
 * A store directory cannot take writes now (below {@code MIN_FREE_DISK_MB}, or read-only); see
 * {@link StorageGuard}. The job that met it is handed back, not dead-lettered.
 */
public final class StorageUnavailableException extends RuntimeException {
  public StorageUnavailableException(String reason) {
    super("storage cannot take writes: " + reason);
  }
}
