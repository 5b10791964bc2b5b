package vcftrace.devkit.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code generate} command line, as the demo script calls it. */
final class GenerateCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new GenerateCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void writesWhatTheFlagsAsk() throws Exception {
    Path vcf = dir.resolve("cli.vcf.gz");
    int code =
        run(
            "--variants", "3000", "--samples", "2", "--contigs", "chrA:1000000,chrB:500000", "--snp", "0.5",
            "--indel", "0.3", "--multiallelic", "0.2", "--seed", "9", "--out", vcf.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("3000 records"), out.toString());
    assertTrue(Files.exists(VcfGenerator.indexPath(vcf)));
    VcfGenerator.Spec same =
        VcfGenerator.Spec.builder()
            .variants(3000)
            .samples(2)
            .contigs(List.of(new VcfGenerator.Contig("chrA", 1_000_000), new VcfGenerator.Contig("chrB", 500_000)))
            .snpFraction(0.5)
            .indelFraction(0.3)
            .multiallelicFraction(0.2)
            .seed(9)
            .build();
    Path expected = dir.resolve("api.vcf.gz");
    VcfGenerator.write(same, expected);
    assertEquals(-1, Files.mismatch(expected, vcf));
  }

  @Test
  void noBgzipWritesPlainText() throws Exception {
    Path vcf = dir.resolve("plain.vcf");
    assertEquals(0, run("--variants", "10", "--contigs", "2", "--no-bgzip", "--out", vcf.toString()), err.toString());
    assertTrue(Files.readString(vcf).startsWith("##fileformat=VCFv4.2\n"));
    assertFalse(Files.exists(VcfGenerator.indexPath(vcf)));
    assertEquals(10, Bcftools.countRecords(vcf.toString()));
  }

  @Test
  void shapeVersionAndSitesOnlyFlags() throws Exception {
    Path vcf = dir.resolve("shaped.vcf");
    int code =
        run(
            "--variants", "500", "--samples", "2", "--contigs", "chrA:1000000", "--seed", "4", "--no-bgzip",
            "--shape", "no-contig-lines,symbolic", "--shape", "PHASED", "--vcf-version", "4.3", "--out", vcf.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("VCFv4.3, no-contig-lines, phased, symbolic"), out.toString());
    VcfGenerator.Spec same =
        VcfGenerator.Spec.builder()
            .variants(500)
            .samples(2)
            .contigs(List.of(new VcfGenerator.Contig("chrA", 1_000_000)))
            .seed(4)
            .bgzip(false)
            .shapes(Shape.PHASED, Shape.SYMBOLIC, Shape.NO_CONTIG_LINES)
            .version(VcfVersion.V4_3)
            .build();
    Path expected = dir.resolve("shaped-api.vcf");
    VcfGenerator.write(same, expected);
    assertEquals(-1, Files.mismatch(expected, vcf));

    Path sites = dir.resolve("sites.vcf");
    assertEquals(0, run("--variants", "50", "--sites-only", "--no-bgzip", "--out", sites.toString()), err.toString());
    assertTrue(Files.readAllLines(sites).stream().anyMatch(l -> l.equals("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")));
  }

  @Test
  void badShapesAreUsageErrors() {
    assertEquals(2, run("--shape", "haploid", "--out", dir.resolve("x.vcf").toString()));
    assertTrue(err.toString().contains("unknown shape 'haploid'"), err.toString());
    assertEquals(2, run("--shape", "phased", "--sites-only", "--out", dir.resolve("y.vcf").toString()));
    assertTrue(err.toString().contains("needs samples"), err.toString());
    assertEquals(2, run("--vcf-version", "4.0", "--out", dir.resolve("z.vcf").toString()));
    assertTrue(err.toString().contains("unknown VCF version"), err.toString());
  }

  @Test
  void helpAndBadInput() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().contains("--variants"), out.toString());
    assertEquals(2, run("--variants", "10"), "--out is required");
    assertEquals(2, run("--variants", "100000", "--contigs", "chr1:1000", "--out", dir.resolve("x.vcf.gz").toString()));
    assertTrue(err.toString().contains("too short"), err.toString());
  }
}
