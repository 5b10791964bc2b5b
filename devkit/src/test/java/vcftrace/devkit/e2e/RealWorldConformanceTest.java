package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static vcftrace.common.ErrorType.INVALID_VCF;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.ErrorType;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;

/**
 * Conformance on real files nobody here wrote (issue 10, item 4): the 50 VCFs Debian ships in
 * r-bioc-variantannotation 1.44.1-1 ({@code extdata/}, {@code unitTests/cases/}) and vcfanno-examples
 * 0.3.5+ds-1, fetched by {@link DebianCorpus}, each published by the real producer command as one job to
 * two workers on an in-JVM broker.
 *
 * <p>Every file's outcome is pinned in {@link #TABLE}, decided by reading the file against the VCF
 * 4.1/4.2/4.3 specifications. A file that breaks a MUST is refused as {@code INVALID_VCF}, and the
 * message names its first bad line ({@code line N}, 1-based in the original file) and the rule (a
 * case-insensitive pattern). Any other file is stored in full, whatever it only breaks recommendations
 * with (no {@code ##contig}, undeclared INFO/FORMAT/FILTER, no GT, symbolic alleles, VCF 4.0): counts,
 * Lance rows (id, QUAL, FILTER) and Kuzu {@code CARRIES} relationships (sample, variant, GT) must equal
 * what bcftools makes of a copy whose header the test completed itself ({@link CorpusTruth}); a file whose
 * header needed completing must say so in the result's warnings. The test prints the table, then fails
 * once, listing every mismatch.
 */
class RealWorldConformanceTest {
  private static final String VA = "usr/lib/R/site-library/VariantAnnotation/";
  private static final String VE = "usr/share/doc/vcfanno-examples/";

  /** What a file must come to: stored in full, or refused with this error type, line and rule. */
  record Expected(boolean accept, ErrorType errorType, long line, String rule) {
    static Expected accepted() {
      return new Expected(true, null, 0, null);
    }

    static Expected refused(ErrorType type, long line, String rule) {
      return new Expected(false, type, line, rule);
    }

    @Override
    public String toString() {
      return accept ? "accepted" : errorType + " line " + line + " /" + rule + "/";
    }
  }

