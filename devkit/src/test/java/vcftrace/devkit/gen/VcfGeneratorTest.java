package vcftrace.devkit.gen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.util.BlockCompressedInputStream;
import htsjdk.samtools.util.CloseableIterator;
import htsjdk.samtools.util.Log;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFFileReader;
import htsjdk.variant.vcf.VCFHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the generator against bcftools and htsjdk, the two readers the pipeline relies on. */
final class VcfGeneratorTest {

  /** Small contigs so that a region query holds hundreds of records. */
  private static final List<VcfGenerator.Contig> SMALL_CONTIGS =
      List.of(
          new VcfGenerator.Contig("chr1", 2_000_000),
          new VcfGenerator.Contig("chr2", 1_500_000),
          new VcfGenerator.Contig("chr3", 1_000_000));

  private static final VcfGenerator.Spec SPEC =
      VcfGenerator.Spec.builder()
          .variants(20_000)
          .samples(3)
          .contigs(SMALL_CONTIGS)
          .multiallelicFraction(0.1)
          .seed(20240601)
          .build();

  @TempDir Path dir;

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() throws IOException {
    Path a = dir.resolve("a.vcf.gz");
    Path b = dir.resolve("b.vcf.gz");
    Path c = dir.resolve("c.vcf.gz");
    VcfGenerator.write(SPEC, a);
    VcfGenerator.write(SPEC, b);
    VcfGenerator.write(SPEC.toBuilder().seed(SPEC.seed() + 1).build(), c);
    assertEquals(-1, Files.mismatch(a, b));
    assertEquals(-1, Files.mismatch(VcfGenerator.indexPath(a), VcfGenerator.indexPath(b)));
    assertTrue(Files.mismatch(a, c) >= 0);
  }

  @Test
  void plainOutputIsTheDecompressedBgzfOutput() throws IOException {
    Path gz = dir.resolve("x.vcf.gz");
    Path plain = dir.resolve("x.vcf");
    VcfGenerator.Stats zipped = VcfGenerator.write(SPEC, gz);
    VcfGenerator.Stats text = VcfGenerator.write(SPEC.toBuilder().bgzip(false).build(), plain);
    assertEquals(zipped, text);
    assertFalse(Files.exists(VcfGenerator.indexPath(plain)));
    try (InputStream in = new BlockCompressedInputStream(gz.toFile())) {
      assertArrayEquals(Files.readAllBytes(plain), in.readAllBytes());
    }
    assertEquals(zipped, VcfGenerator.stats(SPEC));
  }

  @Test
  void sitesDoNotDependOnTheSampleCount() throws IOException {
    Path one = dir.resolve("one.vcf");
    Path five = dir.resolve("five.vcf");
    VcfGenerator.Spec plain = SPEC.toBuilder().variants(2_000).bgzip(false).build();
    VcfGenerator.write(plain.toBuilder().samples(1).build(), one);
    VcfGenerator.write(plain.toBuilder().samples(5).build(), five);
    assertEquals(sites(one), sites(five));
  }

  @Test
  void bcftoolsViewCountsEveryRecord() throws Exception {
    Path vcf = dir.resolve("count.vcf.gz");
    VcfGenerator.Stats stats = VcfGenerator.write(SPEC, vcf);
    assertEquals(SPEC.variants(), stats.records());
    assertEquals(stats.records(), Bcftools.countRecords(vcf.toString()));
    assertEquals(
        stats.records(), stats.snpRecords() + stats.indelRecords() + stats.multiallelicRecords());
  }

