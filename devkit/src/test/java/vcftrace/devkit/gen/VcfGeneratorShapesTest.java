package vcftrace.devkit.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.variant.variantcontext.Genotype;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFFileReader;
import htsjdk.variant.vcf.VCFHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Shape} and {@link VcfVersion}, alone and together, read back by bcftools (and htsjdk):
 * what bcftools finds in the file is what {@link VcfGenerator.Stats} says was written. Where bcftools
 * cannot write the file as BCF (no contig lines, undeclared keys), it reads a {@link CompletedHeader}
 * copy; what it reads from the file as it is (view, query, stats) must agree with that copy.
 */
final class VcfGeneratorShapesTest {

  private static final List<VcfGenerator.Contig> CONTIGS =
      List.of(new VcfGenerator.Contig("chr1", 600_000), new VcfGenerator.Contig("chr2", 400_000));

  private static final VcfGenerator.Spec BASE =
      VcfGenerator.Spec.builder().variants(3_000).samples(3).contigs(CONTIGS).multiallelicFraction(0.08).seed(77).build();

  /** Every shape that can go with every other (no-genotypes excludes the genotype shapes). */
  private static final Set<Shape> ALL_WITH_GT = EnumSet.complementOf(EnumSet.of(Shape.NO_GENOTYPES));

  @TempDir Path dir;

