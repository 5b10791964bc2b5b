package vcftrace.common;

public enum JobStatus {
  SUCCEEDED,
  FAILED
}
