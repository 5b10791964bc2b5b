package vcftrace.devkit.gen;

import static java.util.Objects.requireNonNull;

import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.samtools.SAMSequenceRecord;
import htsjdk.samtools.util.BlockCompressedOutputStream;
import htsjdk.tribble.Feature;
import htsjdk.tribble.index.Index;
import htsjdk.tribble.index.tabix.TabixFormat;
import htsjdk.tribble.index.tabix.TabixIndexCreator;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes deterministic, spec-valid VCF files (4.2 unless {@link Spec#version()} says otherwise) of any
 * size for the demo, the tests and the throughput benchmark.
 *
 * <p>Why not htsjdk's {@code VariantContextWriter}: building a VariantContext per record is an order
 * of magnitude slower than the pipeline it is meant to feed, so lines are assembled as bytes and
 * streamed (nothing is held in memory) through a BGZF stream, while a {@link TabixIndexCreator} is fed
 * each line's virtual offset, so the {@code .tbi} comes for free in the same pass.
 *
 * <p>What the output promises, so that consumers can check it against {@code bcftools}:
 *
 * <ul>
 *   <li>the same {@link Spec} gives byte-identical files (the sites come from one random stream and
 *       the genotypes from another, so changing the sample count keeps the sites);
 *   <li>positions are strictly increasing per contig and records never overlap (except the {@code *}
 *       record of {@link Shape#SPANNING_DELETIONS}, which lies inside the deletion before it), contigs
 *       appear in {@link Spec#contigs()} order, so {@code tabix}/{@code bcftools index} accept the file;
 *   <li>REF bases come from a pseudo reference that is a pure function of seed, contig and position,
 *       so overlapping alleles agree; indels keep the anchor base and are left-aligned against that
 *       reference (the last inserted/deleted base differs from the anchor);
 *   <li>every record is one of: biallelic SNP, biallelic insertion or deletion, or a multiallelic site
 *       with 2-3 ALTs that are either all SNPs or all insertions; {@link Stats} counts each kind. The
 *       record-kind {@link Shape}s add symbolic, breakend and {@code *} records, counted apart;
 *   <li>variant ids {@code CHROM-POS-REF-ALT} are distinct after {@code bcftools norm -m-any}.
 * </ul>
 *
 * <p>{@link Spec#shapes()} turns on what real files do beyond that (no contig lines, undeclared keys,
 * no GT, mixed ploidy, phased and partial calls, symbolic alleles, breakends, spanning deletions).
 * With no shapes and version 4.2 the output is byte-for-byte what it always was: the shapes' random
 * draws and code paths are only taken when asked for, so the default path stays as fast.
 */
public final class VcfGenerator {

  /** Records written when nothing else is asked for: enough for a demo, quick for a test. */
  public static final long DEFAULT_VARIANTS = 10_000;

  public static final int DEFAULT_SAMPLES = 1;
  public static final double DEFAULT_SNP_FRACTION = 0.85;
  public static final double DEFAULT_INDEL_FRACTION = 0.12;
  public static final double DEFAULT_MULTIALLELIC_FRACTION = 0.03;
  public static final long DEFAULT_SEED = 42;

  /** GRCh38 primary assembly lengths; {@code --contigs N} takes the first N. */
  public static final List<Contig> GRCH38 =
      List.of(
          new Contig("chr1", 248_956_422),
          new Contig("chr2", 242_193_529),
          new Contig("chr3", 198_295_559),
          new Contig("chr4", 190_214_555),
          new Contig("chr5", 181_538_259),
          new Contig("chr6", 170_805_979),
          new Contig("chr7", 159_345_973),
          new Contig("chr8", 145_138_636),
          new Contig("chr9", 138_394_717),
          new Contig("chr10", 133_797_422),
          new Contig("chr11", 135_086_622),
          new Contig("chr12", 133_275_309),
          new Contig("chr13", 114_364_328),
          new Contig("chr14", 107_043_718),
          new Contig("chr15", 101_991_189),
          new Contig("chr16", 90_338_345),
          new Contig("chr17", 83_257_441),
          new Contig("chr18", 80_373_285),
          new Contig("chr19", 58_617_616),
          new Contig("chr20", 64_444_167),
          new Contig("chr21", 46_709_983),
          new Contig("chr22", 50_818_468),
          new Contig("chrX", 156_040_895),
          new Contig("chrY", 57_227_415));

  /** chr1..chr3 at their GRCh38 lengths: about 690 Mbp, room for tens of millions of records. */
  public static final List<Contig> DEFAULT_CONTIGS = GRCH38.subList(0, 3);

  /** The largest position a {@code .tbi} index can address (2^29 - 1). */
  public static final long TABIX_MAX_POSITION = (1L << 29) - 1;

  /**
   * BGZF deflate level. Level 1 compresses 5M records about four times faster than htsjdk's default
   * of 5 (about 2.5 s against 10 s on one core) for files about 30% larger; readers inflate both
   * equally fast, and a generator that feeds a throughput benchmark should not be the slow part.
   */
  public static final int BGZF_COMPRESSION_LEVEL = 1;

  /** Longest insertion or deletion, in bases after the anchor. */
  static final int MAX_INDEL_LENGTH = 10;

  /**
   * The smallest slice of a contig one record may own: the longest REF plus a gap, so that records
   * never overlap. A contig must be at least this many bases per record placed on it.
   */
  static final int MIN_BASES_PER_RECORD = MAX_INDEL_LENGTH + 2;

  /** Percent of genotypes written as {@code ./.}. */
  static final int MISSING_GENOTYPE_PERCENT = 2;

  /** Percent of records whose QUAL is {@code .}. */
  static final int MISSING_QUAL_PERCENT = 2;

  /** Records with QUAL below this get FILTER LowQual. */
  static final int LOW_QUAL_THRESHOLD = 30;

  /** Per-mille of multiallelic sites whose ALTs are insertions rather than SNPs. */
  static final int MULTIALLELIC_INDEL_PER_MILLE = 300;

  /** Percent of records that are of a {@link Shape#addsRecordKinds() record-kind shape}, when one is on. */
  static final int SHAPED_RECORD_PERCENT = 20;

  /** Percent of calls that are phased under {@link Shape#PHASED}. */
  static final int PHASED_PERCENT = 70;

  /** Percent of called genotypes with one allele missing under {@link Shape#PARTIAL_CALLS}. */
  static final int PARTIAL_CALL_PERCENT = 10;

  /** Percent of records with the undeclared FILTER under {@link Shape#UNDECLARED_KEYS}. */
  static final int UNDECLARED_FILTER_PERCENT = 10;

  /** The INFO key {@link Shape#UNDECLARED_KEYS} uses without declaring it. */
  public static final String UNDECLARED_INFO = "XU";

  /** The FORMAT key {@link Shape#UNDECLARED_KEYS} uses without declaring it. */
  public static final String UNDECLARED_FORMAT = "XF";

  /** The FILTER {@link Shape#UNDECLARED_KEYS} uses without declaring it. */
  public static final String UNDECLARED_FILTER = "NoCov";

  /** The 1-based line of the broken record in every {@link Malformation} file. */
  public static final int MALFORMED_LINE = 42;

  private static final byte[] BASES = {'A', 'C', 'G', 'T'};

  private VcfGenerator() {}

  /** A contig of the output: its {@code ##contig} line carries the length. */
  public record Contig(String name, long length) {
    public Contig {
      requireNonNull(name, "name");
      if (!name.matches("[0-9A-Za-z!#$%&+./;?@^_|~-][0-9A-Za-z!#$%&*+./;=?@^_|~-]*")) {
        throw new IllegalArgumentException("not a valid VCF contig name: '" + name + "'");
      }
      if (length < 1 || length > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("contig length out of range 1.." + Integer.MAX_VALUE + ": " + length);
      }
    }

    /** Parses {@code NAME:LENGTH}. */
    public static Contig parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon < 1) throw new IllegalArgumentException("expected NAME:LENGTH, got '" + text + "'");
      try {
        return new Contig(text.substring(0, colon), Long.parseLong(text.substring(colon + 1).replace("_", "")));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected NAME:LENGTH, got '" + text + "'", e);
      }
    }
  }

  /**
   * What to generate. The three fractions are relative weights of the record kinds (they need not sum
   * to 1; they are normalised). Records are spread over the contigs in proportion to their lengths.
   * {@code samples == 0} gives a sites-only file (no FORMAT or sample columns). {@code shapes} (none
   * by default) and {@code version} (4.2 by default) are described at {@link Shape} and {@link
   * VcfVersion}; shapes that contradict each other or the version are rejected.
   */
  public record Spec(
      long variants,
      int samples,
      List<Contig> contigs,
      double snpFraction,
      double indelFraction,
      double multiallelicFraction,
      long seed,
      boolean bgzip,
      Set<Shape> shapes,
      VcfVersion version) {

    public Spec {
      if (variants < 0) throw new IllegalArgumentException("variants must be >= 0: " + variants);
      if (samples < 0) throw new IllegalArgumentException("samples must be >= 0: " + samples);
      EnumSet<Shape> shapeSet = EnumSet.noneOf(Shape.class);
      shapeSet.addAll(requireNonNull(shapes, "shapes"));
      shapes = Collections.unmodifiableSet(shapeSet);
      requireNonNull(version, "version");
      for (Shape s : shapeSet) {
        if (s.needsGenotypes() && shapeSet.contains(Shape.NO_GENOTYPES)) {
          throw new IllegalArgumentException("shape " + s.cliName() + " writes GT, which no-genotypes leaves out");
        }
        if ((s.needsGenotypes() || s == Shape.NO_GENOTYPES) && samples == 0) {
          throw new IllegalArgumentException("shape " + s.cliName() + " needs samples; a sites-only file has none");
        }
      }
      if (shapeSet.contains(Shape.SPANNING_DELETIONS) && version == VcfVersion.V4_1) {
        throw new IllegalArgumentException("the * allele of spanning-deletions needs VCF 4.2 or later");
      }
      contigs = List.copyOf(requireNonNull(contigs, "contigs"));
      if (contigs.isEmpty()) throw new IllegalArgumentException("at least one contig is needed");
      Set<String> names = new HashSet<>();
      for (Contig c : contigs) {
        if (!names.add(c.name())) throw new IllegalArgumentException("duplicate contig " + c.name());
        if (bgzip && c.length() > TABIX_MAX_POSITION) {
          throw new IllegalArgumentException(
              "contig " + c.name() + " is longer than a .tbi index can address (" + TABIX_MAX_POSITION + ")");
        }
      }
      checkFraction("snpFraction", snpFraction);
      checkFraction("indelFraction", indelFraction);
      checkFraction("multiallelicFraction", multiallelicFraction);
      if (snpFraction + indelFraction + multiallelicFraction <= 0) {
        throw new IllegalArgumentException("at least one of the SNP, indel and multiallelic fractions must be > 0");
      }
      long[] perContig = allocate(variants, contigs);
      for (int i = 0; i < perContig.length; i++) {
        if (perContig[i] > 0 && contigs.get(i).length() / perContig[i] < MIN_BASES_PER_RECORD) {
          throw new IllegalArgumentException(
              "contig " + contigs.get(i).name() + " (" + contigs.get(i).length() + " bp) is too short for "
                  + perContig[i] + " records: give longer contigs or fewer variants (at least "
                  + MIN_BASES_PER_RECORD + " bp per record)");
        }
      }
    }

    /** {@value #DEFAULT_VARIANTS} records, one sample, chr1..chr3, seed {@value #DEFAULT_SEED}, BGZF. */
    public static Spec defaults() {
      return builder().build();
    }

    public static Builder builder() {
      return new Builder();
    }

    public Builder toBuilder() {
      return new Builder()
          .variants(variants)
          .samples(samples)
          .contigs(contigs)
          .snpFraction(snpFraction)
          .indelFraction(indelFraction)
          .multiallelicFraction(multiallelicFraction)
          .seed(seed)
          .bgzip(bgzip)
          .shapes(shapes)
          .version(version);
    }

    /** True when {@code shape} is on. */
    public boolean has(Shape shape) {
      return shapes.contains(shape);
    }

    /** How many records each contig gets, in contig order. */
    public long[] recordsPerContig() {
      return allocate(variants, contigs);
    }

    private static void checkFraction(String name, double value) {
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException(name + " must be a finite number >= 0: " + value);
      }
    }
  }

  /** Builds a {@link Spec}; every setting starts at its default. */
  public static final class Builder {
    private long variants = DEFAULT_VARIANTS;
    private int samples = DEFAULT_SAMPLES;
    private List<Contig> contigs = DEFAULT_CONTIGS;
    private double snpFraction = DEFAULT_SNP_FRACTION;
    private double indelFraction = DEFAULT_INDEL_FRACTION;
    private double multiallelicFraction = DEFAULT_MULTIALLELIC_FRACTION;
    private long seed = DEFAULT_SEED;
    private boolean bgzip = true;
    private Set<Shape> shapes = Set.of();
    private VcfVersion version = VcfVersion.V4_2;

    private Builder() {}

    public Builder variants(long variants) {
      this.variants = variants;
      return this;
    }

    public Builder samples(int samples) {
      this.samples = samples;
      return this;
    }

    public Builder contigs(List<Contig> contigs) {
      this.contigs = contigs;
      return this;
    }

    public Builder snpFraction(double snpFraction) {
      this.snpFraction = snpFraction;
      return this;
    }

    public Builder indelFraction(double indelFraction) {
      this.indelFraction = indelFraction;
      return this;
    }

    public Builder multiallelicFraction(double multiallelicFraction) {
      this.multiallelicFraction = multiallelicFraction;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder bgzip(boolean bgzip) {
      this.bgzip = bgzip;
      return this;
    }

    /** Replaces the shapes (none by default). */
    public Builder shapes(Set<Shape> shapes) {
      this.shapes = shapes;
      return this;
    }

    /** Replaces the shapes (none by default). */
    public Builder shapes(Shape... shapes) {
      Set<Shape> set = EnumSet.noneOf(Shape.class);
      Collections.addAll(set, shapes);
      return shapes(set);
    }

    /** The {@code ##fileformat} version, {@link VcfVersion#V4_2} by default. */
    public Builder version(VcfVersion version) {
      this.version = version;
      return this;
    }

    public Spec build() {
      return new Spec(
          variants, samples, contigs, snpFraction, indelFraction, multiallelicFraction, seed, bgzip, shapes, version);
    }
  }

  /**
   * Genotype counts of one sample. Het and hom-alt are split by site kind because {@code bcftools stats
   * -s -} splits them so: its PSC line counts them for SNP sites only (nHets, nNonRefHom) and its PSI
   * line for indel sites (nInsHets + nDelHets, nInsAltHoms + nDelAltHoms); PSC nRefHom and nMissing
   * cover all sites. {@code 0/1} and {@code 1/2} are hets, {@code 1/1} and {@code 2/2} hom-alts.
   *
   * <p>With shapes, a genotype is judged by its called alleles: it carries when any is {@code > 0}, is
   * hom-alt when all called alleles are the same ALT ({@code 1}, {@code ./1}, {@code 1|1|1}) and het
   * otherwise; hom-ref when all called alleles are 0 ({@code 0}, {@code .|0}); missing when none is
   * called. Carrying genotypes at symbolic, breakend and {@code *} sites go to {@code otherNonRef}.
   * {@code partial} counts calls with some but not all alleles missing (they are in the other
   * counts too). {@code carriedAlleles} is what {@code bcftools norm -m-any} leaves: the number of
   * (record, ALT) pairs whose split genotype still carries, i.e. distinct ALT indexes per genotype.
   * Under {@link Shape#NO_GENOTYPES} every count is 0.
   */
  public record SampleCounts(
      String sample,
      long homRef,
      long snpHet,
      long snpHomAlt,
      long indelHet,
      long indelHomAlt,
      long missing,
      long otherNonRef,
      long partial,
      long carriedAlleles) {

    public long het() {
      return snpHet + indelHet;
    }

    public long homAlt() {
      return snpHomAlt + indelHomAlt;
    }

    /** Genotypes carrying at least one ALT allele. */
    public long nonRef() {
      return het() + homAlt() + otherNonRef;
    }

    /** Every genotype: one per record (0 without GT). */
    public long total() {
      return homRef + nonRef() + missing;
    }
  }

  /**
   * What was written. The record kinds are disjoint: {@code records = snpRecords + indelRecords +
   * multiallelicRecords + symbolicRecords + breakendRecords + spanningDeletionRecords} (the last three
   * are 0 without the shapes that add them). {@code bcftools stats} counts differently (a multiallelic
   * SNP site is also a SNP), so for files without those shapes compare its SN lines with {@link
   * #bcftoolsSnps()}, {@link #bcftoolsIndels()}, {@code multiallelicRecords} ("multiallelic sites")
   * and {@code multiallelicSnpRecords} ("multiallelic SNP sites").
   *
   * @param symbolicRecords records with a symbolic ALT: {@code <DEL>}, {@code X,<NON_REF>}, {@code <*>}
   * @param breakendRecords records whose ALT is a breakend
   * @param spanningDeletionRecords records with a {@code *} ALT (the deletion before each is an indel)
   * @param normalisedRecords ALT alleles over all records: the records {@code bcftools norm -m-any} gives
   */
  public record Stats(
      long records,
      long snpRecords,
      long indelRecords,
      long multiallelicRecords,
      long multiallelicSnpRecords,
      List<SampleCounts> samples,
      long symbolicRecords,
      long breakendRecords,
      long spanningDeletionRecords,
      long normalisedRecords) {

    public Stats {
      samples = List.copyOf(samples);
    }

    /** Relationships a graph of the normalised file holds: carried alleles over all samples. */
    public long carriedAlleles() {
      return samples.stream().mapToLong(SampleCounts::carriedAlleles).sum();
    }

    /** {@code bcftools stats} "number of SNPs": biallelic plus multiallelic SNP sites. */
    public long bcftoolsSnps() {
      return snpRecords + multiallelicSnpRecords;
    }

    /** {@code bcftools stats} "number of indels": biallelic plus multiallelic indel sites. */
    public long bcftoolsIndels() {
      return indelRecords + multiallelicRecords - multiallelicSnpRecords;
    }

    /** Non-ref genotypes over all samples. */
    public long nonRefGenotypes() {
      return samples.stream().mapToLong(SampleCounts::nonRef).sum();
    }
  }

  /**
   * Writes the VCF to {@code out} (BGZF plus {@code out + ".tbi"} when {@link Spec#bgzip()}), streaming.
   *
   * @return the counts of what was written
   */
  public static Stats write(Spec spec, Path out) throws IOException {
    requireNonNull(spec, "spec");
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    if (!spec.bgzip()) {
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
        return new Engine(spec).run(os, null);
      }
    }
    Path tbi = indexPath(out);
    Files.deleteIfExists(tbi);
    TabixIndexCreator indexer = new TabixIndexCreator(dictionary(spec.contigs()), TabixFormat.VCF);
    Stats stats;
    Index index;
    try (BlockCompressedOutputStream bgzf =
        new BlockCompressedOutputStream(Files.newOutputStream(out), out, BGZF_COMPRESSION_LEVEL)) {
      stats = new Engine(spec).run(bgzf, new Indexing(bgzf, indexer));
      index = indexer.finalizeIndex(bgzf.getFilePointer());
    }
    index.write(tbi);
    return stats;
  }

  /** Where {@link #write} puts the tabix index of a BGZF output. */
  public static Path indexPath(Path out) {
    return out.resolveSibling(out.getFileName() + ".tbi");
  }

  /** The counts {@link #write} would return, without writing anything. */
  public static Stats stats(Spec spec) {
    try {
      return new Engine(spec).run(OutputStream.nullOutputStream(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * How many records of {@code spec} overlap {@code contig:start-end} (1-based, inclusive): what
   * {@code bcftools view -r contig:start-end} returns. Runs only the site stream, not the genotypes.
   */
  public static long countOverlapping(Spec spec, String contig, long start, long end) {
    Engine engine = new Engine(spec);
    long count = 0;
    while (engine.nextSite()) {
      if (engine.contigName().equals(contig) && engine.pos <= end && engine.pos + engine.span() - 1 >= start) {
        count++;
      }
    }
    return count;
  }

  /**
   * Writes the {@link Malformation#NON_NUMERIC_POS} file to {@code dir}: bcftools 1.16 accepts it, htsjdk
   * rejects line {@value #MALFORMED_LINE}.
   */
  public static Path malformed(Path dir) throws IOException {
    return malformed(dir, Malformation.NON_NUMERIC_POS);
  }

  /**
   * Writes a small uncompressed VCF whose line {@value #MALFORMED_LINE} (a record) is broken as {@code
   * kind} says; every other line is valid. Returns {@code dir/kind.fileName()}.
   */
  public static Path malformed(Path dir, Malformation kind) throws IOException {
    Files.createDirectories(dir);
    ByteArrayOutputStream valid = new ByteArrayOutputStream();
    new Engine(Malformation.BASE_SPEC).run(valid, null);
    List<String> lines = new ArrayList<>(List.of(valid.toString(StandardCharsets.US_ASCII).split("\n")));
    String line = lines.get(MALFORMED_LINE - 1);
    if (line.startsWith("#")) throw new IllegalStateException("line " + MALFORMED_LINE + " is not a record");
    lines.set(MALFORMED_LINE - 1, kind.corrupt(line));
    Path out = dir.resolve(kind.fileName());
    Files.writeString(out, String.join("\n", lines) + "\n", StandardCharsets.US_ASCII);
    return out;
  }

  /** Writes every {@link Malformation} to {@code dir}, in declaration order. */
  public static List<Path> malformedAll(Path dir) throws IOException {
    List<Path> paths = new ArrayList<>();
    for (Malformation kind : Malformation.values()) paths.add(malformed(dir, kind));
    return Collections.unmodifiableList(paths);
  }

  static long[] allocate(long variants, List<Contig> contigs) {
    BigInteger total = BigInteger.ZERO;
    for (Contig c : contigs) total = total.add(BigInteger.valueOf(c.length()));
    long[] counts = new long[contigs.size()];
    BigInteger[] remainders = new BigInteger[contigs.size()];
    long assigned = 0;
    for (int i = 0; i < counts.length; i++) {
      BigInteger share = BigInteger.valueOf(variants).multiply(BigInteger.valueOf(contigs.get(i).length()));
      BigInteger[] qr = share.divideAndRemainder(total);
      counts[i] = qr[0].longValueExact();
      remainders[i] = qr[1];
      assigned += counts[i];
    }
    // Largest remainders first; ties go to the earlier contig.
    for (long left = variants - assigned; left > 0; left--) {
      int best = 0;
      for (int i = 1; i < counts.length; i++) {
        if (remainders[i].compareTo(remainders[best]) > 0) best = i;
      }
      counts[best]++;
      remainders[best] = BigInteger.valueOf(-1);
    }
    return counts;
  }

  private static SAMSequenceDictionary dictionary(List<Contig> contigs) {
    List<SAMSequenceRecord> records = new ArrayList<>();
    for (Contig c : contigs) records.add(new SAMSequenceRecord(c.name(), (int) c.length()));
    return new SAMSequenceDictionary(records);
  }

  /** Feeds the tabix indexer with each record's span and the virtual offset of its first byte. */
  private record Indexing(BlockCompressedOutputStream bgzf, TabixIndexCreator indexer) {}

  /** The span of one record, as the tabix indexer wants it. */
  private record Span(String getContig, int getStart, int getEnd) implements Feature {}

  /** Record kinds, disjoint. */
  private enum Kind {
    SNP,
    INDEL,
    MULTI_SNP,
    MULTI_INDEL,
    /** {@code <DEL>}, {@code X,<NON_REF>} or {@code <*>}. */
    SYMBOLIC,
    BREAKEND,
    /** {@code X,*} inside the deletion written just before. */
    SPANNING
  }

  /**
   * One pass over the spec. Sites (position, kind, alleles, QUAL) come from one random stream, genotypes
   * from a second, so the sites do not depend on the number of samples.
   *
   * <p>Two record paths: {@link #sampleColumns} is the original diploid, unphased, fully declared
   * one, kept draw for draw so default outputs never change; {@link #shapedSampleColumns} handles
   * every {@link Shape} and is only taken when a shape changes what records look like.
   */
  private static final class Engine {
    private static final byte[] MISSING_GT = ascii("./.:.");
    private static final byte[] TAB_DOT_TAB = ascii("\t.\t");
    private static final byte[] MISSING_QUAL_PASS = ascii(".\tPASS\t");
    private static final byte[] LOW_QUAL = ascii("LowQual\t");
    private static final byte[] PASS = ascii("PASS\t");
    private static final byte[] INFO_DP = ascii("DP=");
    private static final byte[] INFO_AN = ascii(";AN=");
    private static final byte[] INFO_AC = ascii(";AC=");
    private static final byte[] INFO_AF = ascii(";AF=");
    private static final byte[] FORMAT = ascii("\tGT:DP");
    private static final byte[] SYMBOLIC_DEL = ascii("<DEL>");
    private static final byte[] NON_REF = ascii("<NON_REF>");
    private static final byte[] ANY_ALLELE = ascii("<*>");
    private static final byte[] STAR = ascii("*");
    private static final int MAX_PLOIDY = 3;

    private final Spec spec;
    private final long[] perContig;
    private final SplittableRandom sites;
    private final SplittableRandom genotypes;
    private final long refMix;
    private final double snpCut;
    private final double indelCut;
    private final double weightTotal;
    private final byte[][] contigNames;
    private final LineBuffer line = new LineBuffer();

    // Shapes, resolved once.
    private final boolean shapedRecords;
    private final Shape[] recordKindShapes;
    private final boolean undeclared;
    private final boolean noGenotypes;
    private final boolean ploidyMix;
    private final boolean phased;
    private final boolean partialCalls;

    // Counters.
    private final long[] homRef;
    private final long[] snpHet;
    private final long[] snpHomAlt;
    private final long[] indelHet;
    private final long[] indelHomAlt;
    private final long[] missing;
    private final long[] otherNonRef;
    private final long[] partial;
    private final long[] carried;
    private long records;
    private long snps;
    private long indels;
    private long multiSnps;
    private long multiIndels;
    private long symbolic;
    private long breakends;
    private long spanning;
    private long normalised;

    // Cursor.
    private int contig;
    private long indexInContig = -1;
    private long stride;

    // The current site.
    long pos;
    int refLength;
    /** Bases the record covers when more than its REF (symbolic alleles with END); 0 means refLength. */
    private int spanLength;
    private final byte[] ref = new byte[MAX_INDEL_LENGTH + 1];
    private byte[][] alts = new byte[3][MAX_INDEL_LENGTH + 2];
    private final int[] altLengths = new int[3];
    private int altCount;
    private Kind kind;
    private int qualTenths;
    /** INFO fields written before DP (SVTYPE, SVLEN, END), each ending with ';'. */
    private final LineBuffer infoPrefix = new LineBuffer();
    private boolean undeclaredFilter;
    private int undeclaredInfo;
    /** Position of the {@code *} record owed after a spanning deletion; 0 when none. */
    private long pendingStar;

    // Scratch for genotypes.
    private final int[] alleleCounts = new int[4];
    private final int[] weights = new int[4];
    private final int[] call = new int[MAX_PLOIDY];

    Engine(Spec spec) {
      this.spec = spec;
      this.perContig = spec.recordsPerContig();
      SplittableRandom root = new SplittableRandom(spec.seed());
      this.sites = root.split();
      this.genotypes = root.split();
      this.refMix = mix64(spec.seed() ^ 0x5DEECE66DL);
      this.weightTotal = spec.snpFraction() + spec.indelFraction() + spec.multiallelicFraction();
      this.snpCut = spec.snpFraction();
      this.indelCut = spec.snpFraction() + spec.indelFraction();
      this.contigNames = new byte[spec.contigs().size()][];
      for (int i = 0; i < contigNames.length; i++) {
        contigNames[i] = spec.contigs().get(i).name().getBytes(StandardCharsets.US_ASCII);
      }
      this.recordKindShapes = spec.shapes().stream().filter(Shape::addsRecordKinds).toArray(Shape[]::new);
      this.undeclared = spec.has(Shape.UNDECLARED_KEYS);
      this.noGenotypes = spec.has(Shape.NO_GENOTYPES);
      this.ploidyMix = spec.has(Shape.PLOIDY_MIX);
      this.phased = spec.has(Shape.PHASED);
      this.partialCalls = spec.has(Shape.PARTIAL_CALLS);
      // NO_CONTIG_LINES alone changes the header only: its records take the original path.
      this.shapedRecords = spec.shapes().stream().anyMatch(s -> s != Shape.NO_CONTIG_LINES);
      int n = spec.samples();
      this.homRef = new long[n];
      this.snpHet = new long[n];
      this.snpHomAlt = new long[n];
      this.indelHet = new long[n];
      this.indelHomAlt = new long[n];
      this.missing = new long[n];
      this.otherNonRef = new long[n];
      this.partial = new long[n];
      this.carried = new long[n];
    }

    String contigName() {
      return spec.contigs().get(contig).name();
    }

    /** Bases the current record covers, from {@link #pos}: what tabix and region queries see. */
    int span() {
      return spanLength > 0 ? spanLength : refLength;
    }

    Stats run(OutputStream out, Indexing indexing) throws IOException {
      writeHeader(out);
      while (nextSite()) {
        long offset = indexing == null ? 0 : indexing.bgzf().getFilePointer();
        line.clear();
        appendRecord();
        line.writeTo(out);
        if (indexing != null) {
          indexing.indexer().addFeature(new Span(contigName(), (int) pos, (int) (pos + span() - 1)), offset);
        }
      }
      List<SampleCounts> counts = new ArrayList<>(spec.samples());
      for (int s = 0; s < spec.samples(); s++) {
        counts.add(new SampleCounts(
            sampleName(s), homRef[s], snpHet[s], snpHomAlt[s], indelHet[s], indelHomAlt[s], missing[s],
            otherNonRef[s], partial[s], carried[s]));
      }
      return new Stats(
          records, snps, indels, multiSnps + multiIndels, multiSnps, counts, symbolic, breakends, spanning, normalised);
    }

    private void writeHeader(OutputStream out) throws IOException {
      LineBuffer h = new LineBuffer();
      h.append("##fileformat=").append(spec.version().fileformat()).append('\n');
      h.append("##FILTER=<ID=PASS,Description=\"All filters passed\">\n");
      h.append("##FILTER=<ID=LowQual,Description=\"QUAL below " + LOW_QUAL_THRESHOLD + "\">\n");
      h.append("##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Read depth summed over samples\">\n");
      h.append("##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes, for each ALT allele\">\n");
      h.append("##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called genotypes\">\n");
      h.append("##INFO=<ID=AF,Number=A,Type=Float,");
      h.append("Description=\"Allele frequency in called genotypes, for each ALT allele\">\n");
      if (spec.has(Shape.SYMBOLIC) || spec.has(Shape.BREAKENDS)) {
        h.append("##INFO=<ID=SVTYPE,Number=1,Type=String,Description=\"Type of structural variant\">\n");
      }
      if (spec.has(Shape.SYMBOLIC)) {
        h.append("##INFO=<ID=SVLEN,Number=.,Type=Integer,");
        h.append("Description=\"Difference in length between REF and ALT alleles\">\n");
        h.append("##INFO=<ID=END,Number=1,Type=Integer,Description=\"End position of the record\">\n");
        h.append("##ALT=<ID=DEL,Description=\"Deletion relative to the reference\">\n");
        h.append("##ALT=<ID=NON_REF,Description=\"Any allele other than the ones listed\">\n");
        h.append("##ALT=<ID=*,Description=\"Any allele other than REF (reference block)\">\n");
      }
      if (!noGenotypes) h.append("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
      h.append("##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n");
      if (!spec.has(Shape.NO_CONTIG_LINES)) {
        for (Contig c : spec.contigs()) {
          h.append("##contig=<ID=").append(c.name()).append(",length=").append(c.length()).append(">\n");
        }
      }
      h.append("##source=vcftrace-devkit VcfGenerator seed=").append(spec.seed()).append('\n');
      h.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO");
      if (spec.samples() > 0) {
        h.append("\tFORMAT");
        for (int s = 0; s < spec.samples(); s++) h.append('\t').append(sampleName(s));
      }
      h.append('\n');
      h.writeTo(out);
    }

    /** Advances to the next site; false at the end. */
    boolean nextSite() {
      indexInContig++;
      while (contig < perContig.length && indexInContig >= perContig[contig]) {
        contig++;
        indexInContig = 0;
      }
      if (contig >= perContig.length) return false;
      if (indexInContig == 0) stride = spec.contigs().get(contig).length() / perContig[contig];
      spanLength = 0;
      if (pendingStar > 0) {
        starSite();
      } else if (recordKindShapes.length > 0 && sites.nextInt(100) < SHAPED_RECORD_PERCENT) {
        shapedSite(recordKindShapes[sites.nextInt(recordKindShapes.length)]);
      } else {
        if (recordKindShapes.length > 0) infoPrefix.clear();
        double u = sites.nextDouble() * weightTotal;
        if (u < snpCut) {
          snpSite();
        } else if (u < indelCut) {
          indelSite();
        } else if (sites.nextInt(1000) < MULTIALLELIC_INDEL_PER_MILLE) {
          multiIndelSite();
        } else {
          multiSnpSite();
        }
      }
      // QUAL comes from the site stream too, so it does not move with the sample count.
      qualTenths = sites.nextInt(100) < MISSING_QUAL_PERCENT ? -1 : 10 + sites.nextInt(9990);
      if (undeclared) {
        undeclaredFilter = sites.nextInt(100) < UNDECLARED_FILTER_PERCENT;
        undeclaredInfo = sites.nextInt(1000);
      }
      return true;
    }

    private void place(int length) {
      refLength = length;
      pos = indexInContig * stride + 1 + sites.nextLong(stride - length + 1);
      for (int i = 0; i < length; i++) ref[i] = refBase(pos + i);
    }

    private void snpSite() {
      place(1);
      altCount = 1;
      altLengths[0] = 1;
      alts[0][0] = otherBase(ref[0], sites.nextInt(3));
      kind = Kind.SNP;
    }

    private void indelSite() {
      if (sites.nextBoolean()) {
        int k = indelLength();
        place(k + 1);
        // Left-aligned iff the last deleted base differs from the anchor; shorten until it does.
        while (k > 0 && ref[k] == ref[0]) k--;
        if (k > 0) {
          refLength = k + 1;
          altCount = 1;
          altLengths[0] = 1;
          alts[0][0] = ref[0];
          kind = Kind.INDEL;
          return;
        }
        // A homopolymer run under the whole window: insert instead, at the same anchor.
        refLength = 1;
      } else {
        place(1);
      }
      altCount = 1;
      insertion(0, indelLength());
      kind = Kind.INDEL;
    }

    private void multiSnpSite() {
      place(1);
      altCount = 2 + sites.nextInt(2);
      int first = sites.nextInt(3);
      int step = sites.nextBoolean() ? 1 : 2;
      for (int i = 0; i < altCount; i++) {
        altLengths[i] = 1;
        alts[i][0] = otherBase(ref[0], (first + i * step) % 3);
      }
      kind = Kind.MULTI_SNP;
    }

    private void multiIndelSite() {
      place(1);
      altCount = 2 + sites.nextInt(2);
      int length = 1 + sites.nextInt(3);
      for (int i = 0; i < altCount; i++) {
        insertion(i, length); // distinct lengths make distinct alleles
        length += 1 + sites.nextInt(2);
      }
      kind = Kind.MULTI_INDEL;
    }

    /** A record of one of the record-kind shapes. */
    private void shapedSite(Shape shape) {
      infoPrefix.clear();
      switch (shape) {
        case SYMBOLIC -> {
          switch (sites.nextInt(3)) {
            case 0 -> { // <DEL>: the anchor base, then k deleted bases given by SVLEN and END
              int k = indelLength();
              symbolicOver(k, SYMBOLIC_DEL);
              infoPrefix.append("SVTYPE=DEL;SVLEN=-").append(k).append(";END=").append(pos + k).append(';');
            }
            case 1 -> { // a gVCF site: one SNP allele and <NON_REF>
              place(1);
              altCount = 2;
              altLengths[0] = 1;
              alts[0][0] = otherBase(ref[0], sites.nextInt(3));
              setAlt(1, NON_REF);
            }
            default -> { // a gVCF reference block <*> over k + 1 bases
              int k = indelLength();
              symbolicOver(k, ANY_ALLELE);
              infoPrefix.append("END=").append(pos + k).append(';');
            }
          }
          kind = Kind.SYMBOLIC;
        }
        case BREAKENDS -> {
          place(1);
          Contig mate = spec.contigs().get(sites.nextInt(spec.contigs().size()));
          long matePos = 1 + sites.nextLong(mate.length());
          String p = mate.name() + ":" + matePos;
          String t = String.valueOf((char) ref[0]);
          String alt = switch (sites.nextInt(4)) {
            case 0 -> t + "[" + p + "[";
            case 1 -> t + "]" + p + "]";
            case 2 -> "]" + p + "]" + t;
            default -> "[" + p + "[" + t;
          };
          altCount = 1;
          setAlt(0, ascii(alt));
          infoPrefix.append("SVTYPE=BND;");
          kind = Kind.BREAKEND;
        }
        case SPANNING_DELETIONS -> {
          // The pair takes this slot and the next (whose slice stays empty), so it needs a next slot.
          if (indexInContig + 1 >= perContig[contig]) {
            snpSite();
            return;
          }
          int k = indelLength();
          place(k + 1);
          while (k > 0 && ref[k] == ref[0]) k--;
          if (k == 0) {
            refLength = 1; // a homopolymer under the window, as in indelSite: a SNP instead
            altCount = 1;
            altLengths[0] = 1;
            alts[0][0] = otherBase(ref[0], sites.nextInt(3));
            kind = Kind.SNP;
            return;
          }
          refLength = k + 1;
          altCount = 1;
          altLengths[0] = 1;
          alts[0][0] = ref[0];
          kind = Kind.INDEL;
          pendingStar = pos + 1 + sites.nextInt(k);
        }
        default -> throw new IllegalStateException("not a record-kind shape: " + shape);
      }
    }

    /** The {@code *} record owed by the deletion before: a SNP allele and {@code *}, inside the deletion. */
    private void starSite() {
      infoPrefix.clear();
      pos = pendingStar;
      pendingStar = 0;
      refLength = 1;
      ref[0] = refBase(pos);
      altCount = 2;
      altLengths[0] = 1;
      alts[0][0] = otherBase(ref[0], sites.nextInt(3));
      setAlt(1, STAR);
      kind = Kind.SPANNING;
    }

    /** A record whose one ALT, {@code allele}, stands for the anchor base and the {@code k} bases after it. */
    private void symbolicOver(int k, byte[] allele) {
      place(k + 1);
      refLength = 1;
      spanLength = k + 1;
      altCount = 1;
      setAlt(0, allele);
    }

    private void setAlt(int i, byte[] allele) {
      if (alts[i].length < allele.length) alts[i] = new byte[allele.length];
      System.arraycopy(allele, 0, alts[i], 0, allele.length);
      altLengths[i] = allele.length;
    }

    /** ALT {@code i} = anchor + {@code length} random bases, the last unlike the anchor. */
    private void insertion(int i, int length) {
      byte[] alt = alts[i];
      alt[0] = ref[0];
      for (int j = 1; j < length; j++) alt[j] = BASES[sites.nextInt(4)];
      alt[length] = otherBase(ref[0], sites.nextInt(3));
      altLengths[i] = length + 1;
    }

    /** Mostly 1-2 bp, as in real call sets; at most {@link #MAX_INDEL_LENGTH}. */
    private int indelLength() {
      int r = sites.nextInt(100);
      if (r < 50) return 1;
      if (r < 70) return 2;
      if (r < 80) return 3;
      if (r < 86) return 4;
      return 5 + sites.nextInt(MAX_INDEL_LENGTH - 4);
    }

    private byte refBase(long position) {
      return BASES[(int) (mix64(refMix + contig * 0x9E3779B97F4A7C15L + position) >>> 62)];
    }

    private void appendRecord() {
      records++;
      normalised += altCount;
      switch (kind) {
        case SNP -> snps++;
        case INDEL -> indels++;
        case MULTI_SNP -> multiSnps++;
        case MULTI_INDEL -> multiIndels++;
        case SYMBOLIC -> symbolic++;
        case BREAKEND -> breakends++;
        case SPANNING -> spanning++;
      }
      line.append(contigNames[contig]).append('\t').append(pos).append(TAB_DOT_TAB);
      line.append(ref, 0, refLength).append('\t');
      for (int i = 0; i < altCount; i++) {
        if (i > 0) line.append(',');
        line.append(alts[i], 0, altLengths[i]);
      }
      line.append('\t');
      if (undeclared && undeclaredFilter) {
        if (qualTenths < 0) {
          line.append('.').append('\t');
        } else {
          line.appendTenths(qualTenths).append('\t');
          if (qualTenths < LOW_QUAL_THRESHOLD * 10) line.append("LowQual;");
        }
        line.append(UNDECLARED_FILTER).append('\t');
      } else if (qualTenths < 0) {
        line.append(MISSING_QUAL_PASS);
      } else {
        line.appendTenths(qualTenths).append('\t');
        line.append(qualTenths < LOW_QUAL_THRESHOLD * 10 ? LOW_QUAL : PASS);
      }
      infoAndSampleColumns();
      line.append('\n');
    }

    private final LineBuffer samplesBuffer = new LineBuffer();

    /**
     * Draws the site's allele weights, then the genotypes, and appends INFO, FORMAT and the sample
     * columns to {@link #line} in the file's style.
     */
    private void infoAndSampleColumns() {
      int alleles = altCount + 1;
      int total = drawAlleleWeights(alleles);
      samplesBuffer.clear();
      if (shapedRecords) {
        shapedSampleColumns(alleles, total);
      } else {
        sampleColumns(alleles, total);
      }
    }

    /** Diploid unphased genotypes drawn with the weights {@link #drawAlleleWeights} left. */
    private void sampleColumns(int alleles, int total) {
      boolean snpSite = kind == Kind.SNP || kind == Kind.MULTI_SNP;
      long depth = 0;
      int called = 0;
      for (int s = 0; s < spec.samples(); s++) {
        samplesBuffer.append('\t');
        if (genotypes.nextInt(100) < MISSING_GENOTYPE_PERCENT) {
          samplesBuffer.append(MISSING_GT, 0, MISSING_GT.length);
          missing[s]++;
          continue;
        }
        int a = draw(alleles, total);
        int b = draw(alleles, total);
        if (a > b) {
          int t = a;
          a = b;
          b = t;
        }
        alleleCounts[a]++;
        alleleCounts[b]++;
        called += 2;
        if (b == 0) {
          homRef[s]++;
        } else if (a == b) {
          (snpSite ? snpHomAlt : indelHomAlt)[s]++;
          carried[s]++;
        } else {
          (snpSite ? snpHet : indelHet)[s]++;
          carried[s] += a == 0 ? 1 : 2;
        }
        int dp = 5 + genotypes.nextInt(60);
        depth += dp;
        samplesBuffer.append((byte) ('0' + a)).append('/').append((byte) ('0' + b)).append(':').append(dp);
      }
      line.append(INFO_DP).append(depth);
      appendAlleleCounts(alleles, called);
      if (spec.samples() > 0) {
        line.append(FORMAT).append(samplesBuffer);
      }
    }

    /**
     * {@link #sampleColumns} for files with shapes: any ploidy from 1 to {@value #MAX_PLOIDY}, phased or
     * not, partly or fully missing, or no GT at all; INFO gets the shapes' fields.
     */
    private void shapedSampleColumns(int alleles, int total) {
      boolean snpSite = kind == Kind.SNP || kind == Kind.MULTI_SNP;
      boolean indelSite = kind == Kind.INDEL || kind == Kind.MULTI_INDEL;
      long depth = 0;
      int called = 0;
      for (int s = 0; s < spec.samples(); s++) {
        samplesBuffer.append('\t');
        if (noGenotypes) {
          int dp = 5 + genotypes.nextInt(60);
          depth += dp;
          samplesBuffer.append(dp);
          if (undeclared) samplesBuffer.append(':').append(genotypes.nextInt(100));
          continue;
        }
        int ploidy = 2;
        if (ploidyMix) {
          int r = genotypes.nextInt(100);
          ploidy = r < 20 ? 1 : r < 30 ? 3 : 2;
        }
        byte separator = phased && genotypes.nextInt(100) < PHASED_PERCENT ? (byte) '|' : (byte) '/';
        if (genotypes.nextInt(100) < MISSING_GENOTYPE_PERCENT) {
          if (partialCalls && genotypes.nextBoolean()) ploidy = 1; // "." for a call of any ploidy
          for (int i = 0; i < ploidy; i++) {
            if (i > 0) samplesBuffer.append(separator);
            samplesBuffer.append('.');
          }
          samplesBuffer.append(":.");
          if (undeclared) samplesBuffer.append(":.");
          missing[s]++;
          continue;
        }
        for (int i = 0; i < ploidy; i++) call[i] = draw(alleles, total);
        if (partialCalls && ploidy > 1 && genotypes.nextInt(100) < PARTIAL_CALL_PERCENT) {
          call[genotypes.nextInt(ploidy)] = -1;
          partial[s]++;
        }
        // Unphased calls are written in ascending order, a missing allele first ("./1"), as callers do.
        if (separator == '/') Arrays.sort(call, 0, ploidy);
        int altMask = 0;
        int first = -1;
        boolean same = true;
        for (int i = 0; i < ploidy; i++) {
          int a = call[i];
          if (i > 0) samplesBuffer.append(separator);
          if (a < 0) {
            samplesBuffer.append('.');
            continue;
          }
          samplesBuffer.append((byte) ('0' + a));
          alleleCounts[a]++;
          called++;
          if (a > 0) altMask |= 1 << a;
          if (first < 0) first = a;
          else if (a != first) same = false;
        }
        if (altMask == 0) {
          homRef[s]++;
        } else {
          carried[s] += Integer.bitCount(altMask);
          if (snpSite) {
            (same ? snpHomAlt : snpHet)[s]++;
          } else if (indelSite) {
            (same ? indelHomAlt : indelHet)[s]++;
          } else {
            otherNonRef[s]++;
          }
        }
        int dp = 5 + genotypes.nextInt(60);
        depth += dp;
        samplesBuffer.append(':').append(dp);
        if (undeclared) samplesBuffer.append(':').append(genotypes.nextInt(100));
      }
      line.append(infoPrefix).append(INFO_DP).append(depth);
      if (!noGenotypes) appendAlleleCounts(alleles, called);
      if (undeclared) line.append(';').append(UNDECLARED_INFO).append('=').append(undeclaredInfo);
      if (spec.samples() > 0) {
        line.append(noGenotypes ? "\tDP" : "\tGT:DP");
        if (undeclared) line.append(':').append(UNDECLARED_FORMAT);
        line.append(samplesBuffer);
      }
    }

    /**
     * Draws a weight per allele into {@link #weights} (the REF weight may be 0, every ALT has some
     * chance), clears {@link #alleleCounts}, and returns the weights' sum for {@link #draw}.
     */
    private int drawAlleleWeights(int alleles) {
      int total = 0;
      for (int a = 0; a < alleles; a++) {
        weights[a] = (a == 0 ? 0 : 1) + genotypes.nextInt(1000);
        total += weights[a];
        alleleCounts[a] = 0;
      }
      return total;
    }

    /** Appends INFO AN, and AC and AF per ALT when anything was called, from {@link #alleleCounts}. */
    private void appendAlleleCounts(int alleles, int called) {
      line.append(INFO_AN).append(called);
      if (called == 0) return;
      line.append(INFO_AC);
      for (int i = 1; i < alleles; i++) {
        if (i > 1) line.append(',');
        line.append(alleleCounts[i]);
      }
      line.append(INFO_AF);
      for (int i = 1; i < alleles; i++) {
        if (i > 1) line.append(',');
        line.appendFraction(alleleCounts[i], called);
      }
    }

    private int draw(int alleles, int total) {
      int r = genotypes.nextInt(total);
      for (int a = 0; a < alleles - 1; a++) {
        r -= weights[a];
        if (r < 0) return a;
      }
      return alleles - 1;
    }

    private static String sampleName(int index) {
      String n = Integer.toString(index + 1);
      return "S" + "0".repeat(Math.max(0, 4 - n.length())) + n;
    }
  }

  /** A base other than {@code base}: choice 0, 1 or 2 picks one of the three. */
  private static byte otherBase(byte base, int choice) {
    int from = switch (base) {
      case 'A' -> 0;
      case 'C' -> 1;
      case 'G' -> 2;
      default -> 3;
    };
    return BASES[(from + 1 + choice) & 3];
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** SplitMix64's finaliser: a good 64-bit hash for the pseudo reference. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
