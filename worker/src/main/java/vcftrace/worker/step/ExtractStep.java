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
    bcftools.run("query", List.of("-l", job.normalised().toString()),
        Bcftools.named("list_samples", "true"), samples, job.scratch());
    Path tsv = job.scratch().resolve("variants.tsv");
    bcftools.run(
        "query",
        List.of("-f", FORMAT, "-o", tsv.toString(), job.normalised().toString()),
        Bcftools.named("format", FORMAT, "input", job.normalised().toString()),
        null,
        job.scratch());
    try {
      job.samples(Files.readAllLines(samples, StandardCharsets.UTF_8).stream().filter(s -> !s.isEmpty()).toList());
      long rows = countLines(tsv);
      job.count(NORMALISED, rows);
      Span.current().setAttribute(Attrs.VCF_NORMALISED, rows);
    } catch (IOException e) {
      throw new StepException(ErrorType.INTERNAL, "cannot read bcftools query output: " + e.getMessage(), e);
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
