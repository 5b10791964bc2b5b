package vcftrace.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.ErrorType;
import vcftrace.common.JobRequest;

/** Validation against the real bcftools and htsjdk, on small hand-written files. */
class ValidateStepTest {
  static final String HEADER = String.join("\n",
      "##fileformat=VCFv4.2",
      "##contig=<ID=chr1,length=100000>",
      "##FILTER=<ID=PASS,Description=\"All filters passed\">",
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2") + "\n";
  static final String GOOD_RECORDS = "chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t1/1\n"
      + "chr1\t200\t.\tC\tT,G\t60\tPASS\t.\tGT\t1/2\t0/0\n"
      + "chr1\t300\t.\tAT\tA\t.\tPASS\t.\tGT\t./.\t0|1\n";

  @TempDir Path tmp;
  final Bcftools bcftools = new Bcftools("bcftools", Duration.ofMinutes(1));

  JobContext job(Path input) throws IOException {
    return new JobContext(JobRequest.of("j", "b", input.toString(), null), input,
        Files.createDirectories(tmp.resolve("scratch")), 0);
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
  }

  StepException invalid(Path file) {
    StepException e = assertThrows(StepException.class, () -> new ValidateStep(bcftools).run(job(file)));
    assertEquals(ErrorType.INVALID_VCF, e.type(), e.getMessage());
    return e;
  }

  @Test
  void validFilePassesAndItsRecordsAreCounted() throws Exception {
    JobContext ctx = job(write("ok.vcf", HEADER + GOOD_RECORDS));
    new ValidateStep(bcftools).run(ctx);
    assertEquals(3, ValidateStep.checkText(tmp.resolve("ok.vcf"), "line "));
  }

  @Test
  void nonNumericPosIsRejectedWithItsLineEvenThoughBcftoolsAcceptsIt() throws Exception {
    Path f = write("pos.vcf", HEADER + GOOD_RECORDS + "chr1\t4x0\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/1\n");
    Process p = new ProcessBuilder("bcftools", "view", "-H", f.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), "bcftools 1.16 accepts this record: the reason htsjdk checks first");
    assertTrue(invalid(f).getMessage().startsWith("line 9: "), invalid(f).getMessage());
  }

  @Test
  void wrongColumnCountNamesTheLine() throws Exception {
    Path f = write("cols.vcf", HEADER + "chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n");
    assertEquals("line 6: 10 columns, the header declares 11", invalid(f).getMessage());
  }

  @Test
  void badGenotypeIsFoundInTheLazyColumns() throws Exception {
    Path f = write("gt.vcf", HEADER + GOOD_RECORDS + "chr1\t400\t.\tA\tG\t50\tPASS\t.\tGT\t0/3\t0/1\n");
    assertTrue(invalid(f).getMessage().startsWith("line 9: "), invalid(f).getMessage());
  }

  @Test
  void undeclaredInfoAndFormatKeysAreRejected() throws Exception {
    assertEquals("line 6: FORMAT field 'DP' is not defined in the header",
        invalid(write("fmt.vcf", HEADER + "chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:3\t0/1:4\n")).getMessage());
    assertEquals("line 6: Fully decoding VariantContext requires header line for all fields, but none was found for XX",
        invalid(write("info.vcf", HEADER + "chr1\t100\t.\tA\tG\t50\tPASS\tXX=1\tGT\t0/1\t0/1\n")).getMessage());
  }

  @Test
  void emptyFileAndNonVcfAreRejected() throws Exception {
    assertEquals("file is empty", invalid(write("empty.vcf", "")).getMessage());
    assertEquals("line 1: not a VCF: the first line must be ##fileformat=VCFv4.x, found 'hello world'",
        invalid(write("hello.vcf", "hello world\n")).getMessage());
  }

  @Test
  void truncatedGzipIsRejected() throws Exception {
    Path full = tmp.resolve("full.vcf.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(full))) {
      StringBuilder sb = new StringBuilder(HEADER);
      for (int i = 1; i <= 5000; i++) sb.append("chr1\t").append(i).append("\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t1/1\n");
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("cut.vcf.gz"), Arrays.copyOf(bytes, bytes.length / 2));
    assertTrue(invalid(cut).getMessage().contains("truncated"), invalid(cut).getMessage());
  }

  @Test
  void theLowestBadLineIsReportedAlthoughBatchesAreDecodedInParallel() throws Exception {
    // bad records in the last and in an early batch: the early one is reported, as a sequential check would
    int records = ValidateStep.BATCH_LINES * 5;
    int early = ValidateStep.BATCH_LINES + 17;
    StringBuilder sb = new StringBuilder(HEADER);
    for (int i = 1; i <= records; i++) {
      String gt = i == early || i == records - 3 ? "0/7" : "0/1";
      sb.append("chr1\t").append(i).append("\t.\tA\tG\t50\tPASS\t.\tGT\t").append(gt).append("\t1/1\n");
    }
    Path f = write("two-bad.vcf", sb.toString());
    int headerLines = (int) HEADER.lines().count();
    for (int run = 0; run < 5; run++) {
      String message = invalid(f).getMessage();
      assertTrue(message.startsWith("line " + (headerLines + early) + ": "), message);
    }
    Path good = write("good-many.vcf", sb.toString().replace("0/7", "0/1"));
    assertEquals(records, ValidateStep.checkText(good, "line "));
  }

  @Test
  void aBadRecordBeforeTheTruncationIsReportedFirst() throws Exception {
    Path full = tmp.resolve("bad-then-cut.vcf.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(full))) {
      StringBuilder sb = new StringBuilder(HEADER);
      for (int i = 1; i <= 50_000; i++) {
        sb.append("chr1\t").append(i).append("\t.\tA\tG\t50\tPASS\t.\tGT\t").append(i == 10 ? "0/9" : "0/1").append("\t1/1\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("bad-then-cut2.vcf.gz"), Arrays.copyOf(bytes, bytes.length / 2));
    String message = invalid(cut).getMessage();
    assertTrue(message.startsWith("line " + (HEADER.lines().count() + 10) + ": "), message);
  }

  @Test
  void bcftoolsFailureCarriesItsStderr() throws Exception {
    // A BCF is checked by bcftools alone (it is typed binary); text named .bcf makes bcftools fail.
    Path bcf = write("fake.bcf", "this is not BCF\n");
    StepException e = assertThrows(StepException.class, () -> new ValidateStep(bcftools).run(job(bcf)));
    assertEquals(ErrorType.BCFTOOLS_FAILED, e.type());
    assertTrue(e.getMessage().startsWith("bcftools view exited "), e.getMessage());
  }

  @Test
  void aHungBcftoolsIsKilledAtTheTimeout() throws Exception {
    Path fifo = tmp.resolve("never.vcf");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Bcftools quick = new Bcftools("bcftools", Duration.ofMillis(500));
    Instant t0 = Instant.now();
    StepException e = assertThrows(StepException.class, () -> quick.run("view",
        List.of(fifo.toString()), Bcftools.named(), null, Files.createDirectories(tmp.resolve("s"))));
    assertEquals(ErrorType.BCFTOOLS_TIMEOUT, e.type());
    assertEquals("bcftools view ran longer than BCFTOOLS_TIMEOUT=PT0.5S and was killed", e.getMessage());
    assertTrue(Duration.between(t0, Instant.now()).toMillis() >= 500);
  }
}
