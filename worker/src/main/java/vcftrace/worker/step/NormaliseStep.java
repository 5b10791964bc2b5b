package vcftrace.worker.step;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code tool.bcftools.norm}: splits multiallelic records into one record per ALT ({@code -m-any}), so
 * that a variant is one row in LanceDB and one node in Kuzu with a stable {@code CHROM-POS-REF-ALT} id.
 * No reference FASTA is given, so indels are not re-left-aligned: the input is trusted for that.
 */
public final class NormaliseStep implements Step {
  private final Bcftools bcftools;

  public NormaliseStep(Bcftools bcftools) {
    this.bcftools = bcftools;
  }

  @Override
  public String spanName() {
    return "tool.bcftools.norm";
  }

  @Override
  public void run(JobContext job) throws StepException {
    Path out = job.scratch().resolve("normalised.bcf");
    bcftools.run(
        "norm",
        List.of("--no-version", "-m-any", "-Ou", "-o", out.toString(), job.validated().toString()),
        Bcftools.named("multiallelics", "-any", "input", job.validated().toString(), "output_type", "u"),
        null,
        job.scratch());
    job.normalised(out);
  }
}
