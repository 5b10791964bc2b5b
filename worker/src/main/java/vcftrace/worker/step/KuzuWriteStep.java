package vcftrace.worker.step;

import io.opentelemetry.api.trace.Span;
import java.util.function.IntFunction;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;
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
    span.setAttribute(Attrs.DB_SYSTEM, "kuzu");
    span.setAttribute(Attrs.DB_OPERATION, "COPY");
    span.setAttribute(Attrs.DB_TABLE, "Sample,Variant,CARRIES");
    span.setAttribute("kuzu.shard", (long) job.partition());
    KuzuShard.WriteCounts counts;
    try {
      KuzuShard shard = shardOfPartition.apply(job.partition());
      counts = shard.replaceJob(job.request().jobId(), job.samples(), job.variantsTsv(), job.scratch());
    } catch (RuntimeException | java.io.IOException e) {
      throw new StepException(ErrorType.KUZU_WRITE, "Kuzu write failed: " + e.getMessage(), e);
    }
    span.setAttribute(Attrs.DB_NODES_WRITTEN, counts.sampleNodes() + counts.variantNodes());
    span.setAttribute(Attrs.DB_RELATIONSHIPS_WRITTEN, counts.relationships());
    job.count(SAMPLE_NODES, counts.sampleNodes());
    job.count(VARIANT_NODES, counts.variantNodes());
    job.count(RELATIONSHIPS, counts.relationships());
  }
}
