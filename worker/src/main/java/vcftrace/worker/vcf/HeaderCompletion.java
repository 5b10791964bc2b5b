package vcftrace.worker.vcf;

import java.util.ArrayList;
import java.util.List;

/**
 * The header lines a file needs so that bcftools reads every record of it: a declaration for each
 * contig, FILTER, INFO and FORMAT key the records use without declaring, and a GT declaration when
 * the file has samples but no GT (our extract asks for GT; bcftools prints '.' for a sample without).
 *
 * <p>Why: htslib adds such names to its header while it parses, but a BCF written from that header
 * (bcftools norm's output) lacks them, and the records that use them are dropped with "Invalid CONTIG
 * id" and exit code 0. A completed header makes every bcftools step see the file whole. The added
 * lines declare what VCF assumes for an undeclared key: any number of String values (a Flag when a
 * key never has a value).
 */
public final class HeaderCompletion {
  static final String DESCRIPTION = "Not declared in the input file; declared by vcf-trace so that every record is read";

  private HeaderCompletion() {}

  /** The lines to insert before {@code #CHROM}, in order of first use; empty when none is needed. */
  public static List<String> lines(VcfHeader header, Usage usage) {
    List<String> out = new ArrayList<>();
    boolean gtAdded = false;
    for (Usage.Undeclared u : usage.undeclared()) {
      switch (u.kind()) {
        case CONTIG -> out.add("##contig=<ID=" + u.id() + ">");
        case FILTER -> out.add("##FILTER=<ID=" + u.id() + ",Description=\"" + DESCRIPTION + "\">");
        case INFO -> out.add(u.hasValue()
            ? "##INFO=<ID=" + u.id() + ",Number=.,Type=String,Description=\"" + DESCRIPTION + "\">"
            : "##INFO=<ID=" + u.id() + ",Number=0,Type=Flag,Description=\"" + DESCRIPTION + "\">");
        case FORMAT -> {
          if (u.id().equals("GT")) {
            out.add(gtLine());
            gtAdded = true;
          } else {
            out.add("##FORMAT=<ID=" + u.id() + ",Number=.,Type=String,Description=\"" + DESCRIPTION + "\">");
          }
        }
      }
    }
    if (!header.samples().isEmpty() && header.format("GT") == null && !gtAdded) out.add(gtLine());
    return out;
  }

  /** What each undeclared name becomes a warning as (line of first use). */
  public static String warning(Usage.Undeclared u) {
    return switch (u.kind()) {
      case CONTIG -> "contig '" + u.id() + "' has no ##contig line in the header";
      case FILTER -> "FILTER '" + u.id() + "' is not declared in the header";
      case INFO -> "INFO key '" + u.id() + "' is not declared in the header; read as " + (u.hasValue() ? "String" : "Flag");
      case FORMAT -> "FORMAT key '" + u.id() + "' is not declared in the header; read as String";
    };
  }

  private static String gtLine() {
    return "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">";
  }
}
