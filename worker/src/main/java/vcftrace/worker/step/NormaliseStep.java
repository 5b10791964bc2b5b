package vcftrace.worker.step;

import java.nio.file.Path;
import java.util.ArrayList;
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
    List<String> args = new ArrayList<>(List.of("--no-version", "-m-any"));
    args.addAll(job.regionArgs());
    args.addAll(List.of("-Ou", "-o", out.toString(), job.input().toString()));
    bcftools.run(
        "norm",
        args,
        Bcftools.named("multiallelics", "-any", "input", job.input().toString(), "output_type", "u"),
        null,
        job.scratch());
    job.normalised(out);
  }
}