  /** Plain-text outputs of the generator before shapes existed (seeded, so any change shows). */
  @Test
  void defaultOutputsAreByteIdenticalToBeforeShapes() throws Exception {
    List<VcfGenerator.Contig> two =
        List.of(new VcfGenerator.Contig("chr1", 2_000_000), new VcfGenerator.Contig("chr2", 1_500_000));
    VcfGenerator.Spec plain = VcfGenerator.Spec.builder().contigs(two).bgzip(false).build();
    assertEquals("f364acfe40cdf464f2600b39acfb6a6377d7674ca65f1702cc84ba6117130a63",
        sha256(plain.toBuilder().variants(3000).samples(3).multiallelicFraction(0.08).seed(7).build()));
    assertEquals("37100954d622352e9aa5add0823b28cebdf3501e0639db99552c1292dafd4390",
        sha256(plain.toBuilder().variants(1500).samples(1).seed(11).build()));
    assertEquals("21f6dae6affb174448993195cb32ff3aea057998046b013409224a152c216fa8",
        sha256(plain.toBuilder().variants(500).samples(0).seed(1).build()));
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void eachShapeAloneIsReadByBcftoolsAsWritten(Shape shape) throws Exception {
    VcfGenerator.Spec spec = BASE.toBuilder().shapes(shape).build();
    Observed seen = check(spec);
    switch (shape) {
      case NO_CONTIG_LINES -> assertTrue(seen.header.stream().noneMatch(l -> l.startsWith("##contig")));
      case UNDECLARED_KEYS -> {
        assertEquals(
            Set.of("##INFO=<ID=XU,Number=.,Type=String,Description=\"undeclared in the input\">",
                "##FORMAT=<ID=XF,Number=.,Type=String,Description=\"undeclared in the input\">",
                "##FILTER=<ID=NoCov,Description=\"undeclared in the input\">"),
            Set.copyOf(seen.completedLines));
        assertTrue(seen.filters.contains("NoCov") && seen.filters.contains("LowQual;NoCov"), seen.filters::toString);
      }
      case NO_GENOTYPES -> {
        assertTrue(seen.header.stream().noneMatch(l -> l.startsWith("##FORMAT=<ID=GT")));
        assertEquals(Set.of("DP"), seen.formats, "FORMAT of every record");
        assertTrue(seen.gts.stream().allMatch(dp -> dp.matches("\\d+")), "a depth per sample: " + seen.gts);
      }
      case PLOIDY_MIX -> {
        assertTrue(seen.gts.contains("1") && seen.gts.contains("0"), "haploid calls");
        assertTrue(seen.gts.stream().anyMatch(g -> g.matches("\\d/\\d/\\d")), "triploid calls");
      }
      case PHASED -> assertTrue(seen.gts.contains("0|1") && seen.gts.contains("0/1"), "phased and unphased");
      case PARTIAL_CALLS -> {
        assertTrue(seen.gts.contains("./1") && seen.gts.contains("."), "partial and single-dot calls");
        assertTrue(seen.gts.contains("./0") || seen.gts.contains("./."));
      }
      case SYMBOLIC -> {
        for (String alt : List.of("<DEL>", "<NON_REF>", "<*>")) {
          assertTrue(seen.alts.stream().anyMatch(a -> List.of(a.split(",")).contains(alt)), alt);
        }
      }
      case BREAKENDS -> assertTrue(seen.alts.stream().anyMatch(a -> a.matches("[ACGT]\\]chr[12]:\\d+\\]")), "t]p]");
      case SPANNING_DELETIONS -> assertTrue(seen.stats.spanningDeletionRecords() > 10);
    }
  }

  static Stream<Arguments> versions() {
    return Stream.of(
        Arguments.of(VcfVersion.V4_1, EnumSet.complementOf(EnumSet.of(Shape.NO_GENOTYPES, Shape.SPANNING_DELETIONS))),
        Arguments.of(VcfVersion.V4_2, ALL_WITH_GT),
        Arguments.of(VcfVersion.V4_3, ALL_WITH_GT),
        Arguments.of(VcfVersion.V4_3, EnumSet.of(Shape.NO_GENOTYPES, Shape.UNDECLARED_KEYS, Shape.NO_CONTIG_LINES,
            Shape.SYMBOLIC, Shape.BREAKENDS, Shape.SPANNING_DELETIONS)));
  }

  @ParameterizedTest
  @MethodSource("versions")
  void everyShapeTogetherInEachVersion(VcfVersion version, Set<Shape> shapes) throws Exception {
    VcfGenerator.Spec spec = BASE.toBuilder().version(version).shapes(shapes).seed(version.ordinal() + 300).build();
    Observed seen = check(spec);
    assertEquals("##fileformat=" + version.fileformat(), seen.header.get(0));
    assertHtsjdkReadsEveryRecord(spec, seen.stats);
  }

  @Test
  void sitesOnlyWithRecordShapes() throws Exception {
    VcfGenerator.Spec spec = BASE.toBuilder().samples(0).version(VcfVersion.V4_3)
        .shapes(Shape.NO_CONTIG_LINES, Shape.UNDECLARED_KEYS, Shape.SYMBOLIC, Shape.BREAKENDS, Shape.SPANNING_DELETIONS)
        .build();
    Observed seen = check(spec);
    assertTrue(seen.stats.samples().isEmpty());
    assertFalse(seen.columns.contains("FORMAT"));
  }

  /** END-bearing symbolic records and the overlapping * records are indexed by the span they cover. */
  @Test
  void tabixIndexCoversSymbolicSpans() throws Exception {
    VcfGenerator.Spec spec = BASE.toBuilder().variants(20_000).shapes(ALL_WITH_GT).seed(5).build();
    Path vcf = dir.resolve("spans.vcf.gz");
    VcfGenerator.write(spec, vcf);
    for (String[] r : List.of(new String[] {"chr1", "1", "30000"}, new String[] {"chr2", "100000", "101000"},
        new String[] {"chr1", "250001", "251234"})) {
      long start = Long.parseLong(r[1]);
      long end = Long.parseLong(r[2]);
      long expected = VcfGenerator.countOverlapping(spec, r[0], start, end);
      assertTrue(expected > 0);
      assertEquals(expected, Bcftools.countRecords("-r", r[0] + ":" + start + "-" + end, vcf.toString()), r[0]);
    }
    // A <DEL> or <*> block seen from a region that starts after its POS: only its END reaches in.
    List<String> spans = Bcftools.run("query", "-f", "%CHROM\t%POS\t%END\t%ALT\n", "-i", "INFO/END>POS",
        vcf.toString()).check().lines();
    assertTrue(spans.size() > 50, "symbolic records with END: " + spans.size());
    for (String line : spans.subList(0, 20)) {
      String[] f = line.split("\t");
      long end = Long.parseLong(f[2]);
      assertEquals(VcfGenerator.countOverlapping(spec, f[0], end, end),
          Bcftools.countRecords("-r", f[0] + ":" + end + "-" + end, vcf.toString()), line);
    }
  }

  @Test
  void shapesAreDeterministicAndKeepSitesIndependentOfSamples() throws Exception {
    VcfGenerator.Spec spec = BASE.toBuilder().variants(1_000).bgzip(false).shapes(ALL_WITH_GT).build();
    Path a = VcfGeneratorShapesTest.write(spec, dir.resolve("a.vcf"));
    Path b = VcfGeneratorShapesTest.write(spec, dir.resolve("b.vcf"));
    assertEquals(-1, Files.mismatch(a, b));
    Path five = VcfGeneratorShapesTest.write(spec.toBuilder().samples(5).build(), dir.resolve("five.vcf"));
    assertEquals(columns(a, 7), columns(five, 7));
    assertEquals(VcfGenerator.stats(spec), VcfGenerator.write(spec, dir.resolve("c.vcf")));
  }

  @Test
  void contradictoryShapesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BASE.toBuilder().shapes(Shape.NO_GENOTYPES, Shape.PHASED).build());
    assertTrue(e.getMessage().contains("phased"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BASE.toBuilder().samples(0).shapes(Shape.PLOIDY_MIX).build());
    assertTrue(e.getMessage().contains("sites-only"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> BASE.toBuilder().version(VcfVersion.V4_1).shapes(Shape.SPANNING_DELETIONS).build());
    assertTrue(e.getMessage().contains("4.2"), e.getMessage());
    assertEquals(Shape.NO_CONTIG_LINES, Shape.parse("no-contig-lines"));
    assertEquals(Shape.PARTIAL_CALLS, Shape.parse("PARTIAL_CALLS"));
    assertThrows(IllegalArgumentException.class, () -> Shape.parse("haploid"));
    assertEquals(VcfVersion.V4_3, VcfVersion.parse("4.3"));
    assertEquals(VcfVersion.V4_1, VcfVersion.parse("VCFv4.1"));
  }

  // ---------------------------------------------------------------------------------------------

  /** What bcftools reads from one generated file. */
  private record Observed(VcfGenerator.Stats stats, List<String> header, String columns, List<String> completedLines,
      List<String> alts, Set<String> filters, Set<String> gts, Set<String> formats) {}

  /**
   * Writes {@code spec} both as BGZF + .tbi and as plain text, and checks what bcftools reads against
   * the generator's stats: records (view on both, stats SN), record kinds (by ALT), normalised
   * records and per-sample carried alleles (norm -m-any of the completed copy), per-sample genotype
   * classes (query).
   */
  private Observed check(VcfGenerator.Spec spec) throws Exception {
    Path gz = dir.resolve("shape.vcf.gz");
    Path plain = dir.resolve("shape.vcf");
    VcfGenerator.Stats stats = VcfGenerator.write(spec, gz);
    assertEquals(stats, VcfGenerator.write(spec.toBuilder().bgzip(false).build(), plain));
    assertEquals(spec.variants(), stats.records());
    assertEquals(stats.records(), stats.snpRecords() + stats.indelRecords() + stats.multiallelicRecords()
        + stats.symbolicRecords() + stats.breakendRecords() + stats.spanningDeletionRecords());

    // bcftools reads the files as they are, plain and indexed.
    assertEquals(stats.records(), Bcftools.countRecords(plain.toString()));
    assertEquals(stats.records(), Bcftools.countRecords(gz.toString()));
    assertEquals(stats.records(), Bcftools.countRecords("-r", String.join(",", spec.contigs().stream()
        .map(VcfGenerator.Contig::name).toList()), gz.toString()), "every record through the .tbi");
    for (String line : Bcftools.run("stats", plain.toString()).check().lines()) {
      String[] f = line.split("\t");
      if (line.startsWith("SN\t0\tnumber of records:")) assertEquals(stats.records(), Long.parseLong(f[3]));
      if (line.startsWith("SN\t0\tnumber of samples:")) assertEquals(spec.samples(), Long.parseLong(f[3]));
    }

    // Record kinds and genotypes as bcftools query prints them from the file as it is.
    // Without GT in the header bcftools refuses %GT; DP stands in (and the classes stay 0).
    String sampleFormat = spec.has(Shape.NO_GENOTYPES) ? "[\t%DP]" : "[\t%GT]";
    List<String> rows = Bcftools.run("query", "-f", "%REF\t%ALT\t%FILTER" + sampleFormat + "\n", plain.toString())
        .check().lines();
    assertEquals(stats.records(), rows.size());
    long[] kinds = new long[6];
    long normalised = 0;
    List<String> alts = new ArrayList<>();
    Set<String> filters = new java.util.TreeSet<>();
    Set<String> gts = new java.util.TreeSet<>();
    long[][] perSample = new long[spec.samples()][5];
    for (String row : rows) {
      String[] f = row.split("\t");
      alts.add(f[1]);
      filters.add(f[2]);
      List<String> alleles = List.of(f[1].split(","));
      normalised += alleles.size();
      Site site = Site.of(f[0], alleles);
      kinds[site.ordinal()]++;
      for (int s = 0; s < spec.samples(); s++) {
        String gt = f[3 + s];
        gts.add(gt);
        if (spec.has(Shape.NO_GENOTYPES)) continue;
        classify(gt, site, perSample[s]);
      }
    }
    assertEquals(stats.snpRecords(), kinds[Site.SNP.ordinal()], "SNP records");
    assertEquals(stats.indelRecords(), kinds[Site.INDEL.ordinal()], "indel records");
    assertEquals(stats.multiallelicRecords(), kinds[Site.MULTI_SNP.ordinal()] + kinds[Site.MULTI_INDEL.ordinal()]);
    assertEquals(stats.multiallelicSnpRecords(), kinds[Site.MULTI_SNP.ordinal()]);
    assertEquals(stats.breakendRecords() + stats.symbolicRecords() + stats.spanningDeletionRecords(),
        kinds[Site.OTHER.ordinal()]);
    assertEquals(stats.symbolicRecords(), alts.stream().filter(a -> a.contains("<")).count(), "symbolic");
    assertEquals(stats.breakendRecords(), alts.stream().filter(a -> a.matches(".*[\\[\\]].*")).count(), "breakend");
    assertEquals(stats.spanningDeletionRecords(), alts.stream().filter(a -> List.of(a.split(",")).contains("*")).count());
    assertEquals(stats.normalisedRecords(), normalised);
    for (int s = 0; s < spec.samples(); s++) {
      VcfGenerator.SampleCounts c = stats.samples().get(s);
      long[] p = perSample[s];
      assertEquals(c.homRef(), p[0], c.sample() + " hom-ref");
      assertEquals(c.nonRef(), p[1], c.sample() + " non-ref");
      assertEquals(c.missing(), p[2], c.sample() + " missing");
      assertEquals(c.partial(), p[3], c.sample() + " partial");
      assertEquals(c.het() + c.homAlt(), p[4], c.sample() + " non-ref at SNP and indel sites");
    }

    // The completed copy: bcftools can normalise it, and splitting keeps what the generator counted.
    Path completed = CompletedHeader.write(plain, dir.resolve("shape.completed.vcf"));
    List<String> completedLines = CompletedHeader.added(plain, dir.resolve("scratch.vcf"));
    if (!spec.has(Shape.NO_CONTIG_LINES) && !spec.has(Shape.UNDECLARED_KEYS)) {
      assertEquals(List.of(), completedLines, "nothing to complete");
    }
    Bcftools.Result norm = Bcftools.run("norm", "-m-any", "-Ov", completed.toString()).check();
    long split = 0;
    long[] carried = new long[spec.samples()];
    List<String> ids = new ArrayList<>();
    for (String line : norm.lines()) {
      if (line.startsWith("#")) continue;
      split++;
      String[] f = line.split("\t");
      ids.add(f[0] + "-" + f[1] + "-" + f[3] + "-" + f[4]);
      if (f.length <= 9) continue;
      int gtIndex = List.of(f[8].split(":")).indexOf("GT");
      for (int s = 0; s < spec.samples(); s++) {
        if (gtIndex >= 0 && carries(f[9 + s].split(":")[gtIndex])) carried[s]++;
      }
    }
    assertEquals(stats.normalisedRecords(), split, "records after norm -m-any");
    assertEquals(ids.size(), Set.copyOf(ids).size(), "variant ids are distinct after norm");
    for (int s = 0; s < spec.samples(); s++) {
      assertEquals(stats.samples().get(s).carriedAlleles(), carried[s], "carried alleles of S" + (s + 1));
    }
    assertFalse(norm.stderr().contains("not defined"), "the copy declares everything: " + norm.stderr());

    List<String> own = Files.readAllLines(plain).stream().filter(l -> l.startsWith("##")).toList();
    Set<String> formats = new java.util.TreeSet<>();
    for (String line : Files.readAllLines(plain)) {
      String[] f = line.split("\t", 10);
      if (!line.startsWith("#") && f.length > 8) formats.add(f[8]);
    }
    List<String> columns = Files.readAllLines(plain).stream().filter(l -> l.startsWith("#CHROM")).toList();
    if (spec.has(Shape.SPANNING_DELETIONS)) assertStarsLieInTheDeletionBefore(plain);
    return new Observed(stats, own, columns.get(0), completedLines, alts, filters, gts, formats);
  }

  private void assertStarsLieInTheDeletionBefore(Path plain) throws Exception {
    String[] previous = null;
    int stars = 0;
    for (String line : Files.readAllLines(plain)) {
      if (line.startsWith("#")) continue;
      String[] f = line.split("\t", 6);
      if (List.of(f[4].split(",")).contains("*")) {
        stars++;
        assertTrue(previous != null && previous[0].equals(f[0]) && previous[4].length() == 1
            && previous[3].length() > 1, line);
        long delStart = Long.parseLong(previous[1]) + 1;
        long delEnd = Long.parseLong(previous[1]) + previous[3].length() - 1;
        long pos = Long.parseLong(f[1]);
        assertTrue(pos >= delStart && pos <= delEnd, "* at " + pos + " outside " + delStart + "-" + delEnd);
      }
      previous = f;
    }
    assertTrue(stars > 0);
  }

  /**
   * htsjdk decodes every record. It cannot fully decode a key the header does not declare, so a file
   * with undeclared keys is given as its {@link CompletedHeader} copy.
   */
  private void assertHtsjdkReadsEveryRecord(VcfGenerator.Spec spec, VcfGenerator.Stats stats) throws Exception {
    Path plain = dir.resolve("htsjdk.vcf");
    VcfGenerator.write(spec.toBuilder().bgzip(false).build(), plain);
    if (spec.has(Shape.UNDECLARED_KEYS)) plain = CompletedHeader.write(plain, dir.resolve("htsjdk.completed.vcf"));
    long records = 0;
    long haploid = 0;
    try (VCFFileReader reader = new VCFFileReader(plain, false)) {
      VCFHeader header = reader.getFileHeader();
      for (VariantContext vc : reader) {
        VariantContext full = vc.fullyDecode(header, false);
        for (Genotype g : full.getGenotypes()) if (g.getPloidy() == 1 && !g.isNoCall()) haploid++;
        records++;
      }
    }
    assertEquals(stats.records(), records);
    assertEquals(spec.has(Shape.PLOIDY_MIX), haploid > 0);
  }

  /** Record kinds as the test sees them from REF and ALT. */
  private enum Site {
    SNP, INDEL, MULTI_SNP, MULTI_INDEL, OTHER, NONE;

    static Site of(String ref, List<String> alts) {
      boolean bases = alts.stream().allMatch(a -> a.matches("[ACGT]+"));
      if (!bases) return OTHER;
      boolean snp = ref.length() == 1 && alts.stream().allMatch(a -> a.length() == 1);
      if (alts.size() > 1) return snp ? MULTI_SNP : MULTI_INDEL;
      return snp ? SNP : INDEL;
    }
  }

  /** counts: [0] hom-ref, [1] carrying, [2] missing, [3] partial, [4] carrying at SNP/indel sites. */
  private static void classify(String gt, Site site, long[] counts) {
    String[] alleles = gt.split("[/|]");
    int called = 0;
    boolean alt = false;
    for (String a : alleles) {
      if (a.equals(".")) continue;
      called++;
      if (Integer.parseInt(a) > 0) alt = true;
    }
    if (called == 0) {
      counts[2]++;
      return;
    }
    if (called < alleles.length) counts[3]++;
    if (!alt) {
      counts[0]++;
      return;
    }
    counts[1]++;
    if (site != Site.OTHER) counts[4]++;
  }

  static boolean carries(String gt) {
    for (String a : gt.split("[/|]")) {
      if (!a.equals(".") && Integer.parseInt(a) > 0) return true;
    }
    return false;
  }

  private static Path write(VcfGenerator.Spec spec, Path out) throws Exception {
    VcfGenerator.write(spec, out);
    return out;
  }

  private static List<String> columns(Path plain, int n) throws Exception {
    return Files.readAllLines(plain).stream().filter(l -> !l.startsWith("#"))
        .map(l -> String.join("\t", List.of(l.split("\t")).subList(0, n))).toList();
  }

  private String sha256(VcfGenerator.Spec spec) throws Exception {
    Path out = dir.resolve("golden.vcf");
    VcfGenerator.write(spec, out);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out)));
  }
}
