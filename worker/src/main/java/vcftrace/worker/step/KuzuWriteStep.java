package vcftrace.worker.step;

import io.opentelemetry.api.trace.Span;
import java.util.function.IntFunction;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;
import vcftrace.worker.store.KuzuCapacityException;
import vcftrace.worker.store.KuzuShard;

/**
 * {@code kuzu.write}: replaces the job's relationships in the graph shard of the job's partition, by
 * bulk {@code COPY FROM}. The shard is open only in the worker that owns the partition, so no two
 * processes ever write one Kuzu file.
 */
public final class KuzuWriteStep implements Step {
  public static final String SAMPLE_NODES = "kuzuSampleNodes";
  public static final String VARIANT_NODES = "kuzuVariantNodes";
  public static final String RELATIONSHIPS = "kuzuRelationships";

  private final IntFunction<KuzuShard> shardOfPartition;

  public KuzuWriteStep(IntFunction<KuzuShard> shardOfPartition) {
    this.shardOfPartition = shardOfPartition;
  }

  @Override
  public String spanName() {
    return "kuzu.write";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Span span = Span.current();
    span.setAttribute(Attrs.DB_SYSTEM_NAME, "kuzu");
    span.setAttribute(Attrs.DB_OPERATION_NAME, "COPY");
    // no db.collection.name: one COPY writes three tables (Sample, Variant, CARRIES)
    span.setAttribute("kuzu.shard", (long) job.partition());
    KuzuShard.WriteCounts counts;
    try {
      KuzuShard shard = shardOfPartition.apply(job.partition());
      counts = shard.replaceJob(job.request().jobId(), job.samples(), job.variantsTsv(), job.scratch());
    } catch (KuzuCapacityException e) {
      // the same job fails the same way on every attempt: dead-letter it now, for replay later
      throw new StepException(ErrorType.KUZU_CAPACITY, capacityMessage(e), e);
    } catch (RuntimeException | java.io.IOException e) {
      throw new StepException(ErrorType.KUZU_WRITE, "Kuzu write failed: " + e.getMessage(), e);
    }
    span.setAttribute(Attrs.DB_NODES_WRITTEN, counts.sampleNodes() + counts.variantNodes());
    span.setAttribute(Attrs.DB_RELATIONSHIPS_WRITTEN, counts.relationships());
    job.count(SAMPLE_NODES, counts.sampleNodes());
    job.count(VARIANT_NODES, counts.variantNodes());
    job.count(RELATIONSHIPS, counts.relationships());
    job.written("kuzu", counts.relationships());
  }

  /** Replaces the job's relationships with none, in one transaction. */
  @Override
  public void compensate(JobContext job) throws StepException {
    Span span = Span.current();
    span.setAttribute(Attrs.DB_SYSTEM_NAME, "kuzu");
    span.setAttribute(Attrs.DB_OPERATION_NAME, "remove_job");
    span.setAttribute("kuzu.shard", (long) job.partition());
    try {
      shardOfPartition.apply(job.partition()).replaceJob(job.request().jobId(), java.util.List.of(), Emptiness.emptyTsv(job), job.scratch());
    } catch (RuntimeException | java.io.IOException e) {
      throw new StepException(ErrorType.KUZU_WRITE, "Kuzu removal of the failed job failed: " + e.getMessage(), e);
    }
  }

  /** Tells the operator what to change; the job can be replayed once it is changed. */
  private static String capacityMessage(KuzuCapacityException e) {
    return "job of " + e.jobRows() + " Kuzu rows (" + e.job().variantNodes() + " variant nodes + "
        + e.job().relationships() + " relationships) does not fit the Kuzu buffer pool of "
        + (e.bufferPoolBytes() >> 20) + " MiB: a transaction of " + e.transactionRows()
        + " rows failed (a job is written in transactions of at most " + e.rowsPerTransaction()
        + " rows). Raise KUZU_BUFFER_POOL_MB, then replay the job. Kuzu: "
        + e.getCause().getMessage();
  }
}
