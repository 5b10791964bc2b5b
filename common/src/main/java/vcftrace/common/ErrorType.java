package vcftrace.common;

/**
 * Why a job failed: the {@code errorType} of a FAILED result, the {@code dlq.error.type} header of its
 * dead letter, the {@code error.type} of its span. Add values; never rename one (consumers match on them).
 */
public enum ErrorType {
  /** The record is not a job: not JSON, wrong types, missing fields, unknown schema, too large. */
  BAD_MESSAGE(false),
  /** The input file does not exist or is not a regular readable file. */
  INPUT_NOT_FOUND(false),
  /** The input path lies outside the configured input root (or escapes it through a link). */
  INPUT_FORBIDDEN(false),
  /** The file breaks the VCF specification (header or a record); the message names the line. */
  INVALID_VCF(false),
  /** bcftools exited non-zero; its stderr is in the message. */
  BCFTOOLS_FAILED(false),
  /** bcftools ran longer than BCFTOOLS_TIMEOUT and was killed. Retried: the machine may be busy. */
  BCFTOOLS_TIMEOUT(true),
  /** Writing the LanceDB table failed (a commit conflict or I/O). Retried. */
  LANCE_WRITE(true),
  /** Writing the Kuzu graph failed. Retried. */
  KUZU_WRITE(true),
  /** Anything unexpected. Retried, then dead-lettered. */
  INTERNAL(true),
  /**
   * The job does not fit the Kuzu buffer pool: Kuzu holds a transaction's COPY data in the pool
   * until commit, so the same job fails the same way on every attempt. Not retried; the message
   * names the job's rows and the pool size. Raise KUZU_BUFFER_POOL_MB, then replay the job.
   */
  KUZU_CAPACITY(false),
  /**
   * The rows bcftools extracted, or a store wrote, differ from the records the worker read (split per
   * ALT allele), or bcftools reported a record it could not read: something would have been lost
   * silently. Not retried; the message names both numbers. Nothing of the job reaches a store when
   * the extract is short.
   */
  RECORD_COUNT_MISMATCH(false);

  private final boolean transientFailure;

  ErrorType(boolean transientFailure) {
    this.transientFailure = transientFailure;
  }

  /** Whether another attempt may succeed; permanent failures go to the DLQ at once. */
  public boolean isTransient() {
    return transientFailure;
  }
}