  @Test
  void bcftoolsStatsAgreesWithStats() throws Exception {
    Path vcf = dir.resolve("stats.vcf.gz");
    VcfGenerator.Stats stats = VcfGenerator.write(SPEC, vcf);
    Map<String, Long> sn = new HashMap<>();
    Map<String, String[]> psc = new HashMap<>();
    Map<String, String[]> psi = new HashMap<>();
    for (String line : Bcftools.run("stats", "-s", "-", vcf.toString()).check().lines()) {
      String[] f = line.split("\t");
      if (f[0].equals("SN")) sn.put(f[2], Long.parseLong(f[3]));
      if (f[0].equals("PSC")) psc.put(f[2], f);
      if (f[0].equals("PSI")) psi.put(f[2], f);
    }
    assertEquals(stats.records(), sn.get("number of records:"));
    assertEquals(stats.bcftoolsSnps(), sn.get("number of SNPs:"));
    assertEquals(stats.bcftoolsIndels(), sn.get("number of indels:"));
    assertEquals(stats.multiallelicRecords(), sn.get("number of multiallelic sites:"));
    assertEquals(stats.multiallelicSnpRecords(), sn.get("number of multiallelic SNP sites:"));
    assertEquals(0L, sn.get("number of MNPs:"));
    assertEquals(0L, sn.get("number of others:"));
    assertEquals(0L, sn.get("number of no-ALTs:"));
    assertTrue(stats.multiallelicSnpRecords() > 0 && stats.multiallelicRecords() > stats.multiallelicSnpRecords());

    assertEquals(
        List.of("S0001", "S0002", "S0003"),
        stats.samples().stream().map(VcfGenerator.SampleCounts::sample).toList());
    long nonRef = 0;
    for (VcfGenerator.SampleCounts s : stats.samples()) {
      // PSC: [3]nRefHom [4]nNonRefHom [5]nHets ... [8]nIndels ... [13]nMissing; hom/het for SNP sites only.
      String[] c = psc.get(s.sample());
      assertEquals(s.homRef(), Long.parseLong(c[3]), s.sample() + " nRefHom");
      assertEquals(s.snpHomAlt(), Long.parseLong(c[4]), s.sample() + " nNonRefHom");
      assertEquals(s.snpHet(), Long.parseLong(c[5]), s.sample() + " nHets");
      assertEquals(s.indelHet() + s.indelHomAlt(), Long.parseLong(c[8]), s.sample() + " nIndels");
      assertEquals(s.missing(), Long.parseLong(c[13]), s.sample() + " nMissing");
      // PSI: [7]nInsHets [8]nDelHets [9]nInsAltHoms [10]nDelAltHoms
      String[] i = psi.get(s.sample());
      assertEquals(s.indelHet(), Long.parseLong(i[7]) + Long.parseLong(i[8]), s.sample() + " indel hets");
      assertEquals(s.indelHomAlt(), Long.parseLong(i[9]) + Long.parseLong(i[10]), s.sample() + " indel hom-alts");
      assertEquals(stats.records(), s.total());
      nonRef += Long.parseLong(c[4]) + Long.parseLong(c[5]) + Long.parseLong(c[8]);
    }
    assertEquals(stats.nonRefGenotypes(), nonRef);
  }

  @Test
  void tabixIndexAnswersRegionQueries() throws Exception {
    Path vcf = dir.resolve("region.vcf.gz");
    VcfGenerator.write(SPEC, vcf);
    assertEquals(
        List.of("chr1", "chr2", "chr3"),
        new ProcessBuilderLines("tabix", "-l", vcf.toString()).lines());
    long expected = VcfGenerator.countOverlapping(SPEC, "chr1", 1, 100_000);
    assertTrue(expected > 100, "region should hold a few hundred records, holds " + expected);
    assertEquals(expected, Bcftools.countRecords("-r", "chr1:1-100000", vcf.toString()));
    long chr2 = VcfGenerator.countOverlapping(SPEC, "chr2", 700_000, 900_000);
    assertEquals(chr2, Bcftools.countRecords("-r", "chr2:700000-900000", vcf.toString()));
    long[] perContig = SPEC.recordsPerContig();
    assertEquals(perContig[2], Bcftools.countRecords("-r", "chr3", vcf.toString()));
    try (VCFFileReader reader = new VCFFileReader(vcf, true);
        CloseableIterator<VariantContext> it = reader.query("chr1", 1, 100_000)) {
      assertEquals(expected, it.stream().count());
    }
  }

