package vcftrace.worker.step;

import io.opentelemetry.api.trace.Span;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;

/** {@code tool.bcftools.stats}: records, SNPs, indels, multiallelic sites and samples, from bcftools. */
public final class StatsStep implements Step {
  public static final String RECORDS = "records";
  public static final String SNPS = "snps";
  public static final String INDELS = "indels";
  public static final String MULTIALLELIC = "multiallelicSites";
  public static final String SAMPLES = "samples";

  private final Bcftools bcftools;

  public StatsStep(Bcftools bcftools) {
    this.bcftools = bcftools;
  }

  @Override
  public boolean readsInput() {
    return true;
  }

  @Override
  public String spanName() {
    return "tool.bcftools.stats";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Path out = job.scratch().resolve("stats.txt");
    bcftools.run(job, "stats", List.of(job.prepared().toString()), Bcftools.named("input", job.prepared().toString()), out);
    Map<String, Long> sn = summaryNumbers(out);
    Span span = Span.current();
    record(job, span, RECORDS, Attrs.VCF_RECORDS, sn.get("number of records"));
    record(job, span, SNPS, Attrs.VCF_SNPS, sn.get("number of SNPs"));
    record(job, span, INDELS, Attrs.VCF_INDELS, sn.get("number of indels"));
    record(job, span, MULTIALLELIC, Attrs.VCF_MULTIALLELIC, sn.get("number of multiallelic sites"));
    record(job, span, SAMPLES, Attrs.VCF_SAMPLES, sn.get("number of samples"));
    long read = job.count(ValidateStep.RECORDS_READ);
    if (job.count(RECORDS) != read) {
      throw new StepException(ErrorType.RECORD_COUNT_MISMATCH, "bcftools stats counted " + job.count(RECORDS)
          + " records where the file has " + read + ": bcftools skipped records without saying so");
    }
  }

  private static void record(JobContext job, Span span, String name, io.opentelemetry.api.common.AttributeKey<Long> key, Long v)
      throws StepException {
    if (v == null) throw new StepException(ErrorType.BCFTOOLS_FAILED, "bcftools stats printed no '" + name + "'");
    job.count(name, v);
    span.setAttribute(key, v);
  }

  /** The {@code SN} section: {@code SN	0	number of records:	3000}. */
  static Map<String, Long> summaryNumbers(Path stats) throws StepException {
    Map<String, Long> m = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(stats, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.startsWith("SN\t")) continue;
        String[] f = line.split("\t");
        if (f.length < 4) continue;
        String key = f[2].endsWith(":") ? f[2].substring(0, f[2].length() - 1) : f[2];
        m.put(key, Long.parseLong(f[3].trim()));
      }
    } catch (IOException | NumberFormatException e) {
      throw new StepException(ErrorType.BCFTOOLS_FAILED, "cannot read bcftools stats output: " + e.getMessage(), e);
    }
    return m;
  }
}