  /** Display name (path relative to the package root) -> expected outcome. */
  static final Map<String, Expected> TABLE = table(
      row(VA + "extdata/chr22.vcf.gz", accepted()),
      // GT is the last FORMAT key of the CNV-window records (Complete Genomics); VCF 4.1 1.4.2: "The first
      // sub-field must always be the genotype (GT) if it is present"
      row(VA + "extdata/chr7-sub.vcf.gz", refused(INVALID_VCF, 61, "GT.*first")),
      row(VA + "extdata/ex2.vcf", accepted()),
      row(VA + "extdata/gl_chr1.vcf", accepted()),
      row(VA + "extdata/h1187-10k.vcf.gz", accepted()),
      // INFO GC is declared Type=Integer and holds 75.25: a value must have its declared type
      row(VA + "extdata/hapmap_exome_chr22.vcf.gz", refused(INVALID_VCF, 166, "GC.*Integer|Integer.*GC")),
      row(VA + "extdata/structural.vcf", accepted()), // the 4.1 spec's own SV example (END < POS once: no MUST)
      row(VA + "unitTests/cases/FORMAT_header_no_SAMPLEs.vcf", accepted()),
      // the records are separated by spaces, not tabs: 1 column where the header declares 11
      row(VA + "unitTests/cases/VarScan_header.vcf", refused(INVALID_VCF, 21, "column")),
      row(VA + "unitTests/cases/banded_gvcf.vcf", accepted()),
      row(VA + "unitTests/cases/buffer_realloc.vcf", accepted()),
      row(VA + "unitTests/cases/ex1-seq1-90.vcf", accepted()),
      row(VA + "unitTests/cases/expand.vcf", accepted()),
      // FORMAT AD is Number=A and has 2 values for 1 ALT (line 12 then has more sub-fields than FORMAT keys)
      row(VA + "unitTests/cases/fewer-FORMAT-than-GENO.vcf", refused(INVALID_VCF, 11, "Number=A")),
      row(VA + "unitTests/cases/meta_header.vcf", accepted()),
      // FORMAT AD is Number=A and has 2 values for 1 ALT
      row(VA + "unitTests/cases/missing-FORMAT-metadata-elt.vcf", refused(INVALID_VCF, 10, "Number=A")),
      row(VA + "unitTests/cases/mixedStructural.vcf", accepted()),
      // a trailing tab: an empty 9th column where the header declares 8 (empty fields must be '.')
      row(VA + "unitTests/cases/multiple_INFO_fields.vcf", refused(INVALID_VCF, 7, "column")),
      // ##FORMAT PL/GL have Number=-1: VCF 3.3 and old GATK's "any number" (4.1 only says Number is an
      // Integer); bcftools reads it as '.', and so do we, with a warning
      row(VA + "unitTests/cases/negative_FORMAT_Number.vcf", accepted()),
      row(VA + "unitTests/cases/no_FORMAT_column.vcf", accepted()),
      // FORMAT AD is Number=A and has 2 values for 1 ALT (line 11 then has empty FORMAT and sample columns)
      row(VA + "unitTests/cases/no_GENO_row.vcf", refused(INVALID_VCF, 10, "Number=A")),
      row(VA + "unitTests/cases/no_INFO_header.vcf", accepted()),
      // FORMAT is YY:GT:GQ:DP: GT must be the first sub-field when present
      row(VA + "unitTests/cases/unspecified_INFO_FORMAT_fields.vcf", refused(INVALID_VCF, 24, "GT.*first")),
      // INFO DP_HIST (Number=A, Type=String) has 2 values for 1 ALT: in INFO a comma only delimits list values
      // (VCF 4.1/4.2 1.6.1), so a String holding one is a list; this is ExAC's known Number=A-for-R slip
      row(VE + "example/exac.vcf.gz", refused(INVALID_VCF, 199, "Number=A")),
      row(VE + "example/query.vcf.gz", accepted()),
      row(VE + "tests/astar/astar.anno.vcf.gz", accepted()),
      row(VE + "tests/astar/astar.vcf.gz", accepted()),
      row(VE + "tests/by_alt_float/q.vcf", accepted()),
      row(VE + "tests/citest/at/test.vcf.gz", accepted()),
      // #CHROM ends with FORMAT and names no sample: FORMAT comes only with genotype data (records have 8 columns)
      row(VE + "tests/citest/test.vcf.gz", refused(INVALID_VCF, 52, "FORMAT.*sample|sample.*FORMAT")),
      row(VE + "tests/data/multiple-alts.vcf.gz", accepted()),
      // the #CHROM line is separated by spaces: the header line must be tab-delimited
      row(VE + "tests/data/number-input.vcf", refused(INVALID_VCF, 2, "#CHROM")),
      // the #CHROM line's fixed columns are separated by spaces
      row(VE + "tests/data/number.vcf.gz", refused(INVALID_VCF, 9, "#CHROM")),
      // a trailing tab: an empty 11th column where the header declares 10
      row(VE + "tests/dbnsfp/Calls_for_dbNSFP_example.vcf.gz", refused(INVALID_VCF, 136, "column")),
      row(VE + "tests/id-test/cosmic.small.vcf.gz", accepted()),
      row(VE + "tests/id-test/dbsnp.small.vcf.gz", accepted()), // VCF 4.0
      // INFO cosmic_ids (Number=1, Type=String) has 2 values, COSM4590035,COSM4590034: a comma delimits values
      row(VE + "tests/id-test/small.ann.vcf", refused(INVALID_VCF, 7, "Number=1")),
      row(VE + "tests/id-test/small.vcf.gz", accepted()),
      row(VE + "tests/missing_postanno/o.vcf", accepted()),
      // INFO AC is Number=A and has 2 values for 1 ALT
      row(VE + "tests/multiple-alts/ma-db.vcf.gz", refused(INVALID_VCF, 7, "Number=A")),
      row(VE + "tests/multiple-alts/ma-query.vcf", accepted()),
      row(VE + "tests/notbgz/gno.vcf.gz", accepted()), // plain gzip, not BGZF
      row(VE + "tests/overwrite-multiple-alts/a/input.vcf", accepted()),
      row(VE + "tests/overwrite-multiple-alts/a/whole.vcf.gz", accepted()),
      row(VE + "tests/overwrite-multiple-alts/b/cadd_indels.vcf.gz", accepted()),
      row(VE + "tests/overwrite-multiple-alts/b/input.vcf", accepted()),
      row(VE + "tests/overwrite-multiple-alts/b/whole_genome_snv_slice.vcf.gz", accepted()),
      row(VE + "tests/ref-alt-test/tmp_calls.vcf.gz", accepted()),
      row(VE + "tests/testVA/test-gnomad.vcf.gz", accepted()),
      row(VE + "tests/testVA/test-input.vcf", accepted()));

