package vcftrace.worker.step;

import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import vcftrace.common.Attrs;
import vcftrace.common.ErrorType;

/**
 * {@code tool.bcftools.query}: the normalised records as tab-separated rows for the stores:
 * {@code CHROM POS REF ALT QUAL FILTER GT...}, one GT column per sample, and the sample names.
 */
public final class ExtractStep implements Step {
  public static final String NORMALISED = "normalisedRecords";
  static final String FORMAT = "%CHROM\\t%POS\\t%REF\\t%ALT\\t%QUAL\\t%FILTER[\\t%GT]\\n";

  private final Bcftools bcftools;

  public ExtractStep(Bcftools bcftools) {
    this.bcftools = bcftools;
  }

  @Override
  public String spanName() {
    return "tool.bcftools.query";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Path samples = job.scratch().resolve("samples.txt");
    bcftools.run(job, "query", List.of("-l", job.normalised().toString()),
        Bcftools.named("list_samples", "true"), samples);
    Path tsv = job.scratch().resolve("variants.tsv");
    bcftools.run(job, "query",
        List.of("-f", FORMAT, "-o", tsv.toString(), job.normalised().toString()),
        Bcftools.named("format", FORMAT, "input", job.normalised().toString()),
        null);
    long rows;
    try {
      job.samples(Files.readAllLines(samples, StandardCharsets.UTF_8).stream().filter(s -> !s.isEmpty()).toList());
      rows = countLines(tsv);
    } catch (IOException e) {
      throw new StepException(ErrorType.INTERNAL, "cannot read bcftools query output: " + e.getMessage(), e);
    }
    job.count(NORMALISED, rows);
    Span.current().setAttribute(Attrs.VCF_NORMALISED, rows);
    // No silent loss: norm -m-any makes one row per ALT allele of every record the validation read.
    // Fewer (or more) rows mean a bcftools step dropped or invented records; nothing reaches a store.
    long expected = job.count(ValidateStep.EXPECTED_ROWS);
    if (rows != expected) {
      throw new StepException(ErrorType.RECORD_COUNT_MISMATCH, "bcftools norm | query gave " + rows
          + " rows where the file's " + job.count(ValidateStep.RECORDS_READ) + " records make " + expected
          + " (one per ALT allele)");
    }
    job.variantsTsv(tsv);
  }

  static long countLines(Path file) throws IOException {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int r;
      while ((r = in.read(buf)) > 0) {
        for (int i = 0; i < r; i++) if (buf[i] == '\n') n++;
      }
    }
    return n;
  }
}
