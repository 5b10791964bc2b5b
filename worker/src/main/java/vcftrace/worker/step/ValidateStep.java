package vcftrace.worker.step;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;
import vcftrace.worker.vcf.HeaderCompletion;
import vcftrace.worker.vcf.RecordRules;
import vcftrace.worker.vcf.Usage;
import vcftrace.worker.vcf.VcfHeader;
import vcftrace.worker.vcf.VcfReader;
import vcftrace.worker.vcf.VcfViolation;

/**
 * {@code tool.bcftools.validate}: the first stage of a job, alone, before bcftools reads anything. It
 * reads every line of the input (of the job's region) and
 * <ol>
 *   <li>refuses a file that breaks a MUST of the VCF specification, as {@code INVALID_VCF} with the line
 *       and the rule ({@link RecordRules}, {@link VcfHeader}, {@link VcfReader} for truncation);
 *   <li>notes what the specification only recommends (undeclared contigs, FILTERs, INFO and FORMAT
 *       keys) as the job's warnings, or refuses it under {@code VCF_VALIDATION=strict};
 *   <li>hands the next stage the file bcftools must read ({@link JobContext#prepared()}): the input
 *       itself when its header declares everything, otherwise a copy whose header is completed
 *       ({@link HeaderCompletion}), so no bcftools step can drop a record;
 *   <li>counts the records and the rows {@code bcftools norm -m-any} must give ({@link #EXPECTED_ROWS}),
 *       which every later step is checked against.
 * </ol>
 * A region job first extracts its records with {@code tabix} (raw lines, no parsing, so nothing can be
 * dropped there) and keeps those whose POS lies in the region, so a record spanning a shard boundary
 * belongs to exactly one shard; its line numbers count within that extract. A BCF input is
 * binary and typed: bcftools converts it to text first.
 *
 * <p>Lines are checked in batches on {@code checkers} (a pool the caller owns); batches are awaited in
 * file order, so the violation reported is always the one on the lowest line.
 */
public final class ValidateStep implements Step {
  public static final String RECORDS_READ = "recordsRead";
  public static final String EXPECTED_ROWS = "expectedRows";

  static final AttributeKey<Long> EXPECTED_ROWS_ATTR = AttributeKey.longKey("vcf.expected_rows");
  static final AttributeKey<Long> HEADER_LINES_ADDED = AttributeKey.longKey("vcf.header_lines_added");
  static final AttributeKey<Long> WARNINGS = AttributeKey.longKey("vcf.warnings");

  /** Lines per check task: large enough to amortise the hand-off, small enough to spread a job. */
  static final int BATCH_LINES = 4096;

  /** Bounds the lines held in memory (batches read ahead of the oldest unfinished one). */
  private static final int MAX_BATCHES_IN_FLIGHT = 4 * Runtime.getRuntime().availableProcessors();

  /** chr1:100-200, chr1:100, chr1 (tabix's region syntax; a contig name may itself hold colons). */
  private static final Pattern REGION = Pattern.compile("(.+?)(?::([0-9,]+)(?:-([0-9,]*))?)?");

  private final Bcftools bcftools;
  private final Bcftools tabix;
  private final ExecutorService checkers;
  private final boolean strict;

  public ValidateStep(Bcftools bcftools, Bcftools tabix, ExecutorService checkers, boolean strict) {
    this.bcftools = requireNonNull(bcftools, "bcftools");
    this.tabix = requireNonNull(tabix, "tabix");
    this.checkers = requireNonNull(checkers, "checkers");
    this.strict = strict;
  }

  @Override
  public boolean readsInput() {
    return true;
  }

  @Override
  public String spanName() {
    return "tool.bcftools.validate";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Span span = Span.current();
    String region = job.request().region();
    Path text = job.input();
    String where = "";
    if (isBcf(job.input())) {
      text = job.scratch().resolve("input.vcf");
      List<String> args = new ArrayList<>(List.of("--no-version"));
      args.addAll(job.regionArgs());
      args.addAll(List.of("-Ov", "-o", text.toString(), job.input().toString()));
      bcftools.run(job, "view", args, Bcftools.named("input", job.input().toString(), "output_type", "v"), null);
      where = region == null ? "BCF input as text, " : "region " + region + " of the BCF input as text, ";
    } else if (region != null) {
      text = extractRegion(job, region);
      where = "region " + region + ", ";
    }
    span.setAttribute(Attrs.TOOL_NAME, "vcf-trace");
    Checked checked;
    try {
      checked = check(text);
    } catch (VcfViolation v) {
      throw new StepException(ErrorType.INVALID_VCF, where + v.getMessage());
    } catch (IOException e) {
      throw new StepException(ErrorType.INPUT_NOT_FOUND, "cannot read " + job.input().getFileName() + ": " + e.getMessage(), e);
    }
    Usage usage = checked.usage();
    for (VcfHeader.Warning w : checked.header().warnings()) warn(job, span, w.line(), where + w.message());
    for (Usage.Undeclared u : usage.undeclared()) warn(job, span, u.firstLine(), where + HeaderCompletion.warning(u));
    for (Usage.Note n : usage.notes()) warn(job, span, n.line(), where + n.message());
    job.warningsNotKept(usage.notesTotal() - usage.notes().size());

    List<String> added = HeaderCompletion.lines(checked.header(), usage);
    Path prepared = text;
    if (!added.isEmpty()) {
      prepared = job.scratch().resolve("prepared.vcf");
      try {
        writeCompleted(text, checked.header(), added, prepared);
      } catch (IOException | VcfViolation e) {
        throw new StepException(ErrorType.INTERNAL, "cannot write the header-completed copy: " + e.getMessage(), e);
      }
    }
    job.prepared(prepared);
    job.count(RECORDS_READ, usage.records());
    job.count(EXPECTED_ROWS, usage.expectedRows());
    span.setAttribute(Attrs.VCF_RECORDS, usage.records());
    span.setAttribute(EXPECTED_ROWS_ATTR, usage.expectedRows());
    span.setAttribute(HEADER_LINES_ADDED, (long) added.size());
    span.setAttribute(WARNINGS, job.warningsTotal());
  }

