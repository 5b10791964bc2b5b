package vcftrace.devkit.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import vcftrace.devkit.gen.CompletedHeader;

/**
 * What the stores should hold for one file that keeps the VCF specification's MUSTs, computed without
 * the worker. bcftools 1.16 drops records whose contig, INFO, FORMAT or FILTER the header does not
 * declare when it writes BCF (declaring them is only a recommendation), so the header is completed
 * first by the tests' own {@link CompletedHeader} (which also declares GT whenever the header lacks it,
 * used or not, for the {@code %GT} of the query). The completed copy then goes through {@code bcftools
 * norm -m-any | bcftools query}, and the row count is cross-checked with a plain text count of the
 * copy: one row per ALT allele, one for a record without ALT.
 *
 * @param dataLines records in the file (its non-empty lines after {@code #CHROM})
 * @param textRows sum over the records of max(1, number of ALT alleles)
 * @param addedHeaderLines what the completion added (empty when the header declared everything)
 * @param samples sample columns, in file order
 * @param rows the normalised records, in file order
 * @param bcftoolsStderr what bcftools printed while reading the completed copy
 */
record CorpusTruth(long dataLines, long textRows, List<String> addedHeaderLines, List<String> samples,
    List<Row> rows, String bcftoolsStderr) {

  /** The query format of the truth: the variant id as the stores spell it, QUAL, FILTER, one GT per sample. */
  static final String QUERY_FORMAT = "%CHROM-%POS-%REF-%ALT\\t%QUAL\\t%FILTER[\\t%GT]\\n";

  /** One normalised record: {@code id} is CHROM-POS-REF-ALT; {@code qual} and {@code filter} as bcftools prints them. */
  record Row(String id, String qual, String filter, List<String> genotypes) {
    /** A record without ALT ({@code ALT=.}): a Lance row, but no Kuzu variant. */
    boolean noAlt() {
      return id.endsWith("-.");
    }
  }

  long normalisedRecords() {
    return rows.size();
  }

  /** Distinct variant ids that have an ALT allele: the Kuzu Variant nodes of the job. */
  Set<String> variantIds() {
    Set<String> ids = new LinkedHashSet<>();
    for (Row r : rows) if (!r.noAlt()) ids.add(r.id());
    return ids;
  }

  /**
   * The CARRIES relationships of the job as {@code sample \t variant id \t GT}: a sample carries a
   * variant when an allele index of its GT is above 0 ({@code ./1} carries; a sample without GT, which
   * bcftools prints as {@code .}, carries nothing). A variant listed twice is taken from its first record.
   */
  Set<String> carries() {
    Set<String> out = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    for (Row r : rows) {
      if (r.noAlt() || !seen.add(r.id())) continue;
      for (int i = 0; i < samples.size() && i < r.genotypes().size(); i++) {
        String gt = r.genotypes().get(i);
        if (carries(gt)) out.add(samples.get(i) + "\t" + r.id() + "\t" + gt);
      }
    }
    return out;
  }

  static boolean carries(String gt) {
    for (String allele : gt.split("[/|]", -1)) {
      if (!allele.isEmpty() && allele.chars().allMatch(Character::isDigit) && Long.parseLong(allele) > 0) return true;
    }
    return false;
  }

  /** Completes {@code vcf}'s header into {@code scratch} and asks bcftools what the normalised records are. */
  static CorpusTruth of(Path vcf, Path scratch) throws IOException, InterruptedException {
    Files.createDirectories(scratch);
    Path completed = scratch.resolve("completed.vcf");
    CompletedHeader.Completion c = CompletedHeader.writeForGtQuery(vcf, completed);
    // the text count, for the cross-check: the copy holds the records unchanged, one per line after #CHROM
    long dataLines = 0;
    long textRows = 0;
    try (BufferedReader r = Files.newBufferedReader(completed, StandardCharsets.UTF_8)) {
      boolean records = false;
      for (String line; (line = r.readLine()) != null; ) {
        if (!records) {
          records = line.startsWith("#CHROM");
          continue;
        }
        dataLines++;
        String alt = line.split("\t", 6)[4];
        textRows += alt.equals(".") ? 1 : alt.split(",", -1).length;
      }
    }
    Path stderr = scratch.resolve("bcftools.stderr");
    List<Process> ps = ProcessBuilder.startPipeline(List.of(
        new ProcessBuilder("bcftools", "norm", "-m-any", "-Ou", completed.toString())
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())),
        new ProcessBuilder("bcftools", "query", "-f", QUERY_FORMAT)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))));
    List<Row> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(ps.get(ps.size() - 1).getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", -1);
        rows.add(new Row(f[0], f[1], f[2], List.of(f).subList(3, f.length)));
      }
    }
    for (Process p : ps) {
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("bcftools norm | query failed on the completed copy of " + vcf + ": "
            + Files.readString(stderr));
      }
    }
    Process list = new ProcessBuilder("bcftools", "query", "-l", completed.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    List<String> samples;
    try (InputStream in = list.getInputStream()) {
      samples = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(s -> !s.isEmpty()).toList();
    }
    if (!list.waitFor(1, TimeUnit.MINUTES) || list.exitValue() != 0) {
      throw new IOException("bcftools query -l failed on " + vcf + ": " + Files.readString(stderr));
    }
    return new CorpusTruth(dataLines, textRows, c.added(), samples, rows, Files.readString(stderr).strip());
  }
}
