package vcftrace.worker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.kuzudb.Connection;
import com.kuzudb.Database;
import com.kuzudb.FlatTuple;
import com.kuzudb.QueryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.worker.store.KuzuShard.WriteCounts;

/** Real Kuzu database files; no mocks. */
class KuzuShardTest {

  private static final long POOL = 64L << 20;

  @TempDir Path tmp;

  @Test
  void replaceJobTwiceIsIdempotentAndCountsAreExact() throws Exception {
    Path shardFile = tmp.resolve("graph/partition-0.kuzu");
    Path scratch = tmp.resolve("scratch");
    Path tsv = StoreTestData.write(tmp, "job1.tsv", StoreTestData.JOB1);
    WriteCounts expected =
        new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv, scratch));
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv, scratch));
    }
    try (Stream<Path> left = Files.list(scratch)) {
      assertEquals(0, left.count(), "scratch files are cleaned up");
    }
    // reopen: the replay short-circuit survives restarts
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv, scratch));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(shardFile.getParent())) {
      assertEquals(
          new KuzuGraphReader.Counts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS),
          reader.totals());
      assertEquals(List.of("S1", "S2", "S3"), reader.samplesCarrying("chr2-100-A-G"));
      assertEquals(List.of("S2", "S3"), reader.samplesCarrying("chr1-150-C-T"));
      assertEquals(List.of(), reader.samplesCarrying("chr1-200-G-A"));
      assertEquals(List.of(), reader.samplesCarrying("chr1-250-T-."));
      assertEquals(
          List.of(
              "chr1-100-A-G", "chr1-300-A-AT", "chr1-300-A-C", "chr1-400-GA-G", "chr1-500-C-*",
              "chr2-100-A-G", "chr2-300-G-T", "chr3-10-A-G", "chr3-20-A-G", "chr3-50-G-C",
              "chrX-1000-A-G"),
          reader.variantsOf("S1", 100));
      assertEquals(List.of("chr1-100-A-G", "chr1-300-A-AT"), reader.variantsOf("S1", 2));
      assertEquals(List.of(), reader.variantsOf("nobody", 5));
    }
    // zygosity and genotype as stored; the duplicate record (0/1 for all) must not have won
    List<String> rels =
        rows(
            shardFile,
            "MATCH (s:Sample)-[r:CARRIES]->(v:Variant) "
                + "RETURN s.id + '|' + v.id + '|' + r.genotype + '|' + r.zygosity + '|' + r.job_id AS x");
    assertEquals(StoreTestData.JOB1_RELS, rels.size());
    for (String expectedRel :
        List.of(
            "S1|chr1-100-A-G|0/1|HET|job1",
            "S2|chr1-100-A-G|1/1|HOM_ALT|job1",
            "S1|chr1-300-A-AT|1|HEMI|job1",
            "S1|chr1-400-GA-G|./1|HOM_ALT|job1",
            "S1|chr1-500-C-*|0/1|HET|job1",
            "S1|chrX-1000-A-G|1|HEMI|job1",
            "S2|chrX-1000-A-G|0/1|HET|job1",
            "S2|chrX-2000-C-G|1|HEMI|job1",
            "S3|chr1-150-C-T|1|1|HOM_ALT|job1",
            "S2|chr2-300-G-T|1|0|HET|job1",
            "S1|chr3-20-A-G|0/2|HET|job1")) {
      assertTrue(rels.contains(expectedRel), expectedRel + " in " + rels);
    }
    assertTrue(rels.stream().noneMatch(r -> r.startsWith("S2|chr1-300-A-AT")), "duplicate record ignored");
    assertEquals(
        List.of("chr1|300|A|AT"),
        rows(shardFile, "MATCH (v:Variant {id: 'chr1-300-A-AT'}) RETURN v.chrom + '|' + CAST(v.pos AS STRING) + '|' + v.ref + '|' + v.alt"));
    assertEquals(
        List.of(Long.toString(StoreTestData.JOB1_RELS)),
        rows(shardFile, "MATCH ()-[r:CARRIES]->() WHERE r.job_id = 'job1' RETURN CAST(count(*) AS STRING)"));
  }

  @Test
  void jobsShareNodesAndSumRelationships() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    Path tsv1 = StoreTestData.write(tmp, "job1.tsv", StoreTestData.JOB1);
    Path tsv2 = StoreTestData.write(tmp, "job2.tsv", StoreTestData.JOB2);
    try (KuzuShard shard = KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, tsv1, scratch);
      assertEquals(
          new WriteCounts(2, 3, 4),
          shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, tsv2, scratch));
      assertTrue(
          shard.lastPhaseMillis().containsKey("Variant-probe-new-keys"),
          shard.lastPhaseMillis().toString());
      assertEquals(
          new WriteCounts(2, 3, 4),
          shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, tsv2, scratch));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(
          new KuzuGraphReader.Counts(4, StoreTestData.JOB1_VARIANTS + 1, StoreTestData.JOB1_RELS + 4),
          reader.totals());
      assertEquals(List.of("S1", "S2", "S4"), reader.samplesCarrying("chr1-100-A-G"));
      assertEquals(List.of("chr1-100-A-G", "chr2-100-A-G"), reader.variantsOf("S4", 10));
      assertEquals(List.of("S1"), reader.samplesCarrying("chr9-1-A-T"));
    }
  }

  @Test
  void probeWithoutRegionWhenAChunkSpansManyContigs() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    StringBuilder many = new StringBuilder();
    for (int c = 0; c < KuzuConversion.MAX_REGION_CONTIGS + 20; c++) {
      many.append("ctg").append(c).append("\t5\tA\tG\t1\tPASS\t0/1\n");
    }
    try (KuzuShard shard = KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("first", List.of("S1"), StoreTestData.write(tmp, "m1.tsv", many.toString()), scratch);
      // second job: same contigs (all variants exist) plus one new; region map overflows
      many.append("ctg0\t6\tA\tG\t1\tPASS\t1/1\n");
      assertEquals(
          new WriteCounts(1, KuzuConversion.MAX_REGION_CONTIGS + 21, KuzuConversion.MAX_REGION_CONTIGS + 21),
          shard.replaceJob("second", List.of("S2"), StoreTestData.write(tmp, "m2.tsv", many.toString()), scratch));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(
          new KuzuGraphReader.Counts(
              2, KuzuConversion.MAX_REGION_CONTIGS + 21, 2L * (KuzuConversion.MAX_REGION_CONTIGS + 20) + 1),
          reader.totals());
    }
  }

  @Test
  void changedContentReplacesOldRelationships() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    try (KuzuShard shard = KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1), scratch);
      shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, StoreTestData.write(tmp, "b.tsv", StoreTestData.JOB2), scratch);
      String firstTwo = String.join("\n", StoreTestData.JOB1.lines().limit(2).toList()) + "\n";
      assertEquals(
          new WriteCounts(3, 2, 4),
          shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "c.tsv", firstTwo), scratch));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      // nodes are never deleted (shared), relationships of job1 are replaced
      assertEquals(new KuzuGraphReader.Counts(4, StoreTestData.JOB1_VARIANTS + 1, 4 + 4), reader.totals());
      assertEquals(List.of("S4"), reader.samplesCarrying("chr2-100-A-G")); // job1's S1-S3 gone
      assertEquals(List.of("S1", "S2", "S4"), reader.samplesCarrying("chr1-100-A-G"));
      assertEquals(List.of(), reader.samplesCarrying("chr3-10-A-G"));
    }
  }

  @Test
  void unsortedDuplicatesAndOddNamesAreHandled() throws Exception {
    Path dir = tmp.resolve("graph");
    String tsv =
        String.join(
            "\n",
            "chr2\t5\tA\tG\t1\tPASS\t0/1\t1",
            "chr1\t9\tC\tT\t1\tPASS\t1/1\t0",
            "chr2\t5\tA\tG\t1\tPASS\t1/1\t1", // duplicate far from its twin (chr1 in between)
            "chr1\t3\tC\tT\t1\tPASS\t0/0\t1")
            + "\n";
    List<String> samples = List.of("a,b\"c", "x\\y 'z'");
    try (KuzuShard shard = KuzuShard.open(dir.resolve("p.kuzu"), KuzuShard.Options.forPool(POOL))) {
      assertEquals(
          new WriteCounts(2, 3, 4),
          shard.replaceJob("j'1", samples, StoreTestData.write(tmp, "u.tsv", tsv), tmp.resolve("s p'ace")));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(samples, reader.samplesCarrying("chr2-5-A-G"));
      assertEquals(List.of("chr1-3-C-T", "chr2-5-A-G"), reader.variantsOf("x\\y 'z'", 10));
      assertEquals(new KuzuGraphReader.Counts(2, 3, 4), reader.totals());
    }
  }

  @Test
  void malformedInputLeavesGraphUnchanged() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    try (KuzuShard shard = KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1), scratch);
      Path bad = StoreTestData.write(tmp, "bad.tsv", "chr7\t1\tA\tG\t1\tPASS\t0/1\t0/1\t0/1\nchr7\t2\tA\tG\n");
      assertThrows(
          IllegalArgumentException.class,
          () -> shard.replaceJob("job1", StoreTestData.SAMPLES, bad, scratch));
      // still usable, and job1 still intact
      assertEquals(
          new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS),
          shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a2.tsv", StoreTestData.JOB1), scratch));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(
          new KuzuGraphReader.Counts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS),
          reader.totals());
    }
  }

  @Test
  void readerMergesShardsWithDistinctNodeCounts() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    try (KuzuShard p0 = KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL));
        KuzuShard p1 = KuzuShard.open(dir.resolve("partition-1.kuzu"), KuzuShard.Options.forPool(POOL))) {
      p0.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1), scratch);
      p1.replaceJob("job2", StoreTestData.JOB2_SAMPLES, StoreTestData.write(tmp, "b.tsv", StoreTestData.JOB2), scratch);
      // a shard open read-write in this JVM must not be opened a second time
      assertThrows(IllegalStateException.class, () -> KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL)));
      assertThrows(IllegalStateException.class, () -> KuzuGraphReader.open(dir));
    }
    Files.createDirectories(dir.resolve("not-a-shard.kuzu.d"));
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(2, reader.shards().size());
      // S1, S2, S3 in p0; S1, S4 in p1 -> 4 distinct. Variants: 18 + chr9 -> 19 distinct.
      assertEquals(
          new KuzuGraphReader.Counts(4, StoreTestData.JOB1_VARIANTS + 1, StoreTestData.JOB1_RELS + 4),
          reader.totals());
      assertEquals(List.of("S1", "S2", "S4"), reader.samplesCarrying("chr1-100-A-G"));
      assertEquals(List.of("chr1-100-A-G", "chr1-300-A-AT", "chr1-300-A-C"), reader.variantsOf("S1", 3));
      assertEquals(
          List.of("chr1-100-A-G", "chr1-300-A-AT", "chr1-300-A-C", "chr1-400-GA-G", "chr1-500-C-*",
              "chr2-100-A-G", "chr2-300-G-T", "chr3-10-A-G", "chr3-20-A-G", "chr3-50-G-C",
              "chr9-1-A-T", "chrX-1000-A-G"),
          reader.variantsOf("S1", 50));
    }
    // two readers at once are fine (shared lock)
    try (KuzuGraphReader r1 = KuzuGraphReader.open(dir);
        KuzuGraphReader r2 = KuzuGraphReader.open(dir)) {
      assertEquals(r1.totals(), r2.totals());
    }
  }

  @Test
  void emptyDirectoryReaderAndSitesOnlyJob() throws Exception {
    try (KuzuGraphReader reader = KuzuGraphReader.open(tmp.resolve("none"))) {
      assertEquals(new KuzuGraphReader.Counts(0, 0, 0), reader.totals());
    }
    Path dir = tmp.resolve("graph");
    try (KuzuShard shard = KuzuShard.open(dir.resolve("p.kuzu"), KuzuShard.Options.forPool(POOL))) {
      Path sites = StoreTestData.write(tmp, "sites.tsv", "chr1\t1\tA\tG\t.\t.\nchr1\t2\tA\t.\t.\t.\n");
      assertEquals(new WriteCounts(0, 1, 0), shard.replaceJob("sites", List.of(), sites, tmp.resolve("s")));
      assertEquals(new WriteCounts(0, 0, 0), shard.replaceJob("empty", List.of(), StoreTestData.write(tmp, "e.tsv", ""), tmp.resolve("s")));
    }
  }

  @Test
  void largeJobsCommitInChunksAndRecoverFromAnIncompleteWrite() throws Exception {
    Path dir = tmp.resolve("graph");
    Path shardFile = dir.resolve("partition-0.kuzu");
    Path scratch = tmp.resolve("scratch");
    Path tsv1 = StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1);
    WriteCounts expected = new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS);
    // 7 rows per transaction -> job1 (18 variants + 23 rels) takes several transactions
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL).withMaxDbSizeBytes(1L << 34).withRowsPerTransaction(7))) {
      shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, StoreTestData.write(tmp, "b.tsv", StoreTestData.JOB2), scratch);
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv1, scratch));
      assertTrue(shard.lastPhaseMillis().containsKey("commit-3"), shard.lastPhaseMillis().toString());
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv1, scratch));
      assertEquals(Set.of("convert", "counts-check"), shard.lastPhaseMillis().keySet());
    }
    // simulate a crash between chunks: the Job node says incomplete, part of the rels are gone
    try (Database db = new Database(shardFile.toString(), POOL, true, false, 1L << 34, true, -1);
        Connection c = new Connection(db)) {
      for (String q :
          List.of(
              "MATCH (j:Job {id: 'job1'}) SET j.complete = false",
              "MATCH (s:Sample)-[r:CARRIES]->(v:Variant) WHERE r.job_id = 'job1' AND v.chrom = 'chr3' DELETE r")) {
        try (QueryResult r = c.query(q)) {
          assertTrue(r.isSuccess(), r.getErrorMessage());
        }
      }
    }
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL).withMaxDbSizeBytes(1L << 34).withRowsPerTransaction(7))) {
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv1, scratch));
      assertTrue(shard.lastPhaseMillis().containsKey("delete-old-rels"));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(
          new KuzuGraphReader.Counts(4, StoreTestData.JOB1_VARIANTS + 1, StoreTestData.JOB1_RELS + 4),
          reader.totals());
    }
    assertEquals(
        List.of("job1|True|23", "job2|True|4"), // Kuzu casts BOOLEAN as True/False
        rows(shardFile, "MATCH (j:Job) RETURN j.id + '|' + CAST(j.complete AS STRING) + '|' + CAST(j.relationships AS STRING) AS x ORDER BY x"));
  }

  @Test
  void aCompleteJobWhoseRelationshipsAreGoneIsWrittenAgainOnReplay() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    Path shardFile = dir.resolve("vcf.jobs-0.kuzu");
    Path tsv1 = StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1);
    WriteCounts expected = new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv1, scratch));
    }
    // what a SIGKILLed worker once left behind: the Job node complete, the job's relationships gone
    try (Database db = new Database(shardFile.toString(), POOL, true, false, 1L << 34, true, -1);
        Connection c = new Connection(db);
        QueryResult r = c.query("MATCH ()-[r:CARRIES]->() WHERE r.job_id = 'job1' DELETE r")) {
      assertTrue(r.isSuccess(), r.getErrorMessage());
    }
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(expected, shard.replaceJob("job1", StoreTestData.SAMPLES, tsv1, scratch));
      assertTrue(shard.lastPhaseMillis().containsKey("delete-old-rels"), shard.lastPhaseMillis().toString());
    }
    assertEquals(
        List.of(Long.toString(StoreTestData.JOB1_RELS)),
        rows(shardFile, "MATCH ()-[r:CARRIES]->() WHERE r.job_id = 'job1' RETURN CAST(count(*) AS STRING)"));
  }

  /** Runs a query returning one string column against a closed shard. */
  private static List<String> rows(Path shardFile, String query) {
    List<String> out = new ArrayList<>();
    try (Database db = new Database(shardFile.toString(), POOL, true, true, 1L << 34, false, -1);
        Connection c = new Connection(db);
        QueryResult r = c.query(query)) {
      assertTrue(r.isSuccess(), r.getErrorMessage());
      while (r.hasNext()) {
        try (FlatTuple t = r.getNext()) {
          out.add(KuzuShard.string(t, 0));
        }
      }
    }
    return out;
  }
}