  private static void warn(JobContext job, Span span, long line, String message) {
    job.warn(line, message);
    span.addEvent("vcf.warning", Attributes.of(AttributeKey.longKey("vcf.line"), line,
        AttributeKey.stringKey("vcf.warning"), message));
  }

  /** The header and what the records use. */
  record Checked(VcfHeader header, Usage usage) {}

  /** Reads {@code file} whole: the header, then every record checked in batches in file order. */
  Checked check(Path file) throws IOException, VcfViolation, StepException {
    Deque<Future<Usage>> inFlight = new ArrayDeque<>();
    try (VcfReader in = VcfReader.open(file)) {
      VcfHeader header = VcfHeader.read(in);
      ConcurrentLinkedQueue<RecordRules> idle = new ConcurrentLinkedQueue<>();
      Usage usage = new Usage();
      List<String> batch = new ArrayList<>(BATCH_LINES);
      long batchFirstLine = in.lineNumber() + 1;
      VcfViolation readFailure = null;
      try {
        String s;
        while ((s = in.readLine()) != null) {
          batch.add(s);
          if (batch.size() == BATCH_LINES) {
            inFlight.add(submit(batch, batchFirstLine, header, idle));
            batch = new ArrayList<>(BATCH_LINES);
            batchFirstLine = in.lineNumber() + 1;
            if (inFlight.size() >= MAX_BATCHES_IN_FLIGHT) usage.merge(await(inFlight.poll()));
          }
        }
      } catch (VcfViolation v) {
        // the records before the damage are checked first: a violation there is on a lower line
        readFailure = v;
      }
      if (!batch.isEmpty()) inFlight.add(submit(batch, batchFirstLine, header, idle));
      while (!inFlight.isEmpty()) usage.merge(await(inFlight.poll()));
      if (readFailure != null) throw readFailure;
      return new Checked(header, usage);
    } finally {
      inFlight.forEach(f -> f.cancel(true));
    }
  }

  private Future<Usage> submit(List<String> lines, long firstLine, VcfHeader header, ConcurrentLinkedQueue<RecordRules> idle) {
    return checkers.submit(() -> {
      RecordRules rules = idle.poll();
      if (rules == null) rules = new RecordRules(header, strict);
      try {
        long line = firstLine;
        for (String s : lines) rules.check(s, line++);
        return rules.takeUsage();
      } finally {
        idle.add(rules);
      }
    });
  }

  private static Usage await(Future<Usage> batch) throws VcfViolation, StepException {
    try {
      return batch.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof VcfViolation v) throw v;
      throw new StepException(ErrorType.INTERNAL, "validation failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepException(ErrorType.INTERNAL, "interrupted while validating", e);
    }
  }

  /** The file's header with {@code added} before {@code #CHROM}, then its records byte for byte. */
  private static void writeCompleted(Path text, VcfHeader header, List<String> added, Path out)
      throws IOException, VcfViolation {
    try (VcfReader in = VcfReader.open(text);
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.ISO_8859_1), 1 << 16)) {
      for (String s : header.metaLines()) w.append(s).append('\n');
      for (String s : added) w.append(s).append('\n');
      w.append(header.chromLine()).append('\n');
      for (int i = 0; i < header.lines(); i++) in.readLine();
      String s;
      while ((s = in.readLine()) != null) w.append(s).append('\n');
    }
  }

  /**
   * The region's records as a VCF file: the input's header, then the lines {@code tabix} returns for
   * the region whose POS lies in it (tabix returns every record that overlaps it).
   */
  private Path extractRegion(JobContext job, String region) throws StepException {
    Matcher m = REGION.matcher(region);
    if (!m.matches()) throw new StepException(ErrorType.BAD_MESSAGE, "region is not CHROM[:BEGIN[-END]]: " + region);
    long begin = m.group(2) == null ? 1 : Long.parseLong(m.group(2).replace(",", ""));
    long end = m.group(3) == null || m.group(3).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(3).replace(",", ""));
    Path lines = job.scratch().resolve("region.lines");
    tabix.runTool(List.of(job.input().toString(), region),
        Bcftools.named("input", job.input().toString(), "region", region), lines, job.scratch());
    Path out = job.scratch().resolve("region.vcf");
    try (VcfReader header = VcfReader.open(job.input());
        VcfReader body = VcfReader.open(lines);
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.ISO_8859_1), 1 << 16)) {
      String s;
      while ((s = header.readLine()) != null) {
        w.append(s).append('\n');
        if (s.startsWith("#CHROM")) break;
      }
      while ((s = body.readLine()) != null) {
        int t1 = s.indexOf('\t');
        int t2 = t1 < 0 ? -1 : s.indexOf('\t', t1 + 1);
        if (t2 > t1) {
          try {
            long pos = Long.parseLong(s, t1 + 1, t2, 10);
            if (pos < begin || pos > end) continue;
          } catch (NumberFormatException e) {
            // keep it: validation names the line and the rule
          }
        }
        w.append(s).append('\n');
      }
    } catch (IOException | VcfViolation e) {
      throw new StepException(ErrorType.INVALID_VCF, "region " + region + ": cannot read the extract: " + e.getMessage(), e);
    }
    return out;
  }

  static boolean isBcf(Path file) {
    return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".bcf");
  }
}
