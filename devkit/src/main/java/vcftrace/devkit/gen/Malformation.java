package vcftrace.devkit.gen;

import java.util.Arrays;
import java.util.List;

/**
 * Canned ways to break one record of an otherwise valid VCF, for demos and tests of the INVALID_VCF
 * path. Each file is written by {@link VcfGenerator#malformed(java.nio.file.Path, Malformation)}; the
 * broken record is always line {@link VcfGenerator#MALFORMED_LINE}.
 *
 * <p>Why these: most of them are files that {@code bcftools view} (1.16) passes with exit code 0,
 * silently "repairing" the record, while htsjdk rejects them, so a pipeline that trusts bcftools alone
 * lets them through. {@link #bcftoolsAccepts()} says which; the tests check it against the installed
 * bcftools and check that htsjdk's {@code VCFFileReader} rejects every one.
 */
public enum Malformation {

  /**
   * POS written with thousands separators ({@code 1,234,567}). bcftools reads the leading digits (POS
   * becomes 1, out of order, which {@code view} ignores); htsjdk: "... is not a valid start position".
   */
  NON_NUMERIC_POS("non-numeric-pos.vcf", true) {
    @Override
    String[] corrupt(String[] f) {
      f[1] = withThousandsSeparators(f[1]);
      return f;
    }
  },

  /** QUAL is a word. bcftools reads it as 0; htsjdk fails to parse the record. */
  NON_NUMERIC_QUAL("non-numeric-qual.vcf", true) {
    @Override
    String[] corrupt(String[] f) {
      f[5] = "high";
      return f;
    }
  },

  /**
   * REF holds an IUPAC ambiguity code ({@code R}), which VCF does not allow. bcftools passes it;
   * htsjdk: "unparsable vcf record with allele R...".
   */
  INVALID_REF_BASES("invalid-ref-bases.vcf", true) {
    @Override
    String[] corrupt(String[] f) {
      f[3] = "R" + f[3].substring(1);
      return f;
    }
  },

  /** The ALT allele is listed twice. bcftools passes it; htsjdk: "Duplicate allele added to VariantContext". */
  DUPLICATE_ALT("duplicate-alt.vcf", true) {
    @Override
    String[] corrupt(String[] f) {
      f[4] = f[4] + "," + f[4];
      return f;
    }
  },

  /**
   * The ID column is empty (two tabs in a row). bcftools reads it as {@code .}; htsjdk: "The VCF
   * specification requires a valid ID field".
   */
  EMPTY_ID_COLUMN("empty-id-column.vcf", true) {
    @Override
    String[] corrupt(String[] f) {
      f[2] = "";
      return f;
    }
  },

  /**
   * The last sample column is missing. Both reject it: bcftools with "Number of columns ... does not
   * match the number of samples" (exit 8 after writing the records before it), htsjdk with "there are
   * N genotypes while the header requires that M genotypes be present".
   */
  MISSING_SAMPLE_COLUMN("missing-sample-column.vcf", false) {
    @Override
    String[] corrupt(String[] f) {
      return Arrays.copyOf(f, f.length - 1);
    }
  };

  /** The valid file every malformation starts from: 100 records, 2 samples, one 1 Mbp contig. */
  static final VcfGenerator.Spec BASE_SPEC =
      VcfGenerator.Spec.builder()
          .variants(100)
          .samples(2)
          .contigs(List.of(new VcfGenerator.Contig("chr1", 1_000_000)))
          .seed(7)
          .bgzip(false)
          .build();

  private final String fileName;
  private final boolean bcftoolsAccepts;

  Malformation(String fileName, boolean bcftoolsAccepts) {
    this.fileName = fileName;
    this.bcftoolsAccepts = bcftoolsAccepts;
  }

  public String fileName() {
    return fileName;
  }

  /** Whether {@code bcftools view} 1.16 exits 0 on this file (htsjdk rejects all of them). */
  public boolean bcftoolsAccepts() {
    return bcftoolsAccepts;
  }

  /** The 1-based line number of the broken record. */
  public int line() {
    return VcfGenerator.MALFORMED_LINE;
  }

  abstract String[] corrupt(String[] fields);

  String corrupt(String line) {
    return String.join("\t", corrupt(line.split("\t", -1)));
  }

  private static String withThousandsSeparators(String digits) {
    StringBuilder sb = new StringBuilder(digits);
    for (int i = sb.length() - 3; i > 0; i -= 3) sb.insert(i, ',');
    String out = sb.toString();
    if (out.equals(digits)) throw new IllegalStateException("POS " + digits + " is too small to need a separator");
    return out;
  }
}