  private static final Duration RESULTS_TIMEOUT = Duration.ofMinutes(3);

  @TempDir Path tmp;

  @Test
  void realFilesAreStoredExactlyOrRefusedWithTheirLineAndRule() throws Exception {
    long started = System.nanoTime();
    SortedMap<String, Path> corpus = DebianCorpus.vcfFiles(DebianCorpus.ensure());
    List<String> mismatches = new ArrayList<>();
    for (String name : corpus.keySet()) {
      if (!TABLE.containsKey(name)) mismatches.add(name + ": in the corpus but not in the table");
    }
    for (String name : TABLE.keySet()) {
      if (!corpus.containsKey(name)) mismatches.add(name + ": in the table but not in the corpus");
    }

    Map<String, JobResult> byName = new HashMap<>();
    Map<String, CorpusTruth> truths = new HashMap<>();
    Map<String, String> truthFailures = new HashMap<>();
    Map<String, List<String>> lanceByJob;
    StoreContents.Graph graph;
    try (KafkaTestKit kafka = new KafkaTestKit(); TestPipeline p = new TestPipeline(kafka.bootstrapServers(), tmp)) {
      Map<Path, String> nameOf = new HashMap<>();
      List<String> args = new ArrayList<>(List.of("--batch-id", "conformance"));
      for (Map.Entry<String, Path> e : corpus.entrySet()) {
        // one copy per file under the input root; the relative paths are unique, so are the copies
        Path copy = p.input.resolve(e.getKey());
        Files.createDirectories(copy.getParent());
        Files.copy(e.getValue(), copy);
        nameOf.put(copy.toAbsolutePath().normalize(), e.getKey());
        args.add(copy.toString());
      }
      p.startWorker("worker-a");
      p.startWorker("worker-b");
      int exit = p.publish(args.toArray(String[]::new));
      if (exit != 0) mismatches.add("publish exited " + exit + ":\n" + p.lastOutput);

      // the truth is computed while the workers run: bcftools on the test's own completed copies
      int n = 0;
      for (Map.Entry<String, Path> e : corpus.entrySet()) {
        Expected exp = TABLE.get(e.getKey());
        if (exp == null || !exp.accept()) continue;
        try {
          truths.put(e.getKey(), CorpusTruth.of(e.getValue(), tmp.resolve("truth").resolve(Integer.toString(n++))));
        } catch (IOException ex) {
          truthFailures.put(e.getKey(), ex.getMessage());
        }
      }

      Map<String, JobResult> results;
      try {
        results = p.awaitResults("a result for each of " + corpus.size() + " jobs",
            r -> r.size() >= corpus.size(), RESULTS_TIMEOUT);
      } catch (AssertionError timedOut) {
        mismatches.add(timedOut.getMessage());
        results = p.results();
      }
      for (JobResult r : results.values()) {
        String name = nameOf.get(Path.of(r.input()).toAbsolutePath().normalize());
        if (name == null) mismatches.add("a result for an input nobody published: " + r.input());
        else byName.put(name, r);
      }
      p.stopWorkers(); // Kuzu lets a reader open a shard only once its worker has closed it
      lanceByJob = lanceRows(p.data.resolve("lancedb"));
      graph = StoreContents.graph(p.data.resolve("kuzu"));
    }

    List<String[]> printed = new ArrayList<>();
    for (Map.Entry<String, Expected> row : TABLE.entrySet()) {
      String name = row.getKey();
      Expected exp = row.getValue();
      JobResult r = byName.get(name);
      List<String> problems = new ArrayList<>();
      String truthCounts = "";
      if (r == null) {
        problems.add("no result");
      } else if (exp.accept()) {
        CorpusTruth t = truths.get(name);
        if (t == null) {
          problems.add("no truth: " + truthFailures.get(name));
        } else {
          truthCounts = t.normalisedRecords() + "/" + t.variantIds().size() + "/" + t.carries().size();
          checkAccepted(t, r, lanceByJob.getOrDefault(r.jobId(), List.of()),
              carries(graph, r.jobId()), graph.variants(), problems);
        }
      } else {
        checkRefused(exp, r, lanceByJob.getOrDefault(r.jobId(), List.of()),
            carries(graph, r.jobId()), problems);
      }
      for (String problem : problems) mismatches.add(name + ": " + problem);
      printed.add(new String[] {
          shortName(name),
          exp.toString(),
          r == null ? "-" : r.status() + (r.errorType() == null ? "" : " " + r.errorType()),
          truthCounts,
          r == null || r.status() != JobStatus.SUCCEEDED ? "" : r.counts().normalisedRecords() + "/"
              + r.counts().lanceRows() + "/" + r.counts().kuzuVariantNodes() + "/" + r.counts().kuzuRelationships(),
          problems.isEmpty() ? "ok" : "MISMATCH",
          note(r)});
    }
    System.out.println(render(printed, Duration.ofNanos(System.nanoTime() - started)));
    if (!mismatches.isEmpty()) {
      fail(mismatches.size() + " mismatches against the pinned table:\n  " + String.join("\n  ", mismatches));
    }
  }

