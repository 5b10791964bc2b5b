package vcftrace.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.util.BlockCompressedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans against files indexed by the real tabix and bcftools. */
class ShardPlannerTest {
  @TempDir Path tmp;

  private static final String HEADER = """
      ##fileformat=VCFv4.2
      ##contig=<ID=chr1,length=1000>
      ##contig=<ID=chr2,length=250>
      ##contig=<ID=chr3,length=500>
      ##contig=<ID=chrN>
      ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
      #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1
      """;

  @Test
  void windowsTileContigsWithRecordsAndSkipEmptyOnesWithTabix() throws Exception {
    Path vcf = bgzip("a.vcf.gz", HEADER
        + "chr1\t300\t.\tACG\tA\t.\t.\t.\tGT\t0/1\n" // a deletion that spans the 300|301 boundary
        + "chr1\t301\t.\tC\tT\t.\t.\t.\tGT\t1/1\n"
        + "chr1\t1000\t.\tG\tA\t.\t.\t.\tGT\t0/1\n"
        + "chr2\t1\t.\tG\tA\t.\t.\t.\tGT\t0/1\n"
        + "chrN\t5\t.\tG\tA\t.\t.\t.\tGT\t0/1\n"
        + "chrU\t7\t.\tG\tA\t.\t.\t.\tGT\t0/1\n");
    run("tabix", "-p", "vcf", vcf.toString());

    List<String> regions = ShardPlanner.plan(vcf, 300).stream().map(ShardPlanner.Window::region).toList();

    // chr3 has no record, so the tabix index does not name it; chrN has no length; chrU has no ##contig.
    assertEquals(List.of("chr1:1-300", "chr1:301-600", "chr1:601-900", "chr1:901-1000", "chr2:1-250", "chrN", "chrU"),
        regions);
  }

  @Test
  void csiIndexedBcfPlansEveryHeaderContig() throws Exception {
    Path vcf = bgzip("b.vcf.gz", HEADER.replace("##contig=<ID=chrN>\n", "")
        + "chr1\t10\t.\tG\tA\t.\t.\t.\tGT\t0/1\n");
    Path bcf = tmp.resolve("b.bcf");
    run("bcftools", "view", "-Ob", "-o", bcf.toString(), vcf.toString());
    run("bcftools", "index", bcf.toString());

    List<String> regions = ShardPlanner.plan(bcf, 500).stream().map(ShardPlanner.Window::region).toList();

    assertEquals(List.of("chr1:1-500", "chr1:501-1000", "chr2:1-250", "chr3:1-500"), regions);
  }

  @Test
  void missingIndexIsAnErrorThatSaysHowToMakeOne() throws Exception {
    Path vcf = bgzip("c.vcf.gz", HEADER + "chr1\t10\t.\tG\tA\t.\t.\t.\tGT\t0/1\n");

    IOException e = assertThrows(IOException.class, () -> ShardPlanner.plan(vcf, 100));

    assertTrue(e.getMessage().contains("bcftools index --tbi " + vcf), e.getMessage());
  }

  @Test
  void shardSizeMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> ShardPlanner.plan(tmp.resolve("x.vcf.gz"), 0));
  }

  @Test
  void onlyCompressedFormatsAreIndexable() {
    assertTrue(ShardPlanner.indexable(Path.of("a.vcf.gz")));
    assertTrue(ShardPlanner.indexable(Path.of("a.BCF")));
    assertEquals(false, ShardPlanner.indexable(Path.of("a.vcf")));
  }

  private Path bgzip(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    try (OutputStream out = new BlockCompressedOutputStream(p.toFile())) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
