package vcftrace.worker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.worker.store.KuzuShard.WriteCounts;

/**
 * What a shard records of its jobs, and what it does when a job marked complete is not all there:
 * at a replay, when it is opened after an unclean close, and when a shard of the first version
 * (no {@code created_by}) is opened. Real Kuzu files; the damage is done with plain Cypher.
 */
class KuzuJobsTest {

  private static final long POOL = 64L << 20;
  private static final String SITES =
      "chr4\t10\tA\tG\t.\t.\nchr4\t20\tC\tT\t.\t.\nchr4\t30\tG\tA\t.\t.\nchr1\t100\tA\tG\t.\t.\n";
  /** SITES shares chr1-100-A-G with JOB1 and adds 3 variants of its own. */
  private static final WriteCounts SITES_COUNTS = new WriteCounts(0, 4, 0);

  private static final WriteCounts JOB1_COUNTS =
      new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS);

  @TempDir Path tmp;

  @Test
  void eachJobRecordsTheNodesItCreated() throws Exception {
    Path shardFile = tmp.resolve("graph/vcf.jobs-0.kuzu");
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1), tmp.resolve("s"));
      shard.replaceJob("sites", List.of(), StoreTestData.write(tmp, "b.tsv", SITES), tmp.resolve("s"));
      shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, StoreTestData.write(tmp, "c.tsv", StoreTestData.JOB2), tmp.resolve("s"));
    }
    // num, own sample nodes, own variant nodes: job2 created S4 and chr9-1-A-T only
    assertEquals(
        List.of("job1|1|3|18|True", "job2|3|1|1|True", "sites|2|0|3|True"),
        rows(shardFile, "MATCH (j:Job) RETURN j.id + '|' + CAST(j.num AS STRING) + '|'"
            + " + CAST(j.own_sample_nodes AS STRING) + '|' + CAST(j.own_variant_nodes AS STRING)"
            + " + '|' + CAST(j.complete AS STRING) AS x ORDER BY x"));
    assertEquals(List.of("1|18", "2|3", "3|1"),
        rows(shardFile, "MATCH (v:Variant) WITH v.created_by AS n, count(*) AS c"
            + " RETURN CAST(n AS STRING) + '|' + CAST(c AS STRING) AS x ORDER BY x"));
    assertEquals(List.of("S4|3"),
        rows(shardFile, "MATCH (s:Sample) WHERE s.created_by = 3 RETURN s.id + '|' + CAST(s.created_by AS STRING)"));
  }

  @Test
  void aReplayWritesAgainAJobWhoseVariantNodesAreGone() throws Exception {
    Path shardFile = tmp.resolve("graph/vcf.jobs-0.kuzu");
    Path sites = StoreTestData.write(tmp, "b.tsv", SITES);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1), tmp.resolve("s"));
      assertEquals(SITES_COUNTS, shard.replaceJob("sites", List.of(), sites, tmp.resolve("s")));
    }
    // what the SIGKILL in issue 11 left: a sites-only job complete, its COPYed nodes gone. No
    // relationship count can see it; the shard was closed cleanly, so only the replay checks.
    cypher(shardFile, true, "MATCH (v:Variant) WHERE v.created_by = 2 DELETE v");
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(SITES_COUNTS, shard.replaceJob("sites", List.of(), sites, tmp.resolve("s")));
      assertTrue(shard.lastPhaseMillis().containsKey("copy-variants-0"), shard.lastPhaseMillis().toString());
      assertEquals(SITES_COUNTS, shard.replaceJob("sites", List.of(), sites, tmp.resolve("s")));
      assertEquals(Set.of("convert", "counts-check"), shard.lastPhaseMillis().keySet());
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(shardFile.getParent())) {
      assertEquals(new KuzuGraphReader.Counts(3, StoreTestData.JOB1_VARIANTS + 3, StoreTestData.JOB1_RELS), reader.totals());
    }
    assertEquals(List.of("sites|2|3|True"),
        rows(shardFile, "MATCH (j:Job {id: 'sites'}) RETURN j.id + '|' + CAST(j.num AS STRING) + '|'"
            + " + CAST(j.own_variant_nodes AS STRING) + '|' + CAST(j.complete AS STRING)"));
  }

  @Test
  void openingAfterAnUncleanCloseUnmarksJobsThatAreNotAllThere() throws Exception {
    Path shardFile = tmp.resolve("graph/vcf.jobs-0.kuzu");
    Path job1 = StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1);
    Path sites = StoreTestData.write(tmp, "b.tsv", SITES);
    Path job2 = StoreTestData.write(tmp, "c.tsv", StoreTestData.JOB2);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, job1, tmp.resolve("s"));
      shard.replaceJob("sites", List.of(), sites, tmp.resolve("s"));
      shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, job2, tmp.resolve("s"));
    }
    // sites loses a node it created, job2 a relationship; the WAL stays: as after a crash
    cypher(shardFile, false,
        "MATCH (v:Variant {id: 'chr4-20-C-T'}) DELETE v",
        "MATCH ()-[r:CARRIES]->(v:Variant {id: 'chr9-1-A-T'}) DELETE r");
    assertTrue(Files.exists(KuzuShard.walFile(shardFile)));
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(
          List.of("job1|True", "job2|False", "sites|False"),
          rowsOfOpenShard(shard, "MATCH (j:Job) RETURN j.id + '|' + CAST(j.complete AS STRING) AS x ORDER BY x"));
      // the un-marked jobs are written again when redelivered; job1 is still skipped
      assertEquals(SITES_COUNTS, shard.replaceJob("sites", List.of(), sites, tmp.resolve("s")));
      assertTrue(shard.lastPhaseMillis().containsKey("copy-variants-0"));
      assertEquals(new WriteCounts(2, 3, 4), shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, job2, tmp.resolve("s")));
      assertTrue(shard.lastPhaseMillis().containsKey("delete-old-rels"));
      assertEquals(JOB1_COUNTS, shard.replaceJob("job1", StoreTestData.SAMPLES, job1, tmp.resolve("s")));
      assertEquals(Set.of("convert", "counts-check"), shard.lastPhaseMillis().keySet());
    }
    assertFalse(Files.exists(KuzuShard.walFile(shardFile)), "closed cleanly");
    try (KuzuGraphReader reader = KuzuGraphReader.open(shardFile.getParent())) {
      assertEquals(new KuzuGraphReader.Counts(4, StoreTestData.JOB1_VARIANTS + 4, StoreTestData.JOB1_RELS + 4), reader.totals());
    }
  }

  @Test
  void aShardOfTheFirstVersionIsMigratedAndItsCompleteJobsChecked() throws Exception {
    Path shardFile = tmp.resolve("graph/vcf.jobs-0.kuzu");
    Path job1 = StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1);
    Path sites = StoreTestData.write(tmp, "b.tsv", SITES);
    Path job2 = StoreTestData.write(tmp, "c.tsv", StoreTestData.JOB2);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      shard.replaceJob("job1", StoreTestData.SAMPLES, job1, tmp.resolve("s"));
      shard.replaceJob("sites", List.of(), sites, tmp.resolve("s"));
      shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, job2, tmp.resolve("s"));
    }
    // the same shard as the first version wrote it (its schema, exactly), with job2's
    // relationships lost the way issue 11 describes; then closed cleanly
    cypher(shardFile, true,
        "ALTER TABLE Sample DROP created_by",
        "ALTER TABLE Variant DROP created_by",
        "ALTER TABLE Job DROP num",
        "ALTER TABLE Job DROP own_sample_nodes",
        "ALTER TABLE Job DROP own_variant_nodes",
        "MATCH ()-[r:CARRIES]->() WHERE r.job_id = 'job2' DELETE r");
    assertEquals(List.of("id", "chrom", "pos", "ref", "alt"), rows(shardFile, "CALL table_info('Variant') RETURN name"));
    assertEquals(
        List.of("id", "fingerprint", "complete", "sample_nodes", "variant_nodes", "relationships"),
        rows(shardFile, "CALL table_info('Job') RETURN name"));

    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(
          List.of("job1|True", "job2|False", "sites|True"),
          rowsOfOpenShard(shard, "MATCH (j:Job) RETURN j.id + '|' + CAST(j.complete AS STRING) AS x ORDER BY x"));
      // a first-version job is checked against its own keys at a replay: all there, skipped
      assertEquals(JOB1_COUNTS, shard.replaceJob("job1", StoreTestData.SAMPLES, job1, tmp.resolve("s")));
      assertEquals(Set.of("convert", "counts-check"), shard.lastPhaseMillis().keySet());
      assertEquals(new WriteCounts(2, 3, 4), shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, job2, tmp.resolve("s")));
      assertTrue(shard.lastPhaseMillis().containsKey("copy-carries-0"));
      // a new job in the migrated shard
      assertEquals(new WriteCounts(1, 1, 1),
          shard.replaceJob("job3", List.of("S9"), StoreTestData.write(tmp, "d.tsv", "chr5\t7\tC\tT\t9\tPASS\t0/1\n"), tmp.resolve("s")));
    }
    // a first-version sites-only job whose nodes are gone: caught when its replay looks its keys up
    cypher(shardFile, true, "MATCH (v:Variant {id: 'chr4-30-G-A'}) DELETE v");
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(SITES_COUNTS, shard.replaceJob("sites", List.of(), sites, tmp.resolve("s")));
      assertTrue(shard.lastPhaseMillis().containsKey("copy-variants-0"), shard.lastPhaseMillis().toString());
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(shardFile.getParent())) {
      assertEquals(new KuzuGraphReader.Counts(5, StoreTestData.JOB1_VARIANTS + 5, StoreTestData.JOB1_RELS + 4 + 1), reader.totals());
    }
    // written by this version: job2 and sites again (numbered from 1: first-version jobs have none)
    assertEquals(
        List.of("job1|NULL|True", "job2|1|True", "job3|2|True", "sites|3|True"),
        rows(shardFile, "MATCH (j:Job) RETURN j.id + '|' + coalesce(CAST(j.num AS STRING), 'NULL')"
            + " + '|' + CAST(j.complete AS STRING) AS x ORDER BY x"));
  }

  /** Runs statements read-write against a closed shard; {@code checkpoint} false leaves the WAL. */
  private static void cypher(Path shardFile, boolean checkpoint, String... statements) {
    try (Database db = new Database(shardFile.toString(), POOL, true, false, 1L << 34, true, -1);
        Connection c = new Connection(db)) {
      for (String q : statements) {
        try (QueryResult r = c.query(q)) {
          assertTrue(r.isSuccess(), q + ": " + r.getErrorMessage());
        }
      }
      if (!checkpoint) {
        try (QueryResult r = c.query("CALL force_checkpoint_on_close=false")) {
          assertTrue(r.isSuccess(), r.getErrorMessage());
        }
      }
    }
  }

  /** Runs a query returning one string column against a closed shard, read-only. */
  static List<String> rows(Path shardFile, String query) {
    try (Database db = new Database(shardFile.toString(), POOL, true, true, 1L << 34, false, -1);
        Connection c = new Connection(db)) {
      return strings(c, query);
    }
  }

  private static List<String> rowsOfOpenShard(KuzuShard shard, String query) {
    return shard.query(query);
  }

  private static List<String> strings(Connection c, String query) {
    List<String> out = new ArrayList<>();
    try (QueryResult r = c.query(query)) {
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
