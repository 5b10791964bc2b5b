package vcftrace.devkit.gen;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code generate}: writes a synthetic VCF with {@link VcfGenerator}, so the demo and the benchmarks
 * can make their inputs from the command line. Prints one summary line with the counts that {@code
 * bcftools stats} should agree with.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    version = "vcftrace devkit generate",
    description = {
      "Write a deterministic synthetic VCF (BGZF + .tbi unless --no-bgzip).",
      "Shapes (--shape A,B or --shape A --shape B) mimic files from the wild:",
      "  no-contig-lines     no ##contig lines",
      "  undeclared-keys     INFO XU, FORMAT XF, FILTER NoCov, undeclared",
      "  no-genotypes        samples without GT (FORMAT DP only)",
      "  ploidy-mix          haploid (1) and triploid (0/1/1) calls too",
      "  phased              most calls phased (0|1)",
      "  partial-calls       ./1, .|0 and . calls",
      "  symbolic            <DEL> (SVLEN, END), X,<NON_REF>, <*> blocks",
      "  breakends           breakend ALTs such as G]chr2:198982]",
      "  spanning-deletions  a deletion, then a * record inside it (4.2+)"
    })
public final class GenerateCommand implements Callable<Integer> {

  @Spec private CommandSpec commandSpec;

  @Option(names = "--variants", paramLabel = "N", description = "Records to write (default: ${DEFAULT-VALUE}).")
  private long variants = VcfGenerator.DEFAULT_VARIANTS;

  @Option(names = "--samples", paramLabel = "N", description = "Sample columns S0001.. (default: ${DEFAULT-VALUE}).")
  private int samples = VcfGenerator.DEFAULT_SAMPLES;

  @Option(
      names = "--contigs",
      paramLabel = "N|NAME:LEN[,NAME:LEN...]",
      description =
          "Either a count N (the first N GRCh38 chromosomes, chr1..) or a comma-separated list of"
              + " NAME:LENGTH (default: chr1,chr2,chr3 at GRCh38 lengths).")
  private String contigs;

  @Option(names = "--snp", paramLabel = "W", description = "Weight of biallelic SNPs (default: ${DEFAULT-VALUE}).")
  private double snp = VcfGenerator.DEFAULT_SNP_FRACTION;

  @Option(names = "--indel", paramLabel = "W", description = "Weight of biallelic indels (default: ${DEFAULT-VALUE}).")
  private double indel = VcfGenerator.DEFAULT_INDEL_FRACTION;

  @Option(
      names = "--multiallelic",
      paramLabel = "W",
      description = "Weight of sites with 2-3 ALTs (default: ${DEFAULT-VALUE}).")
  private double multiallelic = VcfGenerator.DEFAULT_MULTIALLELIC_FRACTION;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Random seed; same seed, same bytes (default: ${DEFAULT-VALUE}).")
  private long seed = VcfGenerator.DEFAULT_SEED;

  @Option(names = "--out", paramLabel = "PATH", required = true, description = "Output file, e.g. sample.vcf.gz.")
  private Path out;

  @Option(names = "--no-bgzip", description = "Write plain text, without a .tbi index.")
  private boolean noBgzip;

  @Option(
      names = "--shape",
      paramLabel = "SHAPE",
      split = ",",
      converter = ShapeConverter.class,
      description = "Shapes to turn on (see above); none by default.")
  private List<Shape> shapes = new ArrayList<>();

  @Option(
      names = "--vcf-version",
      paramLabel = "4.1|4.2|4.3",
      converter = VersionConverter.class,
      description = "The ##fileformat version (default: 4.2).")
  private VcfVersion version = VcfVersion.V4_2;

  @Option(names = "--sites-only", description = "No FORMAT or sample columns (the same as --samples 0).")
  private boolean sitesOnly;

  /** Runs the command on its own, e.g. {@code java -cp "$(cat devkit/target/classpath.txt)" ...GenerateCommand}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GenerateCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    VcfGenerator.Spec spec;
    try {
      spec =
          VcfGenerator.Spec.builder()
              .variants(variants)
              .samples(sitesOnly ? 0 : samples)
              .contigs(contigs == null ? VcfGenerator.DEFAULT_CONTIGS : parseContigs(contigs))
              .snpFraction(snp)
              .indelFraction(indel)
              .multiallelicFraction(multiallelic)
              .seed(seed)
              .bgzip(!noBgzip)
              .shapes(Set.copyOf(shapes))
              .version(version)
              .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(commandSpec.commandLine(), e.getMessage(), e);
    }
    long start = System.nanoTime();
    VcfGenerator.Stats stats = VcfGenerator.write(spec, out);
    long millis = (System.nanoTime() - start) / 1_000_000;
    PrintWriter pw = commandSpec.commandLine().getOut();
    pw.printf(
        "wrote %s: %d records (%d SNP, %d indel, %d multiallelic of which %d SNP%s), %d samples, %d non-ref"
            + " genotypes%s in %d ms%n",
        out,
        stats.records(),
        stats.snpRecords(),
        stats.indelRecords(),
        stats.multiallelicRecords(),
        stats.multiallelicSnpRecords(),
        shapeSummary(spec, stats),
        stats.samples().size(),
        stats.nonRefGenotypes(),
        spec.bgzip() ? ", index " + VcfGenerator.indexPath(out) : "",
        millis);
    pw.flush();
    return 0;
  }

  private static String shapeSummary(VcfGenerator.Spec spec, VcfGenerator.Stats stats) {
    if (spec.shapes().isEmpty() && spec.version() == VcfVersion.V4_2) return "";
    StringBuilder b = new StringBuilder();
    if (stats.symbolicRecords() > 0) b.append(", ").append(stats.symbolicRecords()).append(" symbolic");
    if (stats.breakendRecords() > 0) b.append(", ").append(stats.breakendRecords()).append(" breakend");
    if (stats.spanningDeletionRecords() > 0) b.append(", ").append(stats.spanningDeletionRecords()).append(" with *");
    b.append("; ").append(spec.version().fileformat());
    for (Shape s : spec.shapes()) b.append(", ").append(s.cliName());
    return b.toString();
  }

  /** {@code --shape} values: {@link Shape#parse}. */
  static final class ShapeConverter implements CommandLine.ITypeConverter<Shape> {
    @Override
    public Shape convert(String value) {
      return Shape.parse(value);
    }
  }

  /** {@code --vcf-version} values: {@link VcfVersion#parse}. */
  static final class VersionConverter implements CommandLine.ITypeConverter<VcfVersion> {
    @Override
    public VcfVersion convert(String value) {
      return VcfVersion.parse(value);
    }
  }

  /** {@code N} or {@code NAME:LEN,NAME:LEN...}. */
  static List<VcfGenerator.Contig> parseContigs(String text) {
    String trimmed = text.trim();
    if (trimmed.matches("\\d+")) {
      int n = Integer.parseInt(trimmed);
      if (n < 1 || n > VcfGenerator.GRCH38.size()) {
        throw new IllegalArgumentException("--contigs N must be 1.." + VcfGenerator.GRCH38.size() + ": " + n);
      }
      return VcfGenerator.GRCH38.subList(0, n);
    }
    List<VcfGenerator.Contig> list = new ArrayList<>();
    for (String part : trimmed.split(",")) list.add(VcfGenerator.Contig.parse(part.trim()));
    return list;
  }
}
