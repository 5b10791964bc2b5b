package vcftrace.worker.store;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small hand-checked inputs shared by the store tests. */
final class StoreTestData {

  static final List<String> SAMPLES = List.of("S1", "S2", "S3");

  /**
   * 20 records, 3 samples. Expected: 20 Lance rows; 18 distinct variants (line 4 has ALT '.',
   * line 6 duplicates line 5's id); 23 CARRIES.
   */
  static final String JOB1 =
      String.join(
          "\n",
          "chr1\t100\tA\tG\t50\tPASS\t0/1\t1/1\t0/0", // S1 HET, S2 HOM_ALT
          "chr1\t150\tC\tT\t.\t.\t./.\t0|1\t1|1", // S2 HET, S3 HOM_ALT
          "chr1\t200\tG\tA\t30.5\tLowQual;q10\t0/0\t0/0\t0/0", // none
          "chr1\t250\tT\t.\t.\t.\t0/0\t0/0\t./.", // ALT '.': Lance only
          "chr1\t300\tA\tAT\t99\tPASS\t1\t0\t.", // S1 HEMI
          "chr1\t300\tA\tAT\t99\tPASS\t0/1\t0/1\t0/1", // duplicate id: ignored in graph
          "chr1\t300\tA\tC\t10\tPASS\t0/1\t./.\t0/0", // S1 HET
          "chr1\t400\tGA\tG\t12\tPASS\t./1\t0/0\t0/0", // S1 HOM_ALT (only called allele is alt)
          "chr1\t500\tC\t*\t5\tPASS\t0/1\t0/0\t0/0", // S1 HET (spanning deletion allele)
          "chr2\t100\tA\tG\t60\tPASS\t1/1\t1/1\t1/1", // 3 x HOM_ALT
          "chr2\t200\tT\tC\t60\tPASS\t0/0\t./.\t.", // none
          "chr2\t300\tG\tT\t60\tPASS\t0|1\t1|0\t0|0", // S1 HET, S2 HET
          "chrX\t1000\tA\tG\t70\tPASS\t1\t0/1\t.", // S1 HEMI, S2 HET
          "chrX\t2000\tC\tG\t70\tPASS\t0\t1\t1/1", // S2 HEMI, S3 HOM_ALT
          "chrX\t3000\tT\tA\t.\tPASS\t./.\t./.\t./.", // none
          "chr3\t10\tA\tG\t1e2\tPASS\t0/1\t0/1\t0/1", // 3 x HET
          "chr3\t20\tA\tG\t20\tPASS\t0/2\t0/0\t0/0", // S1 HET (allele index 2)
          "chr3\t30\tC\tA\t20\tPASS\t0/0\t0/0\t0/1", // S3 HET
          "chr3\t40\tC\tA\t20\tPASS\t0/0\t0/0\t0/0", // none
          "chr3\t50\tG\tC\t20\tPASS\t1/1\t0/0\t0/0") // S1 HOM_ALT
          + "\n";

  static final long JOB1_ROWS = 20;
  static final long JOB1_VARIANTS = 18;
  static final long JOB1_RELS = 23;

  static final List<String> JOB2_SAMPLES = List.of("S1", "S4");

  /** Shares chr1-100-A-G and chr2-100-A-G with JOB1; adds chr9-1-A-T. 3 variants, 4 CARRIES. */
  static final String JOB2 =
      String.join(
          "\n",
          "chr1\t100\tA\tG\t50\tPASS\t0/1\t0/1", // S1 HET, S4 HET
          "chr2\t100\tA\tG\t50\tPASS\t0/0\t1", // S4 HEMI
          "chr9\t1\tA\tT\t50\tPASS\t1/1\t0/0") // S1 HOM_ALT
          + "\n";

  private StoreTestData() {}

  static Path write(Path dir, String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  /**
   * Generates {@code rows} single-sample records on chr1 (every 3rd hom-alt, the rest het), the
   * shape used by the benchmark.
   */
  static Path generate(Path file, long rows, String chrom, long startPos) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder(64);
      for (long i = 0; i < rows; i++) {
        line.setLength(0);
        line.append(chrom).append('\t').append(startPos + i * 3).append('\t')
            .append("ACGT".charAt((int) (i & 3))).append('\t')
            .append("CGTA".charAt((int) (i & 3))).append('\t')
            .append(i % 10 == 0 ? "." : Long.toString(20 + (i % 80))).append('\t')
            .append(i % 7 == 0 ? "LowQual" : "PASS").append('\t')
            .append(i % 3 == 0 ? "1/1" : "0/1").append('\n');
        w.append(line);
      }
    }
    return file;
  }

  /** Single-sample records on chr1..chr4, one every 3 bp, ~1/3 hom-alt. */
  static void generate(Path file, long rows, long offset) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder(96);
      long perChrom = Math.max(1, rows / 4 + 1);
      for (long n = 0; n < rows; n++) {
        long i = n + offset;
        line.setLength(0);
        line.append("chr").append(1 + i / perChrom).append('\t')
            .append(1000 + (i % perChrom) * 3).append('\t')
            .append("ACGT".charAt((int) (i & 3))).append('\t')
            .append("CGTA".charAt((int) (i & 3))).append('\t');
        if (i % 10 == 0) {
          line.append('.');
        } else {
          line.append(20 + (i % 80)).append(".5");
        }
        line.append('\t').append(i % 7 == 0 ? "LowQual" : "PASS").append('\t')
            .append(i % 3 == 0 ? "1/1" : "0/1").append('\n');
        w.append(line);
      }
    }
  }
}