  /** Stored in full: every count, every Lance row and every relationship equal the truth. */
  private static void checkAccepted(CorpusTruth t, JobResult r, List<String> lance, Set<String> carries,
      Set<String> variantNodes, List<String> problems) {
    if (t.normalisedRecords() != t.textRows()) {
      problems.add("truth disagrees with itself: bcftools made " + t.normalisedRecords() + " rows of the completed copy, "
          + "the text count is " + t.textRows() + " (" + t.bcftoolsStderr() + ")");
    }
    if (r.status() != JobStatus.SUCCEEDED) {
      problems.add("expected accepted, got " + r.status() + " " + r.errorType() + ": " + r.errorMessage());
      return;
    }
    JobResult.Counts c = r.counts();
    Set<String> carried = t.carries();
    compare(problems, "records", t.dataLines(), c.records());
    compare(problems, "normalisedRecords", t.normalisedRecords(), c.normalisedRecords());
    compare(problems, "lanceRows", t.normalisedRecords(), c.lanceRows());
    compare(problems, "kuzuVariantNodes", t.variantIds().size(), c.kuzuVariantNodes());
    compare(problems, "kuzuSampleNodes", new HashSet<>(t.samples()).size(), c.kuzuSampleNodes());
    compare(problems, "kuzuRelationships", carried.size(), c.kuzuRelationships());
    List<String> expectedRows = new ArrayList<>();
    for (CorpusTruth.Row row : t.rows()) expectedRows.add(lanceKey(row.id(), qual(row.qual()), row.filter()));
    diff(problems, "Lance rows (id, QUAL, FILTER)", expectedRows, lance);
    diff(problems, "Kuzu CARRIES (sample, variant, GT)", new ArrayList<>(carried), new ArrayList<>(carries));
    List<String> missingNodes = t.variantIds().stream().filter(id -> !variantNodes.contains(id)).limit(3).toList();
    if (!missingNodes.isEmpty()) problems.add("Kuzu has no Variant node for " + missingNodes);
    if (!t.addedHeaderLines().isEmpty() && r.warningsTotal() == 0) {
      problems.add("the header needed " + t.addedHeaderLines().size() + " declarations (first: "
          + t.addedHeaderLines().get(0) + ") and the result has no warning");
    }
  }

  /** Refused: the error type, the line and the rule, and nothing in either store. */
  private static void checkRefused(Expected exp, JobResult r, List<String> lance, Set<String> carries,
      List<String> problems) {
    if (r.status() != JobStatus.FAILED) {
      problems.add("expected " + exp + ", got " + r.status()
          + (r.counts() == null ? "" : " (" + r.counts().lanceRows() + " Lance rows)"));
    } else {
      String msg = String.valueOf(r.errorMessage());
      if (!exp.errorType().name().equals(r.errorType())) {
        problems.add("expected " + exp.errorType() + ", got " + r.errorType() + ": " + msg);
      }
      if (!Pattern.compile("\\bline " + exp.line() + "(?!\\d)").matcher(msg).find()) {
        problems.add("the message does not name line " + exp.line() + ": " + msg);
      }
      if (!Pattern.compile(exp.rule(), Pattern.CASE_INSENSITIVE).matcher(msg).find()) {
        problems.add("the message does not name the rule /" + exp.rule() + "/: " + msg);
      }
    }
    if (!lance.isEmpty()) problems.add("a refused file left " + lance.size() + " Lance rows");
    if (!carries.isEmpty()) problems.add("a refused file left " + carries.size() + " Kuzu relationships");
  }

  private static void compare(List<String> problems, String what, long expected, long got) {
    if (expected != got) problems.add(what + " expected " + expected + ", got " + got);
  }

