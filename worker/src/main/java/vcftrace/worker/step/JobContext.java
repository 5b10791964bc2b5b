package vcftrace.worker.step;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import vcftrace.common.JobRequest;

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
  private volatile List<String> samples = List.of();
  private volatile Path normalised;
  private volatile Path variantsTsv;

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

  public void count(String name, long value) {
    counts.put(name, value);
  }

  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  private static Path require(Path p, String what) {
    if (p == null) throw new IllegalStateException(what + " is not produced yet: steps out of order");
    return p;
  }
}
