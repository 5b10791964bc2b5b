package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.gen.CompletedHeader;
import vcftrace.devkit.gen.Shape;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.gen.VcfVersion;
import vcftrace.worker.store.KuzuGraphReader;
import vcftrace.worker.store.LanceVariantStore;

/**
 * Fidelity as a property: generated files of many {@link Shape}s and VCF versions go through the real
 * pipeline (in-JVM Kafka, two workers, bcftools, LanceDB, Kuzu), and for every file the stores hold
 * exactly what {@code bcftools norm -m-any} makes of it: one Lance row per normalised record with its
 * QUAL and FILTER, one Kuzu Variant node per record, and a CARRIES relationship for every sample whose
 * split genotype has an allele index above 0 ({@code ./1} carries; no GT, no relationships).
 *
 * <p>The truth never comes from the worker: the test completes each file's header itself ({@link
 * CompletedHeader}: contig, INFO, FORMAT and FILTER lines for what the records use) so that bcftools
 * can normalise it, and reads the normalised records as text. Each file gets its own contig names
 * ({@code g<case>_chr1}), so its variants are told apart from other files' in the shared stores.
 *
 * <p>The cases are drawn from {@value #DEFAULT_SEED} (override with {@code -Dvcftrace.shapes.seed=N}):
 * five fixed ones that together cover every shape, then random combinations. Every mismatch of every
 * file is reported at once.
 */
class GeneratedShapesTest {

  static final long DEFAULT_SEED = 20_261_206L;

  /** Random cases on top of the fixed ones. */
  static final int RANDOM_CASES = 5;

  static final long VARIANTS = 400;

  @TempDir Path tmp;

  /** One generated input. */
  record Case(int index, VcfGenerator.Spec spec) {
    String prefix() {
      return "g" + index + "_";
    }

    String fileName() {
      return "case" + index + (spec.bgzip() ? ".vcf.gz" : ".vcf");
    }

    @Override
    public String toString() {
      return fileName() + " [" + spec.version().fileformat() + ", " + spec.samples() + " samples, "
          + spec.shapes().stream().map(Shape::cliName).toList() + ", seed " + spec.seed() + "]";
    }
  }

  /**
   * What bcftools makes of one file; {@code carryingGts} are the distinct GT values (after the split)
   * that carry, kept to show the cases exercise what they claim to.
   */
  record Truth(List<String> samples, Map<String, Row> rows, Map<String, Set<String>> carries, Set<String> carryingGts) {
    long carriesTotal() {
      return carries.values().stream().mapToLong(Set::size).sum();
    }
  }

  /** QUAL (null when missing) and FILTER of one normalised record. */
  record Row(Double qual, String filter) {}