  /** Compares two multisets; reports the sizes and the first few entries only one side has. */
  private static void diff(List<String> problems, String what, List<String> expected, List<String> got) {
    List<String> e = new ArrayList<>(expected);
    List<String> g = new ArrayList<>(got);
    e.sort(null);
    g.sort(null);
    if (e.equals(g)) return;
    List<String> onlyExpected = new ArrayList<>(e);
    for (String s : g) onlyExpected.remove(s);
    List<String> onlyGot = new ArrayList<>(g);
    for (String s : e) onlyGot.remove(s);
    problems.add(what + ": expected " + e.size() + ", got " + g.size() + "; missing "
        + onlyExpected.subList(0, Math.min(3, onlyExpected.size())) + (onlyExpected.size() > 3 ? "..." : "")
        + ", unexpected " + onlyGot.subList(0, Math.min(3, onlyGot.size())) + (onlyGot.size() > 3 ? "..." : ""));
  }

  private static String lanceKey(String id, String qual, String filter) {
    return id + " " + qual + " " + filter;
  }

  /** QUAL to 6 significant digits: BCF keeps it as a 32-bit float, and bcftools prints about that many. */
  private static String qual(Object q) {
    if (q == null || ".".equals(q)) return ".";
    double d = q instanceof Number num ? num.doubleValue() : Double.parseDouble(q.toString());
    return new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /** The Lance rows of every job, as {@link #lanceKey} strings, by job id. */
  private static Map<String, List<String>> lanceRows(Path lance) {
    Map<String, List<String>> out = new HashMap<>();
    for (StoreContents.LanceRow row : StoreContents.lanceRows(lance, "batch_id = 'conformance'")) {
      out.computeIfAbsent(row.jobId(), k -> new ArrayList<>())
          .add(lanceKey(row.variantId(), qual(row.qual()), row.filter()));
    }
    return out;
  }

  /** The job's CARRIES relationships as {@code sample \t variant \t GT}, as {@link CorpusTruth#carries} spells them. */
  private static Set<String> carries(StoreContents.Graph graph, String jobId) {
    Set<String> out = new TreeSet<>();
    for (StoreContents.Carries c : graph.carriesOf(jobId)) {
      out.add(c.sample() + "\t" + c.variantId() + "\t" + c.genotype());
    }
    return out;
  }

  /** The first warning of a success, the error message of a failure. */
  private static String note(JobResult r) {
    if (r == null) return "";
    String s = r.status() == JobStatus.FAILED ? r.errorMessage()
        : r.warnings().isEmpty() ? "" : r.warningsTotal() + " warning(s), first: line " + r.warnings().get(0).line()
            + ": " + r.warnings().get(0).message();
    s = String.valueOf(s).replaceAll("\\s+", " ");
    return s.length() > 120 ? s.substring(0, 119) + "…" : s;
  }

  private static String shortName(String name) {
    return name.replace("usr/lib/R/site-library/", "").replace("usr/share/doc/", "");
  }

  private static String render(List<String[]> rows, Duration took) {
    String[] head = {"FILE (under usr/lib/R/site-library, usr/share/doc)", "EXPECTED", "GOT",
        "TRUTH rows/vars/rels", "STORED norm/lance/vars/rels", "CHECK", "FIRST WARNING OR ERROR"};
    int[] width = new int[head.length];
    for (int i = 0; i < head.length; i++) width[i] = head[i].length();
    for (String[] r : rows) for (int i = 0; i < r.length - 1; i++) width[i] = Math.max(width[i], r[i].length());
    StringBuilder out = new StringBuilder("\nReal-world conformance: " + DebianCorpus.PINNED + ", " + rows.size()
        + " files, " + took.toSeconds() + " s\n");
    for (String[] r : Stream.concat(Stream.<String[]>of(head), rows.stream()).toList()) {
      for (int i = 0; i < r.length; i++) {
        out.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static Expected accepted() {
    return Expected.accepted();
  }

  private static Expected refused(ErrorType type, long line, String rule) {
    return Expected.refused(type, line, rule);
  }

  private static Map.Entry<String, Expected> row(String name, Expected expected) {
    return Map.entry(name, expected);
  }

  @SafeVarargs
  private static Map<String, Expected> table(Map.Entry<String, Expected>... rows) {
    Map<String, Expected> out = new LinkedHashMap<>();
    for (Map.Entry<String, Expected> r : rows) {
      if (out.put(r.getKey(), r.getValue()) != null) throw new IllegalStateException("two rows for " + r.getKey());
    }
    return java.util.Collections.unmodifiableMap(out);
  }
}
