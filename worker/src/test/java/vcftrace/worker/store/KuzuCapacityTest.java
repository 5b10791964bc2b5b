package vcftrace.worker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.ErrorType;
import vcftrace.common.JobRequest;
import vcftrace.worker.step.JobContext;
import vcftrace.worker.step.KuzuWriteStep;
import vcftrace.worker.step.StepException;
import vcftrace.worker.store.KuzuShard.WriteCounts;

/**
 * Jobs too large for the Kuzu buffer pool, with the real Kuzu: the write fails with {@link
 * KuzuCapacityException} (dead-lettered as {@link ErrorType#KUZU_CAPACITY}, not retried), and the
 * same shard instance then writes other jobs exactly. Without the shard reopening its database
 * after a failed transaction, job3 below fails with "Unable to find primary key value chr5-7-C-T"
 * (Kuzu 0.11.2 leaves its in-memory primary-key index wrong after rolling back a COPY; see {@link
 * KuzuShard}).
 */
class KuzuCapacityTest {

  /** The smallest pool KUZU_BUFFER_POOL_MB allows. */
  private static final long POOL = 16L << 20;

  private static final int WIDE_SAMPLES = 20;
  private static final int WIDE_VARIANTS = 15_000;
  private static final int TALL_RECORDS = 300_000;

  /** The transaction size the shard used before it was derived from the pool: one transaction. */
  private static final long ONE_TRANSACTION = 2_000_000;

  @TempDir Path tmp;

