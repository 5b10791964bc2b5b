package vcftrace.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.util.BlockCompressedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import vcftrace.common.ErrorType;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;

/**
 * Validation and header completion against the real bcftools, on small hand-written files: every
 * MUST of the spec refused with its line and rule, every recommendation accepted with a warning.
 */
class ValidateStepTest {
  static final String HEADER = String.join("\n",
      "##fileformat=VCFv4.2",
      "##contig=<ID=chr1,length=100000>",
      "##FILTER=<ID=PASS,Description=\"All filters passed\">",
      "##INFO=<ID=AC,Number=A,Type=Integer,Description=\"x\">",
      "##INFO=<ID=AD,Number=R,Type=Integer,Description=\"x\">",
      "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"x\">",
      "##INFO=<ID=DB,Number=0,Type=Flag,Description=\"x\">",
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
      "##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"x\">",
      "##FORMAT=<ID=GQ,Number=1,Type=Float,Description=\"x\">",
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2") + "\n";
  static final int HEADER_LINES = 11;
  static final String GOOD_RECORDS = "chr1\t100\t.\tA\tG\t50\tPASS\tAC=1;DP=3;DB\tGT:PL\t0/1:0,1,2\t1/1:.\n"
      + "chr1\t200\t.\tC\tT,G\t60\tPASS\tAC=1,2;AD=1,2,3\tGT\t1/2\t0/0\n"
      + "chr1\t300\t.\tAT\tA\t.\tPASS\t.\tGT:GQ\t./.:.\t0|1:3.5e1\n"
      + "chr1\t400\t.\tA\t<DEL>,*,G]chr1:500]\t.\t.\t.\tGT\t1\t0/1/3\n";

  static final ExecutorService CHECKERS = Executors.newFixedThreadPool(2);

  @TempDir Path tmp;
  final Bcftools bcftools = new Bcftools("bcftools", Duration.ofMinutes(1));
  final Bcftools tabix = new Bcftools("tabix", "tabix", Duration.ofMinutes(1));

  @AfterAll
  static void shutdown() {
    CHECKERS.shutdownNow();
  }

  JobContext job(Path input) throws IOException {
    return new JobContext(JobRequest.of("j", "b", input.toString(), null), input,
        Files.createTempDirectory(tmp, "scratch"), 0);
  }

  ValidateStep step(boolean strict) {
    return new ValidateStep(bcftools, tabix, CHECKERS, strict);
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(tmp.resolve(name), text, StandardCharsets.ISO_8859_1);
  }

  String invalid(Path file) {
    StepException e = assertThrows(StepException.class, () -> step(false).run(job(file)));
    assertEquals(ErrorType.INVALID_VCF, e.type(), e.getMessage());
    return e.getMessage();
  }

  String invalidRecord(String record) throws IOException {
    return invalid(write("r.vcf", HEADER + GOOD_RECORDS + record + "\n"));
  }

  @Test
  void validFileIsCountedPerAltAlleleAndUsedAsItIs() throws Exception {
    Path f = write("ok.vcf", HEADER + GOOD_RECORDS);
    JobContext ctx = job(f);
    step(false).run(ctx);
    assertEquals(4, ctx.count(ValidateStep.RECORDS_READ));
    assertEquals(1 + 2 + 1 + 3, ctx.count(ValidateStep.EXPECTED_ROWS));
    assertEquals(f, ctx.prepared(), "a complete header needs no copy");
    assertEquals(0, ctx.warningsTotal(), ctx.warnings().toString());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiterString = "=>", quoteCharacter = '"', textBlock = """
      chr1\t4x0\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/1 => POS must be an integer
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT\t0/1 => a record must have one column per column of the #CHROM line (11) (10 columns)
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/1\t0/1 => (12 columns)
      chr1\t500\t.\tA\tG\t50\tPASS\t\tGT\t0/1\t0/1 => a column must not be empty (a missing value is written '.') (INFO is empty)
      chr1\t500\t.\t*\tG\t50\tPASS\t.\tGT\t0/1\t0/1 => REF must be one or more of the bases A, C, G, T, N (REF '*')
      chr1\t500\t.\tA\tX\t50\tPASS\t.\tGT\t0/1\t0/1 => an ALT allele must be bases (A, C, G, T, N), *, a symbolic <ID>, or a breakend ('X')
      chr1\t500\t.\tA\ta\t50\tPASS\t.\tGT\t0/1\t0/1 => an ALT allele must differ from REF
      chr1\t500\t.\tA\tG,T,G\t50\tPASS\t.\tGT\t0/1\t0/1 => each ALT allele must be listed once ('G' twice)
      chr1\t500\t.\tA\tG\tabc\tPASS\t.\tGT\t0/1\t0/1 => QUAL must be a number or '.'
      chr1\t500\t.\tA\tG\t50\tPASS\tDP=1.5\tGT\t0/1\t0/1 => a value must be of its declared Type (Integer) (INFO DP value '1.5')
      chr1\t500\t.\tA\tG\t50\tPASS\tAC=1,1\tGT\t0/1\t0/1 => the number of values must match the declared Number=A (INFO AC has 2 value(s), expected 1)
      chr1\t500\t.\tA\tG\t50\tPASS\tAD=1\tGT\t0/1\t0/1 => the number of values must match the declared Number=R (INFO AD has 1 value(s), expected 2)
      chr1\t500\t.\tA\tG\t50\tPASS\tDP=1,2\tGT\t0/1\t0/1 => the number of values must match the declared Number=1
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tPL:GT\t1,2,3:0/1\t.:0/1 => GT must be the first FORMAT key
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT\t0/2\t0/1 => a GT allele index must refer to REF (0) or an ALT allele
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT\t0-1\t0/1 => GT must be allele indices or '.' separated by / or | (sample S1 GT '0-1')
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT:PL\t0/1:1,2\t0/1 => the number of values must match the declared Number=G (FORMAT PL of sample S1 has 2 value(s), expected 3)
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t0/1:x\t0/1 => a value must be of its declared Type (Float) (FORMAT GQ of sample S1 value 'x')
      chr1\t500\t.\tA\tG\t50\tPASS\t.\tGT\t0/1:5\t0/1 => a sample may not have more fields than FORMAT has keys
      """)
  void aRecordBreakingAMustIsRefusedWithItsLineAndRule(String record, String rule) throws Exception {
    String message = invalidRecord(record.strip());
    int line = HEADER_LINES + 5;
    assertTrue(message.startsWith("line " + line + ": "), message);
    assertTrue(message.contains(rule.strip()), message + " should contain " + rule.strip());
  }

  @Test
  void haploidPolyploidPhasedPartialSymbolicAndBreakendCallsAreValid() throws Exception {
    Path f = write("shapes.vcf", HEADER + GOOD_RECORDS
        + "chr1\t600\t.\tA\tG\t.\t.\t.\tGT:PL\t1:0,1\t./1:0,1,2\n" // PL of a haploid call: 2 genotypes
        + "chr1\t700\t.\tA\t<NON_REF>,<*>,.C,A.\t.\t.\t.\tGT\t.|0\t.\n");
    JobContext ctx = job(f);
    step(false).run(ctx);
    assertEquals(1 + 2 + 1 + 3 + 1 + 4, ctx.count(ValidateStep.EXPECTED_ROWS));
  }

  @Test
  void undeclaredNamesAreWarningsAndTheCopyDeclaresThemForBcftools() throws Exception {
    String header = "##fileformat=VCFv4.1\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n";
    Path f = write("bare.vcf", header
        + "chrX\t10\t.\tA\tG,T\t.\tq10\tXX=1;FL\tDP\t3\n"
        + "chrY\t20\t.\tC\tT\t.\tPASS\t.\tDP\t4\n");
    JobContext ctx = job(f);
    step(false).run(ctx);
    List<JobResult.Warning> w = ctx.warnings();
    assertEquals(List.of(
        new JobResult.Warning(3, "contig 'chrX' has no ##contig line in the header"),
        new JobResult.Warning(3, "FILTER 'q10' is not declared in the header"),
        new JobResult.Warning(3, "INFO key 'XX' is not declared in the header; read as String"),
        new JobResult.Warning(3, "INFO key 'FL' is not declared in the header; read as Flag"),
        new JobResult.Warning(3, "FORMAT key 'DP' is not declared in the header; read as String"),
        new JobResult.Warning(4, "contig 'chrY' has no ##contig line in the header")), w);
    String copy = Files.readString(ctx.prepared());
    assertTrue(copy.contains("##contig=<ID=chrX>\n##FILTER=<ID=q10,"), copy);
    assertTrue(copy.contains("##INFO=<ID=FL,Number=0,Type=Flag,"), copy);
    assertTrue(copy.contains("##FORMAT=<ID=GT,Number=1,Type=String"), "GT declared for the extract: " + copy);
    assertTrue(copy.endsWith("chrY\t20\t.\tC\tT\t.\tPASS\t.\tDP\t4\n"), copy);

    // and bcftools now keeps every record through norm and query, where it dropped them before
    new StatsStep(bcftools).run(ctx);
    new NormaliseStep(bcftools).run(ctx);
    new ExtractStep(bcftools).run(ctx);
    assertEquals(3, ctx.count(ExtractStep.NORMALISED));
    assertEquals(List.of("chrX\t10\tA\tG\t.\tq10\t.", "chrX\t10\tA\tT\t.\tq10\t.", "chrY\t20\tC\tT\t.\tPASS\t."),
        Files.readAllLines(ctx.variantsTsv()));
  }

  @Test
  void strictModeRefusesWhatLenientModeWarnsAbout() throws Exception {
    Path f = write("bare.vcf", "##fileformat=VCFv4.3\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        + "1\t10\t.\tA\tG\t.\tPASS\t.\n1\t11\t.\tA\tG\t.\tPASS\tXX=2\n");
    StepException e = assertThrows(StepException.class, () -> step(true).run(job(f)));
    assertEquals(ErrorType.INVALID_VCF, e.type());
    assertEquals("line 5: INFO key 'XX' is not declared in the header (VCF_VALIDATION=strict)", e.getMessage());
  }

  @Test
  void headerProblemsNameTheHeaderLine() throws Exception {
    assertEquals("the file is empty", invalid(write("empty.vcf", "")));
    assertEquals("line 1: the first line must be ##fileformat=VCFv4.x (found 'hello world')",
        invalid(write("hello.vcf", "hello world\n")));
    assertEquals("line 3: Type must be Integer, Float, Flag, Character or String (Type=Int)", invalid(write("t.vcf",
        "##fileformat=VCFv4.2\n##contig=<ID=1>\n##INFO=<ID=DP,Number=1,Type=Int,Description=\"d\">\n"
            + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")));
    assertEquals("line 2: the #CHROM line must name the 8 fixed columns, separated by tabs (no tab on the line)",
        invalid(write("spaces.vcf", "##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO\n")));
    assertEquals("line 2: sample names must be unique ('S1' twice)", invalid(write("dup.vcf",
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS1\n")));
  }

  @Test
  void oldNumberConventionsAreReadAsTheFileMeansThem() throws Exception {
    // VCF 4.0: AF declared Number=. (htsjdk would rewrite it to Number=A); old GATK: Number=-1
    Path f = write("v40.vcf", "##fileformat=VCFv4.0\n##contig=<ID=1>\n"
        + "##INFO=<ID=AF,Number=.,Type=Float,Description=\"a\">\n"
        + "##FORMAT=<ID=GL,Number=-1,Type=Float,Description=\"g\">\n"
        + "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n"
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
        + "1\t10\t.\tA\tG\t.\tPASS\tAF=0.1,0.2\tGT:GL\t0/1:-1,-2,-3,-4\n");
    JobContext ctx = job(f);
    step(false).run(ctx);
    assertEquals(List.of(new JobResult.Warning(4, "FORMAT GL has Number=-1; read as Number=.")), ctx.warnings());
  }

  @Test
  void truncatedGzipNamesTheLastGoodLine() throws Exception {
    Path full = tmp.resolve("full.vcf.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(full))) {
      out.write(records(5000, -1).getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("cut.vcf.gz"), Arrays.copyOf(bytes, bytes.length / 2));
    String message = invalid(cut);
    assertTrue(message.matches("line [0-9]+: the file is truncated or corrupt after this line \\(the last good one\\).*"), message);
  }

  @Test
  void aBgzfFileCutAtABlockBoundaryIsRefused() throws Exception {
    // Without its end-of-file block a BGZF file decompresses cleanly: only the missing marker tells.
    Path full = tmp.resolve("full.vcf.gz");
    try (OutputStream out = new BlockCompressedOutputStream(full.toFile())) {
      out.write(records(20_000, -1).getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("cut.vcf.gz"), Arrays.copyOf(bytes, bytes.length - 28)); // the EOF block
    String message = invalid(cut);
    assertEquals("line " + (HEADER_LINES + 20_000) + ": the BGZF file has no end-of-file block: it was cut after this line "
        + "(a file cut at a block boundary; the end-of-file marker of the BGZF specification is missing)", message);
    JobContext ok = job(full);
    step(false).run(ok);
    assertEquals(20_000, ok.count(ValidateStep.RECORDS_READ));
  }

  @Test
  void theLowestBadLineIsReportedAlthoughBatchesAreCheckedInParallel() throws Exception {
    int records = ValidateStep.BATCH_LINES * 5;
    int early = ValidateStep.BATCH_LINES + 17;
    String text = records(records, early).replace("0/7\t1/1\n", "0/7\t1/1\n");
    String both = text.substring(0, text.length() - 1) + "\n" + "chr1\t99999\t.\tA\tG\t50\tPASS\t.\tGT\t0/7\t1/1\n";
    Path f = write("two-bad.vcf", both);
    for (int run = 0; run < 5; run++) {
      String message = invalid(f);
      assertTrue(message.startsWith("line " + (HEADER_LINES + early) + ": "), message);
    }
  }

  @Test
  void aBadRecordBeforeTheTruncationIsReportedFirst() throws Exception {
    Path full = tmp.resolve("bad-then-cut.vcf.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(full))) {
      out.write(records(50_000, 10).getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("bad-then-cut2.vcf.gz"), Arrays.copyOf(bytes, bytes.length / 2));
    String message = invalid(cut);
    assertTrue(message.startsWith("line " + (HEADER_LINES + 10) + ": "), message);
  }

  @Test
  void aBcftoolsFailureCarriesItsStderr() throws Exception {
    Path bcf = write("fake.bcf", "this is not BCF\n");
    StepException e = assertThrows(StepException.class, () -> step(false).run(job(bcf)));
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

  @Test
  void aRecordBcftoolsCannotReadFailsTheJobInsteadOfVanishing() throws Exception {
    // The extract is checked against the records read: a short extract is never stored.
    Path f = write("ok.vcf", HEADER + GOOD_RECORDS);
    JobContext ctx = job(f);
    step(false).run(ctx);
    ctx.count(ValidateStep.EXPECTED_ROWS, ctx.count(ValidateStep.EXPECTED_ROWS) + 1); // as if bcftools lost one
    new NormaliseStep(bcftools).run(ctx);
    StepException e = assertThrows(StepException.class, () -> new ExtractStep(bcftools).run(ctx));
    assertEquals(ErrorType.RECORD_COUNT_MISMATCH, e.type());
    assertEquals("bcftools norm | query gave 7 rows where the file's 4 records make 8 (one per ALT allele)", e.getMessage());
    assertFalse(e.type().isTransient());
  }

  /** HEADER and {@code n} records; record {@code bad} (1-based) has an impossible GT. */
  private static String records(int n, int bad) {
    StringBuilder sb = new StringBuilder(HEADER);
    for (int i = 1; i <= n; i++) {
      sb.append("chr1\t").append(i).append("\t.\tA\tG\t50\tPASS\t.\tGT\t").append(i == bad ? "0/7" : "0/1").append("\t1/1\n");
    }
    return sb.toString();
  }
}
