package vcftrace.worker.vcf;

import java.util.List;

/**
 * The MUSTs of the VCF specification (4.0 to 4.4) for one data line, checked against its header:
 * the column count, no empty column, POS, the REF and ALT alphabets, QUAL, every INFO and FORMAT
 * value against its declared Type and Number, GT first among the FORMAT keys and well formed. What the
 * specification only recommends (declared keys and contigs) is noted in a {@link Usage} instead, or
 * refused in strict mode. Not thread-safe: one instance per thread.
 */
public final class RecordRules {
  private static final String[] COLUMN_NAMES = {"CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"};

  private final VcfHeader header;
  private final boolean strict;
  private final int sampleCount;
  private final int[] tabs;
  private Usage usage = new Usage();

  // FORMAT is the same on most lines: its keys are resolved once per change
  private String lastFormat;
  private String[] formatKeys;
  private FieldDef[] formatDefs;

  public RecordRules(VcfHeader header, boolean strict) {
    this.header = header;
    this.strict = strict;
    this.sampleCount = header.samples().size();
    this.tabs = new int[9 + sampleCount + 1]; // one more than the most columns a record may have
  }

  /** Returns what the records checked since the last call used, and starts a new tally. */
  public Usage takeUsage() {
    Usage u = usage;
    usage = new Usage();
    return u;
  }

  /** Checks one data line ({@code no} is its 1-based line number in the file). */
  public void check(String s, long no) throws VcfViolation {
    if (s.isEmpty()) {
      throw new VcfViolation(no, "a data line must not be empty", null);
    }
    if (s.charAt(0) == '#') {
      throw new VcfViolation(no, "header lines must come before the #CHROM line", "found '" + VcfHeader.abbreviate(s) + "'");
    }
    int columns = split(s);
    int expected = header.formatColumn() ? 9 + sampleCount : 8;
    boolean ok = columns == expected || (header.formatColumn() && sampleCount == 0 && columns == 8);
    if (!ok) {
      throw new VcfViolation(no, "a record must have one column per column of the #CHROM line (" + expected + ")",
          columns + " columns" + (columns == 1 && s.indexOf(' ') >= 0 ? ", separated by spaces instead of tabs" : ""));
    }
    for (int c = 0; c < columns; c++) {
      if (end(c) == start(c)) {
        throw new VcfViolation(no, "a column must not be empty (a missing value is written '.')",
            c < COLUMN_NAMES.length ? COLUMN_NAMES[c] + " is empty" : "the column of sample " + header.samples().get(c - 9) + " is empty");
      }
    }
    String chrom = s.substring(0, end(0));
    if (hasBlank(chrom)) throw new VcfViolation(no, "CHROM must not contain whitespace", "'" + VcfHeader.abbreviate(chrom) + "'");
    if (!header.hasContig(chrom)) undeclared(Usage.Kind.CONTIG, chrom, no, false, "contig");
    checkPos(s, no);
    String ref = s.substring(start(3), end(3));
    if (!bases(ref, 0, ref.length())) {
      throw new VcfViolation(no, "REF must be one or more of the bases A, C, G, T, N", "REF '" + VcfHeader.abbreviate(ref) + "'");
    }
    int alts = checkAlt(s, ref, no);
    usage.record(alts);
    checkQual(s, no);
    checkFilter(s, no);
    checkInfo(s, alts, no);
    if (columns > 9) checkSamples(s, columns, alts, no);
    else if (columns == 9) checkFormatKeys(s.substring(start(8), end(8)), no);
  }

  /** Records the tab positions of {@code s}; returns its column count (tabs beyond the header's are only counted). */
  private int split(String s) {
    lineLength = s.length();
    int n = 0;
    tabs[0] = -1;
    for (int i = s.indexOf('\t'); i >= 0; i = s.indexOf('\t', i + 1)) {
      n++;
      if (n < tabs.length) tabs[n] = i;
    }
    columns = n + 1;
    return columns;
  }

  private int lineLength;
  private int columns;

  private int start(int column) {
    return tabs[column] + 1;
  }

  private int end(int column) {
    return column + 1 < columns ? tabs[column + 1] : lineLength;
  }

