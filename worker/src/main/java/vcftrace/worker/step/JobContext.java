package vcftrace.worker.step;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;

/**
 * What the steps of one job attempt hand to each other: the input, the scratch directory, and the
 * files and counts each step produces. One instance per attempt, shared by the concurrent lanes of a
 * stage (each writes its own entries; a later stage reads them after the stage has finished).
 */
public final class JobContext {
  private final JobRequest request;
  private final Path input;
  private final Path scratch;
  private final int partition;
  private final Map<String, Long> counts = new ConcurrentHashMap<>();
  private final Map<String, Long> written = new ConcurrentHashMap<>();
  private volatile List<String> samples = List.of();
  private volatile Path normalised;
  private volatile Path variantsTsv;
  private volatile Path prepared;
  private final List<JobResult.Warning> warnings = new ArrayList<>();
  private long warningsTotal;

  public JobContext(JobRequest request, Path input, Path scratch, int partition) {
    this.request = requireNonNull(request, "request");
    this.input = requireNonNull(input, "input");
    this.scratch = requireNonNull(scratch, "scratch");
    this.partition = partition;
  }

  public JobRequest request() {
    return request;
  }

  /** The input file, resolved under the input root (absolute: it can never pass for an option). */
  public Path input() {
    return input;
  }

  public Path scratch() {
    return scratch;
  }

  /** The Kafka partition the job came from: it picks the Kuzu shard. */
  public int partition() {
    return partition;
  }

  public List<String> samples() {
    return samples;
  }

  public void samples(List<String> samples) {
    this.samples = List.copyOf(samples);
  }

  /**
   * bcftools arguments that restrict a command to the job's region, nothing for a whole-file job.
   * A record belongs to the region its POS lies in ({@code --regions-overlap pos}), so a record
   * spanning a shard boundary is in exactly one shard.
   */
  public List<String> regionArgs() {
    String region = request.region();
    return region == null ? List.of() : List.of("-r", region, "--regions-overlap", "pos");
  }

  /**
   * The file every bcftools step reads: the input, or the job's region of it, with a header that
   * declares everything the records use (see {@code ValidateStep}).
   */
  public Path prepared() {
    return require(prepared, "prepared");
  }

  public void prepared(Path p) {
    prepared = p;
  }

  public Path normalised() {
    return require(normalised, "normalised");
  }

  public void normalised(Path p) {
    normalised = p;
  }

  /** One line per normalised record: CHROM POS REF ALT QUAL FILTER GT..., tab separated. */
  public Path variantsTsv() {
    return require(variantsTsv, "variantsTsv");
  }

  public void variantsTsv(Path p) {
    variantsTsv = p;
  }

  /** Records a count; a name that is a component of {@code JobResult.Counts} lands in the result. */
  public void count(String name, long value) {
    counts.put(name, value);
  }

  /** Every count recorded so far. */
  public Map<String, Long> counts() {
    return Map.copyOf(counts);
  }

  /** Records that a store wrote {@code rows} rows of the job (the {@code vcf.variants.written} meter). */
  public void written(String store, long rows) {
    written.put(store, rows);
  }

  public Map<String, Long> written() {
    return Map.copyOf(written);
  }

  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  /**
   * Records a warning: the job goes on. Keeps the first {@link JobResult#MAX_WARNINGS} (sorted by
   * line when the result is built) and counts the rest; lanes call this concurrently.
   */
  public synchronized void warn(long line, String message) {
    JobResult.Warning w = new JobResult.Warning(line, message);
    if (line == 0 && warnings.contains(w)) return; // bcftools says the same of the header in every step
    warningsTotal++;
    if (warnings.size() < JobResult.MAX_WARNINGS) warnings.add(w);
  }

  /** Counts warnings that were summarised elsewhere and not kept one by one. */
  public synchronized void warningsNotKept(long n) {
    warningsTotal += n;
  }

  /** The warnings kept, ordered by line. */
  public synchronized List<JobResult.Warning> warnings() {
    List<JobResult.Warning> sorted = new ArrayList<>(warnings);
    sorted.sort(java.util.Comparator.comparingLong(JobResult.Warning::line));
    return sorted;
  }

  public synchronized long warningsTotal() {
    return warningsTotal;
  }

  private static Path require(Path p, String what) {
    if (p == null) throw new IllegalStateException(what + " is not produced yet: steps out of order");
    return p;
  }
}
