package vcftrace.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The result event of one job, keyed by job id on the results topic. Schema version 1; add fields,
 * never rename one.
 *
 * @param counts what bcftools and the stores reported ({@link Counts})
 * @param stepMillis wall time of each step, by span name, in milliseconds (insertion ordered)
 * @param traceId the job's trace: open it in Jaeger by this id
 * @param attempts how many times the job was tried (retries of transient failures included)
 * @param errorType set when FAILED ({@link ErrorType} name)
 * @param warnings the first {@link #MAX_WARNINGS} warnings, in file order
 * @param warningsTotal how many warnings there were in all
 */
public record JobResult(
    int schemaVersion,
    String jobId,
    String batchId,
    JobStatus status,
    String input,
    String region,
    int shardIndex,
    int shardCount,
    Counts counts,
    Map<String, Long> stepMillis,
    long durationMillis,
    String traceId,
    String workerId,
    int attempts,
    String errorType,
    String errorMessage,
    Instant finishedAt,
    List<Warning> warnings,
    long warningsTotal) {

  public static final int SCHEMA_VERSION = 1;

  /** The most warnings a result carries; {@link #warningsTotal} counts them all. */
  public static final int MAX_WARNINGS = 50;

  public JobResult {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /**
   * Something the file does that the VCF specification only recommends against (an undeclared key or
   * contig, say), or a warning bcftools printed; the job still succeeds. {@code line} is the file's line
   * (1-based; for a region job, the line within the region's records) or 0 when none applies.
   */
  public record Warning(long line, String message) {}

  /**
   * Counts of one job. {@code records..multiallelicSites} come from {@code bcftools stats} on the input
   * (or its region); {@code normalisedRecords} after {@code bcftools norm -m-any}; the rest is what
   * each store wrote. Each is a count a step reported under the component's name ({@link #of}).
   */
  public record Counts(
      long samples,
      long records,
      long snps,
      long indels,
      long multiallelicSites,
      long normalisedRecords,
      long lanceRows,
      long kuzuSampleNodes,
      long kuzuVariantNodes,
      long kuzuRelationships) {
    public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * The counts named after this record's components (0 for a name nobody reported; other names are
     * not part of the result). A step that reports a new count only needs a component of that name here.
     */
    public static Counts of(Map<String, Long> named) {
      java.lang.reflect.RecordComponent[] components = Counts.class.getRecordComponents();
      Object[] values = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        values[i] = named.getOrDefault(components[i].getName(), 0L);
        types[i] = long.class;
      }
      try {
        return Counts.class.getDeclaredConstructor(types).newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JobResult parse(byte[] json) throws IOException {
    return Json.MAPPER.readValue(json, JobResult.class);
  }
}