  private void checkPos(String s, long no) throws VcfViolation {
    int a = start(1);
    int b = end(1);
    long pos = 0;
    for (int i = a; i < b; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9' || pos > Integer.MAX_VALUE) {
        throw new VcfViolation(no, "POS must be an integer from 0 to 2^31-1", "POS '" + VcfHeader.abbreviate(s.substring(a, b)) + "'");
      }
      pos = pos * 10 + (c - '0');
    }
    if (pos > Integer.MAX_VALUE) {
      throw new VcfViolation(no, "POS must be an integer from 0 to 2^31-1", "POS " + s.substring(a, b));
    }
  }

  /** Returns the number of ALT alleles (0 for '.'). */
  private int checkAlt(String s, String ref, long no) throws VcfViolation {
    int a = start(4);
    int b = end(4);
    if (b - a == 1 && s.charAt(a) == '.') return 0;
    int alleles = 0;
    int from = a;
    while (from <= b) {
      int comma = s.indexOf(',', from);
      int to = comma < 0 || comma > b ? b : comma;
      alleles++;
      if (to == from) throw new VcfViolation(no, "ALT alleles are separated by single commas", "an empty allele in ALT");
      if (!altAllele(s, from, to)) {
        throw new VcfViolation(no, "an ALT allele must be bases (A, C, G, T, N), *, a symbolic <ID>, or a breakend",
            "'" + VcfHeader.abbreviate(s.substring(from, to)) + "'");
      }
      if (to - from == ref.length() && s.regionMatches(true, from, ref, 0, ref.length())) {
        throw new VcfViolation(no, "an ALT allele must differ from REF", "ALT " + ref + " = REF");
      }
      for (int other = a; other < from; ) { // alleles are few: compare with each earlier one
        int c = s.indexOf(',', other);
        if (c - other == to - from && s.regionMatches(other, s, from, to - from)) {
          throw new VcfViolation(no, "each ALT allele must be listed once", "'" + VcfHeader.abbreviate(s.substring(from, to)) + "' twice");
        }
        other = c + 1;
      }
      from = to + 1;
    }
    return alleles;
  }

  private static boolean altAllele(String s, int a, int b) {
    if (bases(s, a, b)) return true;
    char first = s.charAt(a);
    char last = s.charAt(b - 1);
    if (b - a == 1 && first == '*') return true;
    if (first == '<') return b - a > 2 && last == '>' && !hasAny(s, a + 1, b - 1, "<>,") && !hasBlank(s.substring(a, b));
    if (b - a >= 2 && first == '.' && bases(s, a + 1, b)) return true; // single breakend .A
    if (b - a >= 2 && last == '.' && bases(s, a, b - 1)) return true; // single breakend A.
    int open = -1;
    for (int i = a; i < b; i++) {
      char c = s.charAt(i);
      if (c == '[' || c == ']') {
        open = i;
        break;
      }
    }
    if (open < 0) return false;
    // t[p[ , t]p] , ]p]t , [p[t : two equal brackets around a mate position, bases on one side
    char bracket = s.charAt(open);
    int close = s.indexOf(bracket, open + 1);
    if (close < 0 || close >= b || close == open + 1) return false;
    boolean basesBefore = open > a && bases(s, a, open) && close == b - 1;
    boolean basesAfter = open == a && close < b - 1 && bases(s, close + 1, b);
    return (basesBefore || basesAfter) && !hasAny(s, open + 1, close, "[]");
  }

  static boolean bases(String s, int a, int b) {
    if (a >= b) return false;
    for (int i = a; i < b; i++) {
      switch (s.charAt(i)) {
        case 'A', 'C', 'G', 'T', 'N', 'a', 'c', 'g', 't', 'n' -> { }
        default -> {
          return false;
        }
      }
    }
    return true;
  }

  private void checkQual(String s, long no) throws VcfViolation {
    int a = start(5);
    int b = end(5);
    if (b - a == 1 && s.charAt(a) == '.') return;
    if (!isFloat(s, a, b)) {
      throw new VcfViolation(no, "QUAL must be a number or '.'", "QUAL '" + VcfHeader.abbreviate(s.substring(a, b)) + "'");
    }
  }

  private void checkFilter(String s, long no) throws VcfViolation {
    int a = start(6);
    int b = end(6);
    if (b - a == 1 && s.charAt(a) == '.') return;
    int from = a;
    while (from <= b) {
      int semi = s.indexOf(';', from);
      int to = semi < 0 || semi > b ? b : semi;
      if (to == from) throw new VcfViolation(no, "FILTER codes are separated by single semicolons", "an empty code");
      String id = s.substring(from, to);
      if (hasBlank(id)) throw new VcfViolation(no, "a FILTER code must not contain whitespace", "'" + VcfHeader.abbreviate(id) + "'");
      if (!id.equals("PASS") && !header.hasFilter(id)) undeclared(Usage.Kind.FILTER, id, no, false, "FILTER");
      from = to + 1;
    }
  }

  private void checkInfo(String s, int alts, long no) throws VcfViolation {
    int a = start(7);
    int b = end(7);
    if (b - a == 1 && s.charAt(a) == '.') return;
    int from = a;
    while (from <= b) {
      int semi = s.indexOf(';', from);
      int to = semi < 0 || semi > b ? b : semi;
      if (to > from) { // an empty entry (a trailing ';') carries nothing; bcftools skips it too
        int eq = s.indexOf('=', from);
        boolean hasValue = eq >= 0 && eq < to;
        String key = s.substring(from, hasValue ? eq : to);
        FieldDef def = header.info(key);
        if (def == null) {
          undeclared(Usage.Kind.INFO, key, no, hasValue, "INFO key");
        } else if (def.type() == FieldDef.Type.FLAG) {
          // a Flag takes no value; bcftools and htsjdk keep one (DB=1), so do we, with a warning
          if (hasValue) usage.note(no, "INFO " + key + " is a Flag but has a value; the value is ignored by readers");
        } else if (hasValue) {
          checkValues(s, eq + 1, to, def, alts, -1, no, "INFO " + key);
        }
      }
      from = to + 1;
    }
  }

  private void checkFormatKeys(String format, long no) throws VcfViolation {
    if (format.equals(lastFormat)) return;
    String[] keys = format.split(":", -1);
    FieldDef[] defs = new FieldDef[keys.length];
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].isEmpty()) throw new VcfViolation(no, "FORMAT keys are separated by single colons", "FORMAT '" + VcfHeader.abbreviate(format) + "'");
      if (keys[i].equals("GT") && i > 0) throw new VcfViolation(no, "GT must be the first FORMAT key", "FORMAT " + VcfHeader.abbreviate(format));
      defs[i] = header.format(keys[i]);
      if (defs[i] == null) {
        undeclared(Usage.Kind.FORMAT, keys[i], no, true, "FORMAT key");
        defs[i] = FieldDef.undeclared(keys[i], false);
      }
    }
    lastFormat = format;
    formatKeys = keys;
    formatDefs = defs;
  }

  private void checkSamples(String s, int columns, int alts, long no) throws VcfViolation {
    String format = s.substring(start(8), end(8));
    if (!format.equals(lastFormat)) {
      checkFormatKeys(format, no);
    }
    boolean gtFirst = formatKeys[0].equals("GT");
    for (int c = 9; c < columns; c++) {
      int a = start(c);
      int b = end(c);
      int field = 0;
      int from = a;
      int ploidy = -1;
      while (from <= b) {
        int colon = s.indexOf(':', from);
        int to = colon < 0 || colon > b ? b : colon;
        if (field >= formatKeys.length) {
          throw new VcfViolation(no, "a sample may not have more fields than FORMAT has keys",
              "sample " + header.samples().get(c - 9) + " has more than " + formatKeys.length);
        }
        if (field == 0 && gtFirst) {
          ploidy = checkGt(s, from, to, alts, no, c);
        } else if (to > from) {
          checkValues(s, from, to, formatDefs[field], alts, ploidy, no,
              "FORMAT " + formatKeys[field] + " of sample " + header.samples().get(c - 9));
        }
        field++;
        from = to + 1;
      }
    }
  }

  /** Returns the ploidy, or -1 when the call is a lone '.'. */
  private int checkGt(String s, int a, int b, int alts, long no, int column) throws VcfViolation {
    if (b - a == 1 && s.charAt(a) == '.') return -1;
    int i = a;
    if (i < b && (s.charAt(i) == '/' || s.charAt(i) == '|') && header.version().compareTo("4.4") >= 0) i++; // 4.4: leading phase
    int ploidy = 0;
    while (true) {
      if (i >= b) throw badGt(s, a, b, no, column);
      if (s.charAt(i) == '.') {
        i++;
      } else {
        long index = 0;
        int digits = 0;
        while (i < b && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          index = index * 10 + (s.charAt(i) - '0');
          if (index > Integer.MAX_VALUE) throw badGt(s, a, b, no, column);
          i++;
          digits++;
        }
        if (digits == 0) throw badGt(s, a, b, no, column);
        if (index > alts) {
          throw new VcfViolation(no, "a GT allele index must refer to REF (0) or an ALT allele",
              "sample " + header.samples().get(column - 9) + " GT " + s.substring(a, b) + " with " + alts + " ALT allele(s)");
        }
      }
      ploidy++;
      if (i == b) return ploidy;
      char sep = s.charAt(i);
      if (sep != '/' && sep != '|') throw badGt(s, a, b, no, column);
      i++;
    }
  }

  private VcfViolation badGt(String s, int a, int b, long no, int column) {
    return new VcfViolation(no, "GT must be allele indices or '.' separated by / or |",
        "sample " + header.samples().get(column - 9) + " GT '" + VcfHeader.abbreviate(s.substring(a, b)) + "'");
  }

  private void checkValues(String s, int a, int b, FieldDef def, int alts, int ploidy, long no, String what)
      throws VcfViolation {
    if (b - a == 1 && s.charAt(a) == '.') return; // the whole field missing
    int count = 0;
    int from = a;
    while (from <= b) {
      int comma = s.indexOf(',', from);
      int to = comma < 0 || comma > b ? b : comma;
      count++;
      if (!(to - from == 1 && s.charAt(from) == '.') && !typed(s, from, to, def.type())) {
        throw new VcfViolation(no, "a value must be of its declared Type (" + def.typeText() + ")",
            what + " value '" + VcfHeader.abbreviate(s.substring(from, to)) + "'");
      }
      from = to + 1;
    }
    // Commas separate values whatever the Type (VCF 4.3 1.6.1: "commas are permitted only as delimiters
    // for lists of values"), so a String's values are counted like any other.
    int expected = switch (def.number()) {
      case FIXED -> def.fixed();
      case A -> alts == 0 ? -1 : alts;
      case R -> alts == 0 ? -1 : alts + 1;
      case G -> ploidy <= 0 ? -1 : genotypes(alts + 1, ploidy);
      case UNBOUNDED -> -1;
    };
    if (expected > 0 && count != expected) {
      throw new VcfViolation(no, "the number of values must match the declared Number=" + def.numberText(),
          what + " has " + count + " value(s), expected " + expected);
    }
  }

  /** Genotypes of {@code ploidy} alleles drawn from {@code alleles}: C(alleles + ploidy - 1, ploidy). */
  static int genotypes(int alleles, int ploidy) {
    long n = 1;
    for (int i = 1; i <= ploidy; i++) {
      n = n * (alleles + i - 1) / i;
      if (n > Integer.MAX_VALUE) return -1;
    }
    return (int) n;
  }

  private static boolean typed(String s, int a, int b, FieldDef.Type type) {
    return switch (type) {
      case INTEGER -> isInteger(s, a, b);
      case FLOAT -> isFloat(s, a, b);
      case CHARACTER -> b - a == 1;
      case FLAG, STRING -> true;
    };
  }

  static boolean isInteger(String s, int a, int b) {
    int i = a;
    if (i < b && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
    if (i >= b || b - i > 10) return false;
    long v = 0;
    for (; i < b; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    return v <= Integer.MAX_VALUE + 1L;
  }

  /** A decimal number with optional exponent, or Inf/Infinity/NaN (VCF 4.3), in any case. */
  static boolean isFloat(String s, int a, int b) {
    int i = a;
    if (i < b && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
    String rest = s.substring(i, b);
    if (rest.equalsIgnoreCase("inf") || rest.equalsIgnoreCase("infinity") || rest.equalsIgnoreCase("nan")) return true;
    int digits = 0;
    while (i < b && Character.isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < b && s.charAt(i) == '.') {
      i++;
      while (i < b && Character.isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) return false;
    if (i < b && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < b && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
      int exp = 0;
      while (i < b && Character.isDigit(s.charAt(i))) {
        i++;
        exp++;
      }
      if (exp == 0) return false;
    }
    return i == b;
  }

  private void undeclared(Usage.Kind kind, String id, long no, boolean hasValue, String what) throws VcfViolation {
    if (strict) {
      throw new VcfViolation(no, what + " '" + VcfHeader.abbreviate(id) + "' is not declared in the header (VCF_VALIDATION=strict)", null);
    }
    usage.use(kind, id, no, hasValue);
  }

  private static boolean hasBlank(String s) {
    for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return true;
    return false;
  }

  private static boolean hasAny(String s, int a, int b, String chars) {
    for (int i = a; i < b; i++) if (chars.indexOf(s.charAt(i)) >= 0) return true;
    return false;
  }

  static List<String> columnNames() {
    return List.of(COLUMN_NAMES);
  }
}
