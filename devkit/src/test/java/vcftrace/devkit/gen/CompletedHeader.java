package vcftrace.devkit.gen;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Writes a copy of a VCF whose header declares everything its records use: a {@code ##contig} line per
 * CHROM, and {@code ##INFO}, {@code ##FORMAT} and {@code ##FILTER} lines for undeclared keys (as
 * {@code Number=.,Type=String}, {@code Number=0,Type=Flag} for an INFO key that never has a value, and
 * {@code Number=1,Type=String} for GT). bcftools 1.16 cannot write such files as BCF ({@code norm -Ou}
 * fails or drops records), so the tests give it this copy to say what a file holds. It reads the records
 * itself, as text, and knows nothing of the generator or the worker (it is the tests' oracle, so it must
 * not share the worker's own header completion); records are copied unchanged.
 */
public final class CompletedHeader {

  private static final Pattern ID = Pattern.compile("^##(contig|INFO|FORMAT|FILTER)=<ID=([^,>]+)");

  private static final String GT_LINE = "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"undeclared in the input\">";

  /**
   * A completed copy.
   *
   * @param file the copy, plain text
   * @param added the declarations the records needed, in order of first use by kind (contig, INFO,
   *     FORMAT, FILTER); empty when the header declared everything
   */
  public record Completion(Path file, List<String> added) {}

  private CompletedHeader() {}

  /** Writes the completed copy of {@code vcf} (plain or BGZF) to {@code out} as plain text; returns {@code out}. */
  public static Path write(Path vcf, Path out) throws IOException {
    return complete(vcf, out, false).file();
  }

  /**
   * {@link #write}, and declares GT even when no record uses it, for {@code bcftools query} formats with
   * {@code %GT} (bcftools refuses them for a header without GT). That declaration is no defect of the
   * file, so it is not among {@link Completion#added()}.
   */
  public static Completion writeForGtQuery(Path vcf, Path out) throws IOException {
    return complete(vcf, out, true);
  }

  private static Completion complete(Path vcf, Path out, boolean declareGt) throws IOException {
    List<String> meta = new ArrayList<>();
    String columns = null;
    Set<String> declared = new HashSet<>();
    // what the records use, in order of first use; INFO keys remember whether they ever had a value
    Set<String> contigs = new LinkedHashSet<>();
    Map<String, Boolean> infoHasValue = new LinkedHashMap<>();
    Set<String> format = new LinkedHashSet<>();
    Set<String> filter = new LinkedHashSet<>();
    try (BufferedReader in = open(vcf)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (columns == null) {
          if (line.startsWith("#CHROM")) {
            columns = line;
          } else {
            meta.add(line);
            Matcher m = ID.matcher(line);
            if (m.find()) declared.add(m.group(1) + ":" + m.group(2));
          }
          continue;
        }
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", 10);
        if (f.length < 8) throw new IOException(vcf + ": a record with " + f.length + " columns");
        contigs.add(f[0]);
        if (!f[6].equals(".")) addKeys(filter, f[6].split(";"));
        if (!f[7].equals(".")) {
          for (String kv : f[7].split(";")) {
            if (kv.isEmpty()) continue;
            int eq = kv.indexOf('=');
            infoHasValue.merge(eq < 0 ? kv : kv.substring(0, eq), eq >= 0, Boolean::logicalOr);
          }
        }
        if (f.length > 8) addKeys(format, f[8].split(":"));
      }
    }
    if (columns == null) throw new IOException(vcf + " has no #CHROM line");
    List<String> added = new ArrayList<>();
    for (String c : contigs) {
      if (!declared.contains("contig:" + c)) added.add("##contig=<ID=" + c + ">");
    }
    infoHasValue.forEach((k, hasValue) -> {
      if (!declared.contains("INFO:" + k)) {
        added.add(hasValue
            ? "##INFO=<ID=" + k + ",Number=.,Type=String,Description=\"undeclared in the input\">"
            : "##INFO=<ID=" + k + ",Number=0,Type=Flag,Description=\"undeclared in the input\">");
      }
    });
    for (String k : format) {
      if (!declared.contains("FORMAT:" + k)) {
        added.add(k.equals("GT") ? GT_LINE
            : "##FORMAT=<ID=" + k + ",Number=.,Type=String,Description=\"undeclared in the input\">");
      }
    }
    for (String k : filter) {
      if (!k.equals("PASS") && !declared.contains("FILTER:" + k)) {
        added.add("##FILTER=<ID=" + k + ",Description=\"undeclared in the input\">");
      }
    }
    boolean unusedGt = declareGt && !declared.contains("FORMAT:GT") && !format.contains("GT");
    try (BufferedReader in = open(vcf);
        BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String m : meta) w.write(m + "\n");
      for (String a : added) w.write(a + "\n");
      if (unusedGt) w.write(GT_LINE + "\n");
      w.write(columns + "\n");
      boolean records = false;
      for (String line; (line = in.readLine()) != null; ) {
        if (records && !line.isEmpty()) w.write(line + "\n");
        else if (line.startsWith("#CHROM")) records = true;
      }
    }
    return new Completion(out, List.copyOf(added));
  }

  private static void addKeys(Set<String> to, String[] keys) {
    for (String k : keys) if (!k.isEmpty()) to.add(k);
  }

  /** The header lines {@link #write} would add, for assertions. */
  public static List<String> added(Path vcf, Path scratch) throws IOException {
    Path copy = write(vcf, scratch);
    List<String> original = headerOf(vcf);
    return headerOf(copy).stream().filter(l -> !original.contains(l)).toList();
  }

  private static List<String> headerOf(Path vcf) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader in = open(vcf)) {
      for (String line; (line = in.readLine()) != null && line.startsWith("##"); ) out.add(line);
    }
    return out;
  }

  private static BufferedReader open(Path vcf) throws IOException {
    InputStream raw = Files.newInputStream(vcf);
    byte[] magic = new byte[2];
    try (InputStream peek = Files.newInputStream(vcf)) {
      if (peek.readNBytes(magic, 0, 2) < 2) magic = new byte[2];
    }
    // BGZF is a series of gzip members, which GZIPInputStream reads one after another.
    InputStream in = (magic[0] == (byte) 0x1f && magic[1] == (byte) 0x8b) ? new GZIPInputStream(raw, 1 << 16) : raw;
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }
}