  @Test
  void htsjdkReadsEveryRecordStrictlyWithoutWarnings() throws IOException {
    Path vcf = dir.resolve("strict.vcf.gz");
    VcfGenerator.Stats stats = VcfGenerator.write(SPEC, vcf);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream previous = Log.getGlobalPrintStream();
    Log.setGlobalPrintStream(new PrintStream(log, true, StandardCharsets.UTF_8));
    long records = 0;
    long multiallelic = 0;
    try (VCFFileReader reader = new VCFFileReader(vcf, true)) {
      VCFHeader header = reader.getFileHeader();
      assertEquals(List.of("S0001", "S0002", "S0003"), header.getGenotypeSamples());
      assertEquals(2_000_000, header.getSequenceDictionary().getSequence("chr1").getSequenceLength());
      for (VariantContext vc : reader) {
        VariantContext full = vc.fullyDecode(header, false);
        // AN/AC agree with the genotypes. (Not extraStrictValidation: it also demands that every ALT
        // be seen in some genotype, which VCF does not, and which 0/0-only sites break on purpose.)
        full.validateChromosomeCounts();
        full.validateRSIDs(Set.of());
        assertEquals(".", full.getID());
        assertTrue(full.getGenotypes().stream().allMatch(g -> !g.isPhased() && g.getPloidy() == 2));
        if (full.getAlternateAlleles().size() > 1) multiallelic++;
        records++;
      }
    } finally {
      Log.setGlobalPrintStream(previous);
    }
    assertEquals(stats.records(), records);
    assertEquals(stats.multiallelicRecords(), multiallelic);
    assertEquals("", log.toString(StandardCharsets.UTF_8));
  }

  @Test
  void sitesOnlyAndEmptyFilesAreValidToo() throws Exception {
    Path sitesOnly = dir.resolve("sites.vcf.gz");
    VcfGenerator.Stats stats = VcfGenerator.write(SPEC.toBuilder().samples(0).variants(500).build(), sitesOnly);
    assertEquals(500, Bcftools.countRecords(sitesOnly.toString()));
    assertTrue(stats.samples().isEmpty());
    try (VCFFileReader reader = new VCFFileReader(sitesOnly, true)) {
      assertFalse(reader.getFileHeader().hasGenotypingData());
      assertEquals(500, reader.iterator().stream().count());
    }
    Path empty = dir.resolve("empty.vcf.gz");
    assertEquals(0, VcfGenerator.write(SPEC.toBuilder().variants(0).build(), empty).records());
    assertEquals(0, Bcftools.countRecords(empty.toString()));
    assertEquals(0, Bcftools.countRecords("-r", "chr1:1-100000", empty.toString()));
    Path one = dir.resolve("one.vcf.gz");
    VcfGenerator.write(SPEC.toBuilder().variants(1).build(), one);
    assertEquals(1, Bcftools.countRecords("-r", "chr1", one.toString()));
    assertEquals(0, Bcftools.countRecords("-r", "chr3", one.toString()));
  }

  @Test
  void specRejectsContigsTooShortForTheRecords() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SPEC.toBuilder().contigs(List.of(new VcfGenerator.Contig("chr1", 1_000))).build());
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SPEC.toBuilder().snpFraction(-1).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SPEC.toBuilder().snpFraction(0).indelFraction(0).multiallelicFraction(0).build());
  }

  @Test
  void defaultsUseThreeContigsAndOneSample() throws Exception {
    VcfGenerator.Spec spec = VcfGenerator.Spec.defaults();
    assertEquals(List.of("chr1", "chr2", "chr3"), spec.contigs().stream().map(VcfGenerator.Contig::name).toList());
    Path vcf = dir.resolve("defaults.vcf.gz");
    VcfGenerator.Stats stats = VcfGenerator.write(spec, vcf);
    assertEquals(VcfGenerator.DEFAULT_VARIANTS, stats.records());
    assertEquals(1, stats.samples().size());
    String header = Bcftools.run("view", "-h", vcf.toString()).check().stdout();
    assertTrue(header.contains("##contig=<ID=chr1,length=248956422>"), header);
    assertTrue(header.contains("##fileformat=VCFv4.2"), header);
  }

  @Test
  void writesAMillionRecordsQuickly() throws IOException {
    VcfGenerator.Spec spec = VcfGenerator.Spec.defaults().toBuilder().variants(1_000_000).build();
    long start = System.nanoTime();
    VcfGenerator.Stats stats = VcfGenerator.write(spec, dir.resolve("million.vcf.gz"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1_000_000, stats.records());
    // About 1.5 s on a 2-core machine; the bound only catches a regression to per-record objects.
    assertTrue(millis < 30_000, "took " + millis + " ms");
  }

  private static List<String> sites(Path plainVcf) throws IOException {
    return Files.readAllLines(plainVcf).stream()
        .filter(l -> !l.startsWith("#"))
        .map(l -> String.join("\t", List.of(l.split("\t")).subList(0, 7)))
        .toList();
  }

  /** Output lines of a short command. */
  private record ProcessBuilderLines(String... command) {
    List<String> lines() throws IOException, InterruptedException {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor());
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }
}
