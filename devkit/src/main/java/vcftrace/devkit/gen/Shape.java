package vcftrace.devkit.gen;

import java.util.Locale;

/**
 * Optional ways a generated file departs from the plain, fully declared VCF the generator writes by
 * default, each one something real call sets do. Every shape is spec-valid VCF (what the
 * specification only recommends, such as declaring keys and contigs, may be left out); none is on by
 * default, so default outputs stay byte-identical. The shapes draw from the same two random streams
 * as everything else, so a spec with shapes is as deterministic as one without.
 */
public enum Shape {

  /** No {@code ##contig} lines (records still use the spec's contigs, in order). */
  NO_CONTIG_LINES,

  /**
   * Records use keys the header does not declare: INFO {@value VcfGenerator#UNDECLARED_INFO} on every
   * record, FORMAT {@value VcfGenerator#UNDECLARED_FORMAT} on every sample, and FILTER {@value
   * VcfGenerator#UNDECLARED_FILTER} on about one record in ten (alone or after {@code LowQual}).
   */
  UNDECLARED_KEYS,

  /** Samples without genotypes: FORMAT is {@code DP} only, INFO has no AN/AC/AF. */
  NO_GENOTYPES,

  /** Haploid ({@code 1}, {@code 0}) and triploid ({@code 0/1/1}) calls beside diploid ones. */
  PLOIDY_MIX,

  /** Most calls phased ({@code 0|1}); the rest unphased. */
  PHASED,

  /**
   * Partly missing calls ({@code ./1}, {@code .|0}) and fully missing ones written as a single
   * {@code .} as well as {@code ./.}.
   */
  PARTIAL_CALLS,

  /**
   * Symbolic ALT alleles: {@code <DEL>} with SVTYPE, SVLEN and END; SNPs with a gVCF {@code
   * <NON_REF>} allele; and {@code <*>} reference blocks with END.
   */
  SYMBOLIC,

  /** Breakend ALTs of all four forms, e.g. {@code G]chr2:198982]}, with SVTYPE=BND. */
  BREAKENDS,

  /**
   * A deletion followed by a record inside it whose ALTs are a SNP and {@code *} (the allele missing
   * because of the upstream deletion). The two records overlap, unlike any other pair. Needs VCF 4.2+.
   */
  SPANNING_DELETIONS;

  /** The command-line spelling: lower case with dashes, e.g. {@code no-contig-lines}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@link #cliName()} or the constant name, case-insensitively. */
  public static Shape parse(String text) {
    String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Shape s : values()) {
      if (s.name().equals(key)) return s;
    }
    StringBuilder known = new StringBuilder();
    for (Shape s : values()) known.append(known.length() == 0 ? "" : ", ").append(s.cliName());
    throw new IllegalArgumentException("unknown shape '" + text + "'; known: " + known);
  }

  /** True for the shapes that change how genotypes are written (they need GT columns). */
  boolean needsGenotypes() {
    return this == PLOIDY_MIX || this == PHASED || this == PARTIAL_CALLS;
  }

  /** True for the shapes that add record kinds (they draw from the site stream). */
  boolean addsRecordKinds() {
    return this == SYMBOLIC || this == BREAKENDS || this == SPANNING_DELETIONS;
  }
}
