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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Writes a copy of a VCF whose header declares everything its records use: a {@code ##contig} line per
 * CHROM, and {@code ##INFO}, {@code ##FORMAT} and {@code ##FILTER} lines for undeclared keys (as
 * {@code Number=.,Type=String}, or {@code Number=0,Type=Flag} for a valueless INFO key). bcftools 1.16
 * cannot write such files as BCF ({@code norm -Ou} fails or drops records), so the tests give it this
 * copy to say what a file holds. It reads the records itself, as text, and knows nothing of the
 * generator or the worker; records are copied unchanged.
 */
public final class CompletedHeader {

  private static final Pattern ID = Pattern.compile("^##(contig|INFO|FORMAT|FILTER)=<ID=([^,>]+)");

  private CompletedHeader() {}

  /** Writes the completed copy of {@code vcf} (plain or BGZF) to {@code out} as plain text; returns {@code out}. */
  public static Path write(Path vcf, Path out) throws IOException {
    List<String> meta = new ArrayList<>();
    String columns = null;
    Set<String> contigs = new LinkedHashSet<>();
    Set<String> info = new LinkedHashSet<>();
    Set<String> flags = new LinkedHashSet<>();
    Set<String> format = new LinkedHashSet<>();
    Set<String> filter = new LinkedHashSet<>();
    Set<String> declared = new LinkedHashSet<>();
    try (BufferedReader in = open(vcf)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("##")) {
          meta.add(line);
          Matcher m = ID.matcher(line);
          if (m.find()) declared.add(m.group(1) + ":" + m.group(2));
          continue;
        }
        if (line.startsWith("#")) {
          columns = line;
          continue;
        }
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", 10);
        contigs.add(f[0]);
        if (!f[6].equals(".")) filter.addAll(List.of(f[6].split(";")));
        if (!f[7].equals(".")) {
          for (String kv : f[7].split(";")) {
            int eq = kv.indexOf('=');
            if (eq < 0) flags.add(kv);
            else info.add(kv.substring(0, eq));
          }
        }
        if (f.length > 8) format.addAll(List.of(f[8].split(":")));
      }
    }
    if (columns == null) throw new IOException(vcf + " has no #CHROM line");
    List<String> added = new ArrayList<>();
    for (String c : contigs) {
      if (!declared.contains("contig:" + c)) added.add("##contig=<ID=" + c + ">");
    }
    for (String k : info) {
      if (!declared.contains("INFO:" + k)) {
        added.add("##INFO=<ID=" + k + ",Number=.,Type=String,Description=\"undeclared in the input\">");
      }
    }
    for (String k : flags) {
      if (!declared.contains("INFO:" + k) && !info.contains(k)) {
        added.add("##INFO=<ID=" + k + ",Number=0,Type=Flag,Description=\"undeclared in the input\">");
      }
    }
    for (String k : format) {
      if (!declared.contains("FORMAT:" + k)) {
        added.add("##FORMAT=<ID=" + k + ",Number=.,Type=String,Description=\"undeclared in the input\">");
      }
    }
    for (String k : filter) {
      if (!k.equals("PASS") && !declared.contains("FILTER:" + k)) {
        added.add("##FILTER=<ID=" + k + ",Description=\"undeclared in the input\">");
      }
    }
    try (BufferedReader in = open(vcf);
        BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String m : meta) w.write(m + "\n");
      for (String a : added) w.write(a + "\n");
      w.write(columns + "\n");
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.startsWith("#") && !line.isEmpty()) w.write(line + "\n");
      }
    }
    return out;
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
