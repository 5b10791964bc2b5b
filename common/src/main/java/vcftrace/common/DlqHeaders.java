package vcftrace.common;

/**
 * Headers a worker adds to a dead letter. The record's key and value are the original job record's,
 * untouched, so {@code vcf-producer replay} can publish it again as it was; its {@code traceparent} is
 * the failed job's, so the failure is one click from its trace.
 */
public final class DlqHeaders {
  public static final String ERROR_TYPE = "dlq.error.type";
  public static final String ERROR_MESSAGE = "dlq.error.message";
  public static final String ORIGINAL_TOPIC = "dlq.original.topic";
  public static final String ORIGINAL_PARTITION = "dlq.original.partition";
  public static final String ORIGINAL_OFFSET = "dlq.original.offset";
  public static final String ATTEMPTS = "dlq.attempts";
  public static final String WORKER_ID = "dlq.worker.id";
  public static final String JOB_ID = "dlq.job.id";
  public static final String TRACE_ID = "dlq.trace.id";

  private DlqHeaders() {}
}
