package vcftrace.worker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.kuzudb.Connection;
import com.kuzudb.Database;
import com.kuzudb.FlatTuple;
import com.kuzudb.QueryResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.worker.store.KuzuShard.WriteCounts;

/**
 * A worker SIGKILLed inside Kuzu's commit. A child JVM writes a job to a shard; this test kills it
 * the moment Kuzu creates {@code <shard>.shadow}, i.e. in the checkpoint that Kuzu 0.11.2 runs
 * inside the COMMIT of a transaction holding a COPY. COPY data is not in the WAL, so the recovered
 * shard has the transaction's logged statements but not its COPYed rows. The job must not be
 * marked complete in that state, and its redelivery must write it again (not skip it as an
 * identical replay), leaving exactly the job's nodes and relationships.
 */
class KuzuCheckpointKillTest {

  private static final long POOL = 256L << 20;
  private static final int RECORDS = 300_000;
  private static final long CHILD_TIMEOUT_SECONDS = 300;

  @TempDir Path tmp;

  @Test
  void sitesOnlyJobKilledInItsCheckpointIsWrittenAgain() throws Exception {
    killInCheckpointThenReplay(List.of());
  }

  @Test
  void jobWithSamplesKilledInItsCheckpointIsWrittenAgain() throws Exception {
    killInCheckpointThenReplay(List.of("K1", "K2"));
  }

