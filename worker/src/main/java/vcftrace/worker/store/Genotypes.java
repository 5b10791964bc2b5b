package vcftrace.worker.store;

/**
 * Classifies a VCF {@code GT} value (as printed by {@code bcftools query -f '[\t%GT]'}) into the
 * zygosity stored on {@code CARRIES} relationships.
 *
 * <p>Works on raw bytes because it runs once per sample per record on the bulk path. Rules (from
 * the store contract): a genotype "carries" the variant when any allele index is {@code > 0};
 * missing alleles ({@code .}) are ignored; a single (haploid) alt allele is {@link #HEMI}; when
 * every called allele is alt and the genotype has two or more allele slots it is {@link #HOM_ALT};
 * a mix of ref and alt is {@link #HET}. Note that {@code ./1} therefore counts as HOM_ALT (the
 * only called allele is alt).
 */
final class Genotypes {

  static final String HET = "HET";
  static final String HOM_ALT = "HOM_ALT";
  static final String HEMI = "HEMI";

  private Genotypes() {}

  /**
   * Returns the zygosity, or {@code null} when the genotype does not carry an alt allele
   * (hom-ref, fully missing, empty or unparsable).
   */
  static String zygosity(byte[] buf, int start, int end) {
    int ploidy = 0;
    int ref = 0;
    int alt = 0;
    int i = start;
    while (i <= end) {
      // parse one allele up to '/', '|' or end
      int alleleStart = i;
      long index = -1;
      boolean missing = false;
      while (i < end && buf[i] != '/' && buf[i] != '|') {
        byte b = buf[i];
        if (b == '.') {
          missing = true;
        } else if (b >= '0' && b <= '9') {
          index = (index < 0 ? 0 : index * 10) + (b - '0');
        } else {
          return null; // not a GT we understand
        }
        i++;
      }
      if (i == alleleStart && i == end && ploidy == 0) {
        return null; // empty field
      }
      ploidy++;
      if (!missing && index >= 0) {
        if (index == 0) {
          ref++;
        } else {
          alt++;
        }
      }
      i++; // skip separator (or step past end)
    }
    if (alt == 0) {
      return null;
    }
    if (ref > 0) {
      return HET;
    }
    return ploidy == 1 ? HEMI : HOM_ALT;
  }

  /** Convenience overload for tests and small inputs. */
  static String zygosity(String gt) {
    byte[] b = gt.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return zygosity(b, 0, b.length);
  }
}
