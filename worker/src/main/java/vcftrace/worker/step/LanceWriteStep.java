package vcftrace.worker.step;

import io.opentelemetry.api.trace.Span;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;
import vcftrace.worker.store.LanceVariantStore;

/** {@code lancedb.write}: replaces the job's rows in the {@code variants} table in one bulk append. */
public final class LanceWriteStep implements Step {
  public static final String ROWS = "lanceRows";

  private final LanceVariantStore store;

  public LanceWriteStep(LanceVariantStore store) {
    this.store = store;
  }

  @Override
  public String spanName() {
    return "lancedb.write";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Span span = Span.current();
    span.setAttribute(Attrs.DB_SYSTEM_NAME, "lancedb");
    span.setAttribute(Attrs.DB_OPERATION_NAME, "replace_job");
    span.setAttribute(Attrs.DB_COLLECTION_NAME, LanceVariantStore.TABLE);
    long rows;
    try {
      rows = store.replaceJob(job.request().jobId(), job.request().batchId(), job.samples().size(), job.variantsTsv());
    } catch (RuntimeException | java.io.IOException e) {
      throw new StepException(ErrorType.LANCE_WRITE, "LanceDB write failed: " + e.getMessage(), e);
    }
    span.setAttribute(Attrs.DB_ROWS_WRITTEN, rows);
    job.count(ROWS, rows);
    job.written("lancedb", rows);
    // No silent loss: the table took every normalised row, or the job fails (and is removed again)
    long normalised = job.count(ExtractStep.NORMALISED);
    if (rows != normalised) {
      throw new StepException(ErrorType.RECORD_COUNT_MISMATCH,
          "LanceDB stored " + rows + " rows of the job's " + normalised + " normalised rows");
    }
  }

  /** Replaces the job's rows with none: one commit that removes them, as a redelivery would replace them. */
  @Override
  public void compensate(JobContext job) throws StepException {
    Span span = Span.current();
    span.setAttribute(Attrs.DB_SYSTEM_NAME, "lancedb");
    span.setAttribute(Attrs.DB_OPERATION_NAME, "remove_job");
    span.setAttribute(Attrs.DB_COLLECTION_NAME, LanceVariantStore.TABLE);
    try {
      store.replaceJob(job.request().jobId(), job.request().batchId(), 0, Emptiness.emptyTsv(job));
    } catch (RuntimeException | java.io.IOException e) {
      throw new StepException(ErrorType.LANCE_WRITE, "LanceDB removal of the failed job failed: " + e.getMessage(), e);
    }
  }
}
