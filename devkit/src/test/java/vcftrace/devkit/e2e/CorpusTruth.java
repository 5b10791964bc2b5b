package vcftrace.devkit.e2e;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What the stores should hold for one file that keeps the VCF specification's MUSTs, computed without
 * the worker. bcftools 1.16 drops records whose contig, INFO, FORMAT or FILTER the header does not
 * declare when it writes BCF (declaring them is only a recommendation), so the header is completed here
 * first, by a scan of what the records use: a {@code ##contig} per undeclared CHROM, a {@code ##FILTER}
 * per undeclared filter, an {@code ##INFO} per undeclared key (a Flag when it never has a value, else
 * {@code Number=.,Type=String}), a {@code ##FORMAT} per undeclared key ({@code Number=.,Type=String}),
 * and {@code GT} ({@code Number=1,Type=String}) whenever the header lacks it, used or not. The completed copy then goes
 * through {@code bcftools norm -m-any | bcftools query}, and the row count is cross-checked with a
 * plain text count: one row per ALT allele, one for a record without ALT.
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

  private static final Pattern DECLARED = Pattern.compile("^##(contig|INFO|FORMAT|FILTER)=<ID=([^,>]+)");

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
    Completion c = complete(vcf, completed);
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
    return new CorpusTruth(c.dataLines, c.textRows, c.added, samples, rows, Files.readString(stderr).strip());
  }

  private record Completion(long dataLines, long textRows, List<String> added) {}

  /** Writes {@code vcf} as plain text to {@code out} with the declarations its records need added before {@code #CHROM}. */
  private static Completion complete(Path vcf, Path out) throws IOException {
    List<String> meta = new ArrayList<>();
    String chromLine = null;
    Set<String> declared = new HashSet<>();
    // what the records use, in order of first use, by kind; INFO keys remember whether they had a value
    Map<String, Boolean> contigs = new LinkedHashMap<>();
    Map<String, Boolean> filters = new LinkedHashMap<>();
    Map<String, Boolean> infoHasValue = new LinkedHashMap<>();
    Map<String, Boolean> formats = new LinkedHashMap<>();
    long dataLines = 0;
    long textRows = 0;
    Path body = out.resolveSibling(out.getFileName() + ".body");
    try (BufferedReader r = open(vcf);
        BufferedWriter records = Files.newBufferedWriter(body, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (chromLine == null) {
          if (line.startsWith("#CHROM")) {
            chromLine = line;
          } else {
            meta.add(line);
            Matcher m = DECLARED.matcher(line);
            if (m.find()) declared.add(m.group(1) + ":" + m.group(2));
          }
          continue;
        }
        if (line.isEmpty()) continue;
        records.write(line);
        records.write('\n');
        dataLines++;
        String[] f = line.split("\t", -1);
        if (f.length < 8) throw new IOException(vcf + ": a record with " + f.length + " columns; not a file to accept");
        contigs.putIfAbsent(f[0], true);
        if (!f[6].equals(".") && !f[6].equals("PASS")) {
          for (String filter : f[6].split(";")) filters.putIfAbsent(filter, true);
        }
        if (!f[7].equals(".")) {
          for (String entry : f[7].split(";")) {
            if (entry.isEmpty()) continue;
            int eq = entry.indexOf('=');
            String key = eq < 0 ? entry : entry.substring(0, eq);
            infoHasValue.merge(key, eq >= 0, Boolean::logicalOr);
          }
        }
        if (f.length > 8) {
          for (String key : f[8].split(":")) formats.putIfAbsent(key, true);
        }
        int alts = f[4].equals(".") ? 0 : f[4].split(",", -1).length;
        textRows += Math.max(1, alts);
      }
    }
    if (chromLine == null) throw new IOException(vcf + " has no #CHROM line");
    List<String> added = new ArrayList<>();
    for (String c : contigs.keySet()) {
      if (!declared.contains("contig:" + c)) added.add("##contig=<ID=" + c + ">");
    }
    for (String f : filters.keySet()) {
      if (!declared.contains("FILTER:" + f)) added.add("##FILTER=<ID=" + f + ",Description=\"added by the test\">");
    }
    for (Map.Entry<String, Boolean> e : infoHasValue.entrySet()) {
      if (declared.contains("INFO:" + e.getKey())) continue;
      added.add(e.getValue()
          ? "##INFO=<ID=" + e.getKey() + ",Number=.,Type=String,Description=\"added by the test\">"
          : "##INFO=<ID=" + e.getKey() + ",Number=0,Type=Flag,Description=\"added by the test\">");
    }
    for (String k : formats.keySet()) {
      if (declared.contains("FORMAT:" + k)) continue;
      added.add(k.equals("GT")
          ? "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"added by the test\">"
          : "##FORMAT=<ID=" + k + ",Number=.,Type=String,Description=\"added by the test\">");
    }
    // GT is declared even when no record uses it (bcftools query refuses %GT for a header without it);
    // that is no defect of the file, so it is not among the additions reported
    boolean declareUnusedGt = !declared.contains("FORMAT:GT") && !formats.containsKey("GT");
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String m : meta) w.write(m + "\n");
      for (String a : added) w.write(a + "\n");
      if (declareUnusedGt) w.write("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"added by the test\">\n");
      w.write(chromLine + "\n");
      try (BufferedReader b = Files.newBufferedReader(body, StandardCharsets.UTF_8)) {
        b.transferTo(w);
      }
    }
    Files.delete(body);
    return new Completion(dataLines, textRows, List.copyOf(added));
  }

  /** A text reader of a plain or gzip-compressed file (BGZF is gzip with many members; the JDK reads them all). */
  private static BufferedReader open(Path file) throws IOException {
    boolean gzip;
    try (InputStream peek = Files.newInputStream(file)) {
      byte[] magic = peek.readNBytes(2);
      gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    }
    InputStream in = Files.newInputStream(file);
    try {
      return new BufferedReader(new InputStreamReader(gzip ? new GZIPInputStream(in, 1 << 16) : in,
          StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }
}