  @Test
  void everyShapeIsStoredExactlyAsBcftoolsNormalisesIt() throws Exception {
    long seed = Long.getLong("vcftrace.shapes.seed", DEFAULT_SEED);
    List<Case> cases = cases(seed);
    System.out.println("GeneratedShapesTest, -Dvcftrace.shapes.seed=" + seed + ":\n  "
        + String.join("\n  ", cases.stream().map(Case::toString).toList()));
    try (KafkaTestKit kafka = new KafkaTestKit();
        TestPipeline pipeline = new TestPipeline(kafka.bootstrapServers(), tmp)) {
      Path truthDir = Files.createDirectories(tmp.resolve("truth"));
      Map<String, Case> byFile = new LinkedHashMap<>();
      Map<String, Truth> truths = new HashMap<>();
      for (Case c : cases) {
        Path file = pipeline.input.resolve(c.fileName());
        VcfGenerator.write(c.spec(), file);
        byFile.put(c.fileName(), c);
        truths.put(c.fileName(), truth(file, truthDir.resolve(c.prefix() + "completed.vcf")));
      }

      assertCasesCoverTheShapes(truths.values());

      pipeline.startWorker("worker-a");
      pipeline.startWorker("worker-b");
      int exit = pipeline.publish("--wait", "--timeout", "PT3M", pipeline.input.toString());
      Map<String, JobResult> results = new HashMap<>();
      for (JobResult r : pipeline.results().values()) results.put(Path.of(r.input()).getFileName().toString(), r);
      pipeline.stopWorkers(); // closes the Kuzu shards, so they can be opened read-only below

      Path lance = pipeline.data.resolve("lancedb");
      Path kuzu = pipeline.data.resolve("kuzu");
      StoreContents.Graph graph = StoreContents.graph(kuzu);
      List<Executable> checks = new ArrayList<>();
      long expectedVariants = 0;
      long expectedCarries = 0;
      for (Case c : byFile.values()) {
        Truth truth = truths.get(c.fileName());
        expectedVariants += truth.rows().size();
        expectedCarries += truth.carriesTotal();
        JobResult r = results.get(c.fileName());
        if (r == null) {
          checks.add(() -> fail(c + ": no result"));
          continue;
        }
        if (r.status() != JobStatus.SUCCEEDED) {
          checks.add(() -> fail(c + ": " + r.status() + " " + r.errorType() + ": " + r.errorMessage()));
          continue;
        }
        checks.add(() -> assertEquals(truth.rows().size(), r.counts().normalisedRecords(), c + ": normalised records"));
        checks.add(() -> assertEquals(truth.rows().size(), r.counts().lanceRows(), c + ": lance rows reported"));
        checks.add(() -> assertEquals(truth.rows().size(),
            LanceVariantStore.countRows(lance, "job_id = " + LanceVariantStore.sqlString(r.jobId())),
            c + ": rows in Lance"));
        checks.add(() -> assertSameEntries(truth.rows(), lanceRows(lance, r.jobId()), c + ": QUAL and FILTER per variant"));
        checks.add(() -> assertSameEntries(asMap(truth.rows().keySet()), asMap(variantsWithPrefix(graph, c.prefix())),
            c + ": Variant nodes in Kuzu"));
        checks.add(() -> assertEquals(truth.rows().size(), r.counts().kuzuVariantNodes(), c + ": variant nodes reported"));
        checks.add(() -> assertEquals(truth.samples().size(), r.counts().kuzuSampleNodes(), c + ": sample nodes"));
        checks.add(() -> assertSameEntries(pairs(truth.carries()), pairs(carriesOf(graph, r.jobId())), c + ": CARRIES (sample -> variant)"));
        checks.add(() -> assertEquals(truth.carriesTotal(), r.counts().kuzuRelationships(), c + ": relationships reported"));
      }
      long variants = expectedVariants;
      long carries = expectedCarries;
      checks.add(() -> assertEquals(cases.size(), results.size(), "one result per file: " + results.keySet()));
      checks.add(() -> assertEquals(0, exit, "publish --wait exit code (1 = some job failed)"));
      try (KuzuGraphReader reader = KuzuGraphReader.open(kuzu)) {
        KuzuGraphReader.Counts totals = reader.totals();
        checks.add(() -> assertEquals(variants, totals.variants(), "Variant nodes over all shards"));
        checks.add(() -> assertEquals(carries, totals.relationships(), "CARRIES over all shards"));
      }
      assertAll("seed " + seed + ", cases:\n  " + String.join("\n  ", cases.stream().map(Case::toString).toList()),
          checks.stream());
    }
  }