  @Test
  void jobTooLargeForThePoolFailsPermanentlyAndTheShardStaysExact() throws Exception {
    Path dir = tmp.resolve("graph");
    Path scratch = tmp.resolve("scratch");
    Path job1 = StoreTestData.write(tmp, "job1.tsv", StoreTestData.JOB1);
    Path job2 = StoreTestData.write(tmp, "job2.tsv", StoreTestData.JOB2);
    // 15k variants (small) carried by 20 samples each: 300k relationships. The Variant COPY fits,
    // the CARRIES COPY after it does not, so the rolled-back transaction had added keys to the
    // non-empty Variant index (the case that, outside this class, crashed the JVM).
    Path wide = wideJob(tmp.resolve("wide.tsv"));
    // 300k single-sample records, each a distinct variant carried by the sample: 600k rows. At 200k
    // records the small job after this failure happened to pass even without the reopen.
    Path tall = tmp.resolve("tall.tsv");
    StoreTestData.generate(tall, TALL_RECORDS, 0);
    List<String> wideSamples = new ArrayList<>();
    for (int s = 0; s < WIDE_SAMPLES; s++) {
      wideSamples.add("W" + s);
    }

    // the shard is told to write each job in one transaction, as it did before transactions were
    // sized from the pool: the way to make a transaction too large for it
    try (KuzuShard shard =
        KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL).withRowsPerTransaction(ONE_TRANSACTION))) {
      WriteCounts counts1 = new WriteCounts(3, StoreTestData.JOB1_VARIANTS, StoreTestData.JOB1_RELS);
      assertEquals(counts1, shard.replaceJob("job1", StoreTestData.SAMPLES, job1, scratch));

      KuzuCapacityException wideFailure =
          assertThrows(
              KuzuCapacityException.class,
              () -> shard.replaceJob("wide", wideSamples, wide, scratch));
      assertEquals(
          new WriteCounts(WIDE_SAMPLES, WIDE_VARIANTS, (long) WIDE_SAMPLES * WIDE_VARIANTS),
          wideFailure.job());
      assertEquals(WIDE_VARIANTS + (long) WIDE_SAMPLES * WIDE_VARIANTS, wideFailure.jobRows());
      assertEquals(wideFailure.jobRows(), wideFailure.transactionRows(), "one transaction");
      assertEquals(POOL, wideFailure.bufferPoolBytes());
      assertEquals(ONE_TRANSACTION, wideFailure.rowsPerTransaction());
      String kuzu = wideFailure.getCause().getMessage();
      assertTrue(
          kuzu.contains(
              "Buffer manager exception: Unable to allocate memory! The buffer pool is full and no"
                  + " memory could be freed!"),
          kuzu);
      assertTrue(kuzu.contains("[COPY CARRIES FROM "), "failed after the Variant COPY: " + kuzu);
      assertTrue(
          wideFailure.getMessage().startsWith(
              "Kuzu buffer pool of 16 MiB is too small for a transaction of 315000 rows (job: 15000"
                  + " variant nodes + 300000 relationships, at most 2000000 rows per transaction): "),
          wideFailure.getMessage());

      // the same instance, right after the failure: exact counts, and nothing of "wide" is left
      WriteCounts counts2 = new WriteCounts(2, 3, 4);
      assertEquals(counts2, shard.replaceJob("job2", StoreTestData.JOB2_SAMPLES, job2, scratch));
      assertEquals(counts1, shard.replaceJob("job1", StoreTestData.SAMPLES, job1, scratch));

      // through the step, as the worker runs it: permanent, and the message says what to raise
      JobContext job = new JobContext(JobRequest.of("tall", "b1", "tall.vcf", null), tall, scratch, 0);
      job.samples(List.of("T"));
      job.variantsTsv(tall);
      StepException stepFailure =
          assertThrows(StepException.class, () -> new KuzuWriteStep(p -> shard).run(job));
      assertEquals(ErrorType.KUZU_CAPACITY, stepFailure.type());
      assertFalse(stepFailure.type().isTransient(), "never retried");
      KuzuCapacityException tallFailure = (KuzuCapacityException) stepFailure.getCause();
      assertEquals(new WriteCounts(1, TALL_RECORDS, TALL_RECORDS), tallFailure.job());
      assertTrue(
          stepFailure.getMessage().startsWith(
              "job of 600000 Kuzu rows (300000 variant nodes + 300000 relationships) does not fit"
                  + " the Kuzu buffer pool of 16 MiB: a transaction of 600000 rows failed (a job is"
                  + " written in transactions of at most 2000000 rows). Raise KUZU_BUFFER_POOL_MB,"
                  + " then replay the job. Kuzu: "),
          stepFailure.getMessage());
      assertTrue(stepFailure.getMessage().contains("The buffer pool is full"), stepFailure.getMessage());

      // and again after the second failure; a job not written before is still written exactly
      Path job3 = StoreTestData.write(tmp, "job3.tsv", "chr5\t7\tC\tT\t9\tPASS\t0/1\n");
      assertEquals(new WriteCounts(1, 1, 1), shard.replaceJob("job3", List.of("S9"), job3, scratch));
    }

    // what is in the file, read back through a fresh database: only the three small jobs
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(
          new KuzuGraphReader.Counts(5, StoreTestData.JOB1_VARIANTS + 2, StoreTestData.JOB1_RELS + 4 + 1),
          reader.totals());
      assertEquals(List.of("S1", "S2", "S4"), reader.samplesCarrying("chr1-100-A-G"));
      assertEquals(List.of("S1"), reader.samplesCarrying("chr9-1-A-T"));
      assertEquals(List.of("S9"), reader.samplesCarrying("chr5-7-C-T"));
      assertEquals(List.of(), reader.samplesCarrying(wideVariantId(0)));
      assertEquals(List.of(), reader.variantsOf("W0", 5));
      assertEquals(List.of(), reader.variantsOf("T", 5));
    }
    // written to after both failures, closed with a checkpoint, reopened: still writable
    try (KuzuShard shard = KuzuShard.open(dir.resolve("partition-0.kuzu"), KuzuShard.Options.forPool(POOL))) {
      Path job4 = StoreTestData.write(tmp, "job4.tsv", "chr5\t8\tG\tA\t9\tPASS\t1/1\n");
      assertEquals(new WriteCounts(1, 1, 1), shard.replaceJob("job4", List.of("S9"), job4, scratch));
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(dir)) {
      assertEquals(List.of("chr5-7-C-T", "chr5-8-G-A"), reader.variantsOf("S9", 5));
    }
  }

  /**
   * A job of 200k records of one sample (400k rows) does not fit a pool in one transaction (shown at
   * 24 MiB, far from the boundary: at 64 MiB it sometimes just fits), and is written in the
   * transactions a 64 MiB pool is sized for: {@code 64 MiB x 50% / 350 B} = 95,869 rows, so 5.
   */
  @Test
  void transactionsSizedFromThePoolFitIt() throws Exception {
    long pool = 64L << 20;
    Path shardFile = tmp.resolve("graph/partition-0.kuzu");
    Path scratch = tmp.resolve("scratch");
    Path job = tmp.resolve("job.tsv");
    StoreTestData.generate(job, 200_000, 0);
    WriteCounts expected = new WriteCounts(1, 200_000, 200_000);
    assertEquals(95_869, KuzuShard.rowsPerTransaction(pool));
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(24L << 20).withRowsPerTransaction(ONE_TRANSACTION))) {
      KuzuCapacityException e =
          assertThrows(KuzuCapacityException.class, () -> shard.replaceJob("job", List.of("T"), job, scratch));
      assertEquals(400_000, e.transactionRows());
    }
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(pool))) {
      assertEquals(expected, shard.replaceJob("job", List.of("T"), job, scratch));
      assertEquals(
          List.of("commit-0", "commit-1", "commit-2", "commit-3", "commit-4"),
          shard.lastPhaseMillis().keySet().stream().filter(k -> k.startsWith("commit-")).toList());
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(shardFile.getParent())) {
      assertEquals(new KuzuGraphReader.Counts(1, 200_000, 200_000), reader.totals());
    }
  }

  /**
   * A commit rewrites, in the pool, every relationship the shard holds for the job's samples: at 16
   * MiB commits fail once the shard holds about 90,000, however small the transaction. The job
   * whose commit failed is dead-lettered, not marked complete; the jobs before it stay exact and
   * complete, and the shard keeps working for what does not need the rewrite.
   */
  @Test
  void aCommitIntoAShardFullerThanThePoolCanRewriteFailsAndTheShardStaysExact() throws Exception {
    // job ids as the producer makes them (UUIDs): longer than 12 bytes, Kuzu stores them apart from
    // the row, and the rewrite needs more pool than for short ids
    String A = "00000000-0000-0000-0000-00000000000a";
    String B = "00000000-0000-0000-0000-00000000000b";
    String C = "00000000-0000-0000-0000-00000000000c";
    Path shardFile = tmp.resolve("graph/partition-0.kuzu");
    Path scratch = tmp.resolve("scratch");
    Path jobA = StoreTestData.generate(tmp.resolve("a.tsv"), 40_000, "chr1", 1000);
    Path jobB = StoreTestData.generate(tmp.resolve("b.tsv"), 60_000, "chr2", 1000);
    Path sites = StoreTestData.write(tmp, "c.tsv", "chr3\t5\tA\tG\t.\t.\nchr3\t9\tC\tT\t.\t.\n");
    WriteCounts a = new WriteCounts(1, 40_000, 40_000);
    try (KuzuShard shard = KuzuShard.open(shardFile, KuzuShard.Options.forPool(POOL))) {
      assertEquals(a, shard.replaceJob(A, List.of("SA"), jobA, scratch));
      KuzuCapacityException full =
          assertThrows(KuzuCapacityException.class, () -> shard.replaceJob(B, List.of("SB"), jobB, scratch));
      assertTrue(full.getCause().getMessage().endsWith("[COMMIT]"), full.getCause().getMessage());
      assertTrue(full.transactionRows() <= KuzuShard.rowsPerTransaction(POOL), "a small transaction");
      // the same instance: A is still there and complete (an identical replay), a sites-only job
      // (no relationship to rewrite) is written
      assertEquals(a, shard.replaceJob(A, List.of("SA"), jobA, scratch));
      assertEquals(Set.of("convert", "counts-check"), shard.lastPhaseMillis().keySet());
      assertEquals(new WriteCounts(0, 2, 0), shard.replaceJob(C, List.of(), sites, scratch));
    }
    assertEquals(
        List.of(A + "|True", B + "|False", C + "|True"),
        KuzuJobsTest.rows(shardFile, "MATCH (j:Job) RETURN j.id + '|' + CAST(j.complete AS STRING) AS x ORDER BY x"));
    try (KuzuGraphReader reader = KuzuGraphReader.open(shardFile.getParent())) {
      assertEquals(40_000L, reader.relationshipsByJob().get(A).get("partition-0.kuzu"));
      long b = reader.relationshipsByJob().getOrDefault(B, java.util.Map.of()).getOrDefault("partition-0.kuzu", 0L);
      assertTrue(b < 60_000, "B's committed transactions, at most: " + b);
    }
  }

  /** {@value #WIDE_VARIANTS} records on chr7, every one het in all {@value #WIDE_SAMPLES} samples. */
  private static Path wideJob(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      String genotypes = "\t0/1".repeat(WIDE_SAMPLES);
      for (int i = 0; i < WIDE_VARIANTS; i++) {
        w.append("chr7\t").append(Integer.toString(100 + 5 * i)).append("\tA\tG\t50\tPASS")
            .append(genotypes).append('\n');
      }
    }
    return file;
  }

  private static String wideVariantId(int i) {
    return "chr7-" + (100 + 5 * i) + "-A-G";
  }
}
