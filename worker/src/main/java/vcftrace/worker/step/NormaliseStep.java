package vcftrace.worker.step;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code tool.bcftools.norm}: splits multiallelic records into one record per ALT ({@code -m-any}), so
 * that a variant is one row in LanceDB and one node in Kuzu with a stable {@code CHROM-POS-REF-ALT} id.
 * No reference FASTA is given, so indels are not re-left-aligned: the input is trusted for that. It
 * reads the job's prepared file (the input, or its region, with a completed header).
 */
public final class NormaliseStep implements Step {
  private final Bcftools bcftools;

  public NormaliseStep(Bcftools bcftools) {
    this.bcftools = bcftools;
  }

  @Override
  public boolean readsInput() {
    return true;
  }

  @Override
  public String spanName() {
    return "tool.bcftools.norm";
  }

  @Override
  public void run(JobContext job) throws StepException {
    // Not named *.bcf: bcftools 1.12-1.20 then write compressed BCF whatever -Ou says
    // (samtools/bcftools#2263), which costs 2.5x the CPU of uncompressed.
    Path out = job.scratch().resolve("normalised.ubcf");
    List<String> args = List.of("--no-version", "-m-any", "-Ou", "-o", out.toString(), job.prepared().toString());
    bcftools.run(job, "norm", args,
        Bcftools.named("multiallelics", "-any", "input", job.prepared().toString(), "output_type", "u"), null);
    job.normalised(out);
  }
}
