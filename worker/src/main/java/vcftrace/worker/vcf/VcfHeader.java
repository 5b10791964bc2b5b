package vcftrace.worker.vcf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a VCF file as the specification (4.0 to 4.4) defines it: the meta-information lines,
 * the declarations of INFO, FORMAT and FILTER keys and of contigs, and the samples of the {@code #CHROM}
 * line. Parsing refuses what the specification forbids (naming the header line) and accepts, with a
 * {@linkplain #warnings() warning}, what it only discourages or what an older version allowed.
 *
 * <p>We parse the structured lines ourselves rather than through htsjdk's {@code VCFHeader}: htsjdk
 * rewrites declarations it considers standard ({@code AF} becomes {@code Number=A} even where a VCF 4.0
 * file says {@code Number=.}) and rejects {@code Number=-1}, which old GATK files use for "any number".
 * The file's own declarations are the ones its records must keep.
 */
public final class VcfHeader {
  static final String[] FIXED_COLUMNS = {"#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"};
  private static final Pattern FILEFORMAT = Pattern.compile("##fileformat=VCFv4\\.([0-9])");
  private static final Pattern STRUCTURED = Pattern.compile("##(INFO|FORMAT|FILTER|contig)=<(.*)>\\s*");

  private final String version;
  private final List<String> metaLines;
  private final String chromLine;
  private final Map<String, FieldDef> info;
  private final Map<String, FieldDef> format;
  private final Set<String> filters;
  private final Set<String> contigs;
  private final List<String> samples;
  private final boolean formatColumn;
  private final List<Warning> warnings;

  /** Something the header does that the specification discourages; the job goes on. */
  public record Warning(long line, String message) {}

  private VcfHeader(String version, List<String> metaLines, String chromLine, Map<String, FieldDef> info,
      Map<String, FieldDef> format, Set<String> filters, Set<String> contigs, List<String> samples,
      boolean formatColumn, List<Warning> warnings) {
    this.version = version;
    this.metaLines = metaLines;
    this.chromLine = chromLine;
    this.info = info;
    this.format = format;
    this.filters = filters;
    this.contigs = contigs;
    this.samples = samples;
    this.formatColumn = formatColumn;
    this.warnings = warnings;
  }

  /** Reads the header from {@code in}, which must be at the file's first line; stops after {@code #CHROM}. */
  public static VcfHeader read(VcfReader in) throws IOException, VcfViolation {
    String first = in.readLine();
    if (first == null) throw new VcfViolation(0, "the file is empty", null);
    Matcher ff = FILEFORMAT.matcher(first.strip());
    if (!ff.matches()) {
      throw new VcfViolation(1, "the first line must be ##fileformat=VCFv4.x", "found '" + abbreviate(first) + "'");
    }
    String version = "4." + ff.group(1);
    List<String> meta = new ArrayList<>();
    meta.add(first);
    Map<String, FieldDef> info = new LinkedHashMap<>();
    Map<String, FieldDef> format = new LinkedHashMap<>();
    Set<String> filters = new LinkedHashSet<>();
    Set<String> contigs = new LinkedHashSet<>();
    List<Warning> warnings = new ArrayList<>();
    String s;
    while ((s = in.readLine()) != null) {
      long line = in.lineNumber();
      if (s.startsWith("#CHROM")) {
        ChromLine chrom = chromLine(s, line);
        return new VcfHeader(version, Collections.unmodifiableList(meta), s, info, format, filters, contigs,
            chrom.samples, chrom.formatColumn, warnings);
      }
      if (!s.startsWith("##")) {
        throw new VcfViolation(line, "a header line must start with ## (or be the #CHROM line)",
            "found '" + abbreviate(s) + "'");
      }
      meta.add(s);
      Matcher m = STRUCTURED.matcher(s);
      if (!m.matches()) {
        if (s.matches("##(INFO|FORMAT|FILTER|contig)=.*")) {
          throw new VcfViolation(line, "a structured header line must be ##KEY=<ID=...,...>", "found '" + abbreviate(s) + "'");
        }
        continue;
      }
      Map<String, String> fields = fields(m.group(2), line);
      String id = fields.get("ID");
      if (id == null || id.isEmpty()) throw new VcfViolation(line, "a ##" + m.group(1) + " line must have an ID", null);
      switch (m.group(1)) {
        case "INFO" -> declare(info, fieldDef("INFO", id, fields, line, warnings), line, warnings);
        case "FORMAT" -> declare(format, fieldDef("FORMAT", id, fields, line, warnings), line, warnings);
        case "FILTER" -> filters.add(id);
        default -> contigs.add(id);
      }
    }
    throw new VcfViolation(in.lineNumber(), "the header must end with the #CHROM line", "the file ends in its header");
  }

  private record ChromLine(List<String> samples, boolean formatColumn) {}

  private static ChromLine chromLine(String s, long line) throws VcfViolation {
    String[] cols = s.split("\t", -1);
    if (cols.length < FIXED_COLUMNS.length) {
      throw new VcfViolation(line, "the #CHROM line must name the 8 fixed columns, separated by tabs",
          cols.length == 1 ? "no tab on the line" : cols.length + " columns");
    }
    for (int i = 0; i < FIXED_COLUMNS.length; i++) {
      if (!cols[i].equals(FIXED_COLUMNS[i])) {
        throw new VcfViolation(line, "the #CHROM line must name the 8 fixed columns, separated by tabs",
            "column " + (i + 1) + " is '" + abbreviate(cols[i]) + "', expected " + FIXED_COLUMNS[i]);
      }
    }
    if (cols.length == FIXED_COLUMNS.length) return new ChromLine(List.of(), false);
    if (!cols[8].equals("FORMAT")) {
      throw new VcfViolation(line, "after INFO the #CHROM line may only have FORMAT and the sample names",
          "column 9 is '" + abbreviate(cols[8]) + "'");
    }
    if (cols.length == 9) {
      // The FORMAT column is there for genotype data; without a sample there is none, and htslib
      // refuses to read such a header at all.
      throw new VcfViolation(line, "a FORMAT column must be followed by at least one sample column",
          "the #CHROM line ends with FORMAT");
    }
    List<String> samples = new ArrayList<>(cols.length - 9);
    Set<String> seen = new HashSet<>();
    for (int i = 9; i < cols.length; i++) {
      if (cols[i].isEmpty()) throw new VcfViolation(line, "a sample name must not be empty", "column " + (i + 1));
      if (!seen.add(cols[i])) throw new VcfViolation(line, "sample names must be unique", "'" + abbreviate(cols[i]) + "' twice");
      samples.add(cols[i]);
    }
    return new ChromLine(List.copyOf(samples), true);
  }

  private static void declare(Map<String, FieldDef> into, FieldDef def, long line, List<Warning> warnings) {
    if (into.putIfAbsent(def.id(), def) != null) {
      warnings.add(new Warning(line, "key " + def.id() + " is declared twice; the first declaration is used"));
    }
  }

  private static FieldDef fieldDef(String kind, String id, Map<String, String> f, long line, List<Warning> warnings)
      throws VcfViolation {
    String number = f.get("Number");
    String type = f.get("Type");
    if (number == null) throw new VcfViolation(line, "a ##" + kind + " line must have a Number", null);
    if (type == null) throw new VcfViolation(line, "a ##" + kind + " line must have a Type", null);
    FieldDef.Type t = switch (type) {
      case "Integer" -> FieldDef.Type.INTEGER;
      case "Float" -> FieldDef.Type.FLOAT;
      case "Flag" -> FieldDef.Type.FLAG;
      case "Character" -> FieldDef.Type.CHARACTER;
      case "String" -> FieldDef.Type.STRING;
      default -> throw new VcfViolation(line, "Type must be Integer, Float, Flag, Character or String", "Type=" + type);
    };
    if (t == FieldDef.Type.FLAG && kind.equals("FORMAT")) {
      throw new VcfViolation(line, "a FORMAT key cannot have Type=Flag", "##FORMAT " + id);
    }
    FieldDef.Number n;
    int fixed = 0;
    switch (number) {
      case "A" -> n = FieldDef.Number.A;
      case "R" -> n = FieldDef.Number.R;
      case "G" -> n = FieldDef.Number.G;
      case "." -> n = FieldDef.Number.UNBOUNDED;
      default -> {
        try {
          fixed = Integer.parseInt(number);
        } catch (NumberFormatException e) {
          throw new VcfViolation(line, "Number must be an integer, A, R, G or .", "Number=" + number);
        }
        if (fixed < 0) {
          // VCF 3.3 and old GATK wrote -1 for "any number"; bcftools reads it the same way
          warnings.add(new Warning(line, kind + " " + id + " has Number=" + number + "; read as Number=."));
          n = FieldDef.Number.UNBOUNDED;
          fixed = 0;
        } else {
          n = FieldDef.Number.FIXED;
        }
      }
    }
    if (t == FieldDef.Type.FLAG && !(n == FieldDef.Number.FIXED && fixed == 0)) {
      warnings.add(new Warning(line, "INFO " + id + " is a Flag with Number=" + number + "; a Flag takes no value"));
      n = FieldDef.Number.FIXED;
      fixed = 0;
    }
    return new FieldDef(id, n, fixed, t);
  }

  /** The {@code key=value} pairs inside {@code <...>}; values may be double-quoted with {@code \"} escapes. */
  static Map<String, String> fields(String body, long line) throws VcfViolation {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = body.length();
    while (i < n) {
      int eq = body.indexOf('=', i);
      if (eq < 0) throw new VcfViolation(line, "a structured header line holds key=value pairs", "'" + abbreviate(body.substring(i)) + "'");
      String key = body.substring(i, eq).strip();
      i = eq + 1;
      String value;
      if (i < n && body.charAt(i) == '"') {
        StringBuilder v = new StringBuilder();
        i++;
        while (i < n && body.charAt(i) != '"') {
          if (body.charAt(i) == '\\' && i + 1 < n) i++;
          v.append(body.charAt(i++));
        }
        if (i >= n) throw new VcfViolation(line, "a quoted header value must end with a quote", "key " + key);
        i++; // closing quote
        value = v.toString();
        while (i < n && body.charAt(i) != ',') i++; // tolerate blanks after the quote
      } else {
        int comma = body.indexOf(',', i);
        int end = comma < 0 ? n : comma;
        value = body.substring(i, end).strip();
        i = end;
      }
      out.putIfAbsent(key, value);
      if (i < n) i++; // the comma
    }
    return out;
  }

  static String abbreviate(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 60 ? clean.substring(0, 60) + "…" : clean;
  }

  /** "4.0" … "4.4". */
  public String version() {
    return version;
  }

  /** Every line before {@code #CHROM}, as in the file. */
  public List<String> metaLines() {
    return metaLines;
  }

  public String chromLine() {
    return chromLine;
  }

  /** Number of header lines, {@code #CHROM} included. */
  public int lines() {
    return metaLines.size() + 1;
  }

  public FieldDef info(String key) {
    return info.get(key);
  }

  public FieldDef format(String key) {
    return format.get(key);
  }

  public boolean hasFilter(String id) {
    return filters.contains(id);
  }

  public boolean hasContig(String id) {
    return contigs.contains(id);
  }

  public List<String> samples() {
    return samples;
  }

  /** Whether the {@code #CHROM} line has a FORMAT column (it may have no sample after it). */
  public boolean formatColumn() {
    return formatColumn;
  }

  public List<Warning> warnings() {
    return warnings;
  }
}