  private void killInCheckpointThenReplay(List<String> samples) throws Exception {
    Path dir = tmp.resolve("graph");
    Path shardFile = dir.resolve("vcf.jobs-0.kuzu");
    Path scratch = tmp.resolve("scratch");
    Path tsv = bigJob(tmp.resolve("big.tsv"), samples.size());
    WriteCounts big = expectedCounts(samples.size());
    // a job written before: it must come through the crash untouched
    WriteCounts job1 = new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(job1, shard.replaceJob("job1", StoreTestData.SAMPLES, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1), scratch));
    }

    Process child = startWriter(shardFile, tsv, scratch, samples);
    killWhenShadowAppears(child, Path.of(shardFile + ".shadow"));

    // what recovery (WAL replay) makes of the killed write, read without checkpointing it
    Recovered recovered = recover(shardFile);
    assertTrue(
        recovered.variantNodes() < StoreTestData.JOB1_VARIANTS + big.variantNodes(),
        "the kill landed before the checkpoint made the COPY durable: " + recovered);
    assertNotEquals(
        Boolean.TRUE, recovered.bigComplete(), "a job whose rows are not durable is not complete: " + recovered);

    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(big, shard.replaceJob("big", samples, tsv, scratch));
      assertTrue(
          shard.lastPhaseMillis().containsKey("copy-variants-0"),
          "written again, not skipped as an identical replay: " + shard.lastPhaseMillis());
      // and now it is complete: the next redelivery is a no-op
      assertEquals(big, shard.replaceJob("big", samples, tsv, scratch));
      assertFalse(shard.lastPhaseMillis().containsKey("copy-variants-0"), shard.lastPhaseMillis().toString());
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(
          new KuzuGraphReader.Counts(
              3 + samples.size(),
              StoreTestData.JOB1_VARIANTS + big.variantNodes(),
              StoreTestData.JOB1_RELS + big.relationships()),
          reader.totals());
      Map<String, Map<String, Long>> byJob = reader.relationshipsByJob();
      assertEquals(StoreTestData.JOB1_RELS, byJob.get("job1").values().stream().mapToLong(Long::longValue).sum());
      if (big.relationships() > 0) {
        assertEquals(big.relationships(), byJob.get("big").values().stream().mapToLong(Long::longValue).sum());
      }
    }
  }

  /** Starts {@link Writer} in its own JVM (SIGKILL must hit a real process, not a thread). */
  private Process startWriter(Path shardFile, Path tsv, Path scratch, List<String> samples)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Writer.class.getName());
    cmd.add(shardFile.toString());
    cmd.add(tsv.toString());
    cmd.add(scratch.toString());
    cmd.addAll(samples);
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("writer.log").toFile())
        .start();
  }

  /**
   * Polls for Kuzu's shadow file in a tight loop and SIGKILLs the child as soon as it exists. The
   * shadow file is created by the checkpoint; the checkpoint of a few hundred thousand rows takes
   * hundreds of milliseconds, far longer than this loop needs to notice it.
   */
  private void killWhenShadowAppears(Process child, Path shadow) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
    try {
      while (!Files.exists(shadow)) {
        if (!child.isAlive()) {
          fail("the writer ended (exit " + child.exitValue() + ") before any checkpoint: "
              + Files.readString(tmp.resolve("writer.log")));
        }
        if (System.nanoTime() > deadline) {
          fail("no checkpoint within " + CHILD_TIMEOUT_SECONDS + " s");
        }
        Thread.onSpinWait();
      }
      child.destroyForcibly(); // SIGKILL
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "killed writer exits");
    } finally {
      child.destroyForcibly();
    }
    assertEquals(137, child.exitValue(), "SIGKILLed, not exited: " + Files.readString(tmp.resolve("writer.log")));
  }

  private record Recovered(long variantNodes, long relationships, Boolean bigComplete) {}

  /** Opens the killed shard (WAL replay), reads it and closes it without a checkpoint. */
  private static Recovered recover(Path shardFile) {
    try (Database db = new Database(shardFile.toString(), POOL, true, false, 1L << 34, true, -1);
        Connection c = new Connection(db)) {
      long variants = single(c, "MATCH (v:Variant) RETURN count(*)");
      long rels = single(c, "MATCH ()-[r:CARRIES]->() RETURN count(*)");
      Boolean complete = null;
      try (QueryResult r = c.query("MATCH (j:Job) WHERE j.id = 'big' RETURN j.complete")) {
        assertTrue(r.isSuccess(), r.getErrorMessage());
        if (r.hasNext()) {
          try (FlatTuple t = r.getNext(); com.kuzudb.Value v = t.getValue(0)) {
            complete = v.isNull() ? null : (Boolean) v.getValue();
          }
        }
      }
      // keep the WAL as the crash left it: the shard's own open must see the crash
      try (QueryResult r = c.query("CALL force_checkpoint_on_close=false")) {
        assertTrue(r.isSuccess(), r.getErrorMessage());
      }
      return new Recovered(variants, rels, complete);
    }
  }

  private static long single(Connection c, String query) {
    try (QueryResult r = c.query(query)) {
      assertTrue(r.isSuccess(), r.getErrorMessage());
      try (FlatTuple t = r.getNext()) {
        return KuzuShard.int64(t, 0);
      }
    }
  }

  /**
   * {@value #RECORDS} records on chr20, one every 7 bp, each a distinct variant; with samples, the
   * first carries every variant (0/1 or 1/1) and the second every third one.
   */
  private static Path bigJob(Path file, int samples) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder(64);
      for (int i = 0; i < RECORDS; i++) {
        line.setLength(0);
        line.append("chr20\t").append(1000 + 7L * i).append('\t')
            .append("ACGT".charAt(i & 3)).append('\t').append("CGTA".charAt(i & 3))
            .append("\t50\tPASS");
        for (int s = 0; s < samples; s++) {
          line.append('\t').append(s == 0 ? (i % 2 == 0 ? "0/1" : "1/1") : (i % 3 == 0 ? "0/1" : "0/0"));
        }
        w.append(line).append('\n');
      }
    }
    return file;
  }

  private static WriteCounts expectedCounts(int samples) {
    long rels = samples == 0 ? 0 : RECORDS + (samples > 1 ? (RECORDS + 2) / 3 : 0);
    return new WriteCounts(samples, RECORDS, rels);
  }

  /** The child: writes one job to the shard and exits. Args: shard tsv scratch [sample...]. */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      List<String> samples = List.of(args).subList(3, args.length);
      try (KuzuShard shard = KuzuShard.open(Path.of(args[0]), KuzuShard.Options.forPool(POOL))) {
        System.out.println(shard.replaceJob("big", samples, Path.of(args[1]), Path.of(args[2])));
        System.out.println(shard.lastPhaseMillis());
      }
    }
  }
}