  /** Fails with what differs (a few examples of each kind) rather than two full maps. */
  static <V> void assertSameEntries(Map<String, V> expected, Map<String, V> actual, String what) {
    if (expected.equals(actual)) return;
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, V> e : expected.entrySet()) {
      if (!actual.containsKey(e.getKey())) missing.add(e.getKey());
      else if (!java.util.Objects.equals(e.getValue(), actual.get(e.getKey()))) {
        differ.add(e.getKey() + ": expected " + e.getValue() + ", stored " + actual.get(e.getKey()));
      }
    }
    for (String k : actual.keySet()) if (!expected.containsKey(k)) unexpected.add(k);
    fail(what + " (" + expected.size() + " expected, " + actual.size() + " stored): "
        + missing.size() + " missing " + head(missing) + "; " + unexpected.size() + " unexpected " + head(unexpected)
        + "; " + differ.size() + " differ " + head(differ));
  }

  private static String head(List<String> items) {
    return items.stream().limit(5).toList() + (items.size() > 5 ? "..." : "");
  }

  private static Map<String, Boolean> asMap(Set<String> keys) {
    Map<String, Boolean> out = new TreeMap<>();
    for (String k : keys) out.put(k, true);
    return out;
  }

  /** {@code sample -> variant} pairs, one key each. */
  private static Map<String, Boolean> pairs(Map<String, Set<String>> bySample) {
    Map<String, Boolean> out = new TreeMap<>();
    bySample.forEach((sample, variants) -> variants.forEach(v -> out.put(sample + " -> " + v, true)));
    return out;
  }

  /** The property is only as good as its inputs: the truths hold every allele and call kind named in the brief. */
  private static void assertCasesCoverTheShapes(Iterable<Truth> truths) {
    Set<String> ids = new TreeSet<>();
    Set<String> gts = new TreeSet<>();
    for (Truth t : truths) {
      ids.addAll(t.rows().keySet());
      gts.addAll(t.carryingGts());
    }
    Map<String, String> alleles = Map.of("<DEL>", ".*-<DEL>", "<NON_REF>", ".*-<NON_REF>", "<*>", ".*-<\\*>",
        "*", ".*-\\*", "breakend", ".*[\\[\\]].*");
    alleles.forEach((what, regex) ->
        assertTrue(ids.stream().anyMatch(id -> id.matches(regex)), "no " + what));
    Map<String, String> calls = Map.of("haploid", "[1-9]", "triploid", "\\d[/|]\\d[/|]\\d", "phased", "\\d\\|\\d",
        "partial ./1", "\\.[/|][1-9]");
    calls.forEach((what, regex) ->
        assertTrue(gts.stream().anyMatch(g -> g.matches(regex)), "no " + what + " in " + gts));
  }

  /** Five fixed cases that between them cover every shape and version, then random ones. */
  static List<Case> cases(long seed) {
    List<Case> out = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    EnumSet<Shape> genotypeless = EnumSet.of(Shape.NO_GENOTYPES, Shape.PLOIDY_MIX, Shape.PHASED, Shape.PARTIAL_CALLS);
    // everything a call set can do at once
    out.add(make(out.size(), random, 3, true, VcfVersion.V4_3, EnumSet.complementOf(EnumSet.of(Shape.NO_GENOTYPES))));
    // samples without GT, undeclared keys, no contig lines
    out.add(make(out.size(), random, 2, false, VcfVersion.V4_2,
        EnumSet.of(Shape.NO_GENOTYPES, Shape.UNDECLARED_KEYS, Shape.NO_CONTIG_LINES, Shape.SYMBOLIC)));
    // sites only, with every record kind
    out.add(make(out.size(), random, 0, true, VcfVersion.V4_2,
        EnumSet.of(Shape.NO_CONTIG_LINES, Shape.SYMBOLIC, Shape.BREAKENDS, Shape.SPANNING_DELETIONS)));
    // VCF 4.1 with declared contigs
    out.add(make(out.size(), random, 4, false, VcfVersion.V4_1,
        EnumSet.of(Shape.PLOIDY_MIX, Shape.PARTIAL_CALLS, Shape.BREAKENDS, Shape.SYMBOLIC)));
    // none: the shape every other test uses
    out.add(make(out.size(), random, 2, true, VcfVersion.V4_2, EnumSet.noneOf(Shape.class)));
    for (int i = 0; i < RANDOM_CASES; i++) {
      VcfVersion version = VcfVersion.values()[random.nextInt(VcfVersion.values().length)];
      int samples = random.nextInt(5);
      EnumSet<Shape> shapes = EnumSet.noneOf(Shape.class);
      for (Shape s : Shape.values()) if (random.nextBoolean()) shapes.add(s);
      if (samples == 0) shapes.removeAll(genotypeless);
      if (shapes.contains(Shape.NO_GENOTYPES)) shapes.removeAll(EnumSet.of(Shape.PLOIDY_MIX, Shape.PHASED, Shape.PARTIAL_CALLS));
      if (version == VcfVersion.V4_1) shapes.remove(Shape.SPANNING_DELETIONS);
      out.add(make(out.size(), random, samples, random.nextBoolean(), version, shapes));
    }
    return out;
  }

  private static Case make(int index, SplittableRandom random, int samples, boolean bgzip, VcfVersion version,
      Set<Shape> shapes) {
    String p = "g" + index + "_";
    VcfGenerator.Spec spec = VcfGenerator.Spec.builder()
        .variants(VARIANTS)
        .samples(samples)
        .contigs(List.of(new VcfGenerator.Contig(p + "chr1", 300_000), new VcfGenerator.Contig(p + "chr2", 200_000)))
        .multiallelicFraction(0.1)
        .seed(random.nextLong(1, 1_000_000))
        .bgzip(bgzip)
        .version(version)
        .shapes(shapes)
        .build();
    return new Case(index, spec);
  }

  /**
   * The normalised records of {@code file}, from {@code bcftools norm -m-any} of a header-completed
   * copy: variant id {@code CHROM-POS-REF-ALT}, QUAL, FILTER, and per sample the ids whose split GT
   * has an allele index above 0.
   */
  static Truth truth(Path file, Path completed) throws IOException, InterruptedException {
    CompletedHeader.write(file, completed);
    List<String> samples = BcftoolsTruth.run(List.of("bcftools", "query", "-l", completed.toString()));
    List<String> lines = BcftoolsTruth.run(List.of("bcftools", "norm", "-m-any", "-Ov", completed.toString()));
    Map<String, Row> rows = new TreeMap<>();
    Map<String, Set<String>> carries = new TreeMap<>();
    Set<String> carryingGts = new TreeSet<>();
    for (String s : samples) carries.put(s, new TreeSet<>());
    for (String line : lines) {
      if (line.startsWith("#")) continue;
      String[] f = line.split("\t");
      String id = f[0] + "-" + f[1] + "-" + f[3] + "-" + f[4];
      Row previous = rows.put(id, new Row(f[5].equals(".") ? null : Double.valueOf(f[5]), f[6]));
      if (previous != null) throw new IllegalStateException("generator wrote " + id + " twice in " + file);
      if (f.length <= 9) continue;
      int gt = List.of(f[8].split(":")).indexOf("GT");
      if (gt < 0) continue;
      for (int s = 0; s < samples.size(); s++) {
        String[] values = f[9 + s].split(":");
        if (gt < values.length && carries(values[gt])) {
          carries.get(samples.get(s)).add(id);
          carryingGts.add(values[gt]);
        }
      }
    }
    carries.values().removeIf(Set::isEmpty);
    return new Truth(samples, rows, carries, carryingGts);
  }

  /** A GT carries when any allele index is above 0; {@code .} alleles are skipped. */
  static boolean carries(String gt) {
    for (String a : gt.split("[/|]")) {
      if (!a.equals(".") && Integer.parseInt(a) > 0) return true;
    }
    return false;
  }

  private static Map<String, Row> lanceRows(Path lance, String jobId) {
    Map<String, Row> out = new TreeMap<>();
    for (StoreContents.LanceRow row : StoreContents.lanceRows(lance, "job_id = " + LanceVariantStore.sqlString(jobId))) {
      Row previous = out.put(row.variantId(), new Row(row.qual(), row.filter()));
      if (previous != null) out.put(row.variantId() + " (again)", previous);
    }
    return out;
  }

  /** The file's Variant nodes: its contigs' names start with {@code prefix}, so its ids do. */
  private static Set<String> variantsWithPrefix(StoreContents.Graph graph, String prefix) {
    Set<String> out = new TreeSet<>();
    for (String v : graph.variants()) if (v.startsWith(prefix)) out.add(v);
    return out;
  }

  /** The job's CARRIES by sample, restricted to samples carrying something (as {@link Truth} is). */
  private static Map<String, Set<String>> carriesOf(StoreContents.Graph graph, String jobId) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (StoreContents.Carries c : graph.carriesOf(jobId)) {
      out.computeIfAbsent(c.sample(), k -> new TreeSet<>()).add(c.variantId());
    }
    return out;
  }
}
