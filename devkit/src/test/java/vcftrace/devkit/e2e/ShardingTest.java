package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.util.BlockCompressedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.gen.VcfGenerator.Contig;
import vcftrace.worker.store.KuzuGraphReader;
import vcftrace.worker.store.LanceVariantStore;

/**
 * {@code publish --shard-size}: one file, ten region jobs on two worker processes, and the stores hold
 * the file exactly once, as bcftools counts it. Records at and across window boundaries are written by
 * hand: each must land in exactly one shard (the one holding its POS).
 */
class ShardingTest {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) Path tmp;

  static final long SHARD_SIZE = 200_000;
  static final List<Contig> CONTIGS =
      List.of(new Contig("chr1", 1_000_000), new Contig("chr2", 600_000), new Contig("chr3", 400_000));

  /**
   * Boundary records, GT only. Windows are 1-200000, 200001-400000, ... on each contig. Generated
   * records within {@value #CLEARANCE} bp of these are dropped so that no hand-written id collides
   * with a generated one by chance.
   */
  static final List<String> BOUNDARY = List.of(
      "chr1\t1\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0",                   // first base of the first window
      "chr1\t199998\t.\tACGTACGT\tA\t.\tPASS\t.\tGT\t0/1\t1/1",       // deletion spanning 200000|200001
      "chr1\t200000\t.\tT\tC\t.\tPASS\t.\tGT\t1/1\t0/1",              // last base of window 1
      "chr1\t200001\t.\tG\tGTT\t.\tPASS\t.\tGT\t0/1\t0/0",            // first base of window 2
      "chr1\t1000000\t.\tC\tA\t.\tPASS\t.\tGT\t0/1\t0/1",             // last base of the contig
      "chr2\t399999\t.\tACGT\tA,AC\t.\tPASS\t.\tGT\t1/2\t0/1",        // multiallelic deletion across 400000|400001
      "chr2\t400001\t.\tG\tA\t.\tPASS\t.\tGT\t0/0\t1/1",
      "chr3\t200000\t.\tTTTTTTTTTTTT\tT\t.\tPASS\t.\tGT\t0/1\t0/1",   // last base of a window, 11 bases into the next
      "chr3\t200001\t.\tA\tC,G\t.\tPASS\t.\tGT\t1/2\t0/0");
  static final int CLEARANCE = 50;

  @Test
  void aShardedFileIsStoredExactlyOnceAcrossTenShardsOnTwoWorkers() throws Exception {
    try (ProcessPipeline p = new ProcessPipeline(tmp)) {
      Path vcf = writeInput(p.client.input.resolve("sharded.vcf.gz"));
      BcftoolsTruth truth = BcftoolsTruth.of(vcf);
      ChildJvm w1 = p.startWorker("worker-1");
      ChildJvm w2 = p.startWorker("worker-2");
      String batch = "sharding-" + System.nanoTime();

      int exit = p.client.publish("--batch-id", batch, "--shard-size", Long.toString(SHARD_SIZE), "--wait",
          "--timeout", "PT3M", vcf.toString());

      assertEquals(0, exit, p.client.lastOutput);
      Map<String, JobResult> results = p.client.awaitResults(10, Duration.ofMinutes(1));
      List<JobResult> shards = results.values().stream().filter(r -> batch.equals(r.batchId()))
          .sorted(Comparator.comparingInt(JobResult::shardIndex)).toList();
      assertEquals(List.of("chr1:1-200000", "chr1:200001-400000", "chr1:400001-600000", "chr1:600001-800000",
          "chr1:800001-1000000", "chr2:1-200000", "chr2:200001-400000", "chr2:400001-600000", "chr3:1-200000",
          "chr3:200001-400000"), shards.stream().map(JobResult::region).toList());
      for (JobResult r : shards) {
        assertEquals(JobStatus.SUCCEEDED, r.status(), () -> r.region() + ": " + r.errorMessage());
        assertEquals(10, r.shardCount());
      }
      assertEquals(Set.of("worker-1", "worker-2"), new HashSet<>(shards.stream().map(JobResult::workerId).toList()),
          "both workers took shards");
      assertTrue(p.client.lastOutput.contains("10/10 shards succeeded"), p.client.lastOutput);
      assertEquals(truth.normalisedRecords(), shards.stream().mapToLong(r -> r.counts().lanceRows()).sum(),
          "Lance rows the shards reported");

      // Kuzu holds its files open while a worker runs: stop both before reading the stores.
      assertEquals(0, w1.terminate(60, TimeUnit.SECONDS));
      assertEquals(0, w2.terminate(60, TimeUnit.SECONDS));
      Path lance = p.client.data.resolve("lancedb");
      String inBatch = "batch_id = " + LanceVariantStore.sqlString(batch);
      assertEquals(truth.normalisedRecords(), LanceVariantStore.countRows(lance, inBatch), "Lance rows of the batch");
      List<Map<String, Object>> ids = LanceVariantStore.scan(lance, inBatch, List.of("variant_id"), 1_000_000);
      Set<Object> distinct = new HashSet<>();
      List<Object> duplicates = new ArrayList<>();
      for (Map<String, Object> row : ids) if (!distinct.add(row.get("variant_id"))) duplicates.add(row.get("variant_id"));
      assertEquals(List.of(), duplicates, "no variant stored by two shards");
      assertEquals(truth.normalisedRecords(), ids.size());
      for (String boundary : List.of("chr1-199998-ACGTACGT-A", "chr1-200000-T-C", "chr1-200001-G-GTT",
          "chr2-399999-ACGT-AC", "chr3-200000-TTTTTTTTTTTT-T", "chr3-200001-A-G")) {
        assertEquals(1, LanceVariantStore.countRows(lance, inBatch + " AND variant_id = "
            + LanceVariantStore.sqlString(boundary)), boundary + " stored once");
      }
      try (KuzuGraphReader graph = KuzuGraphReader.open(p.client.data.resolve("kuzu"))) {
        assertEquals(truth.nonRefGenotypes(), graph.totals().relationships(), "Kuzu relationships");
      }
    }
  }

  /** ~20,000 generated records on 3 contigs (2 samples) plus {@link #BOUNDARY}, sorted, BGZF, tabix-indexed. */
  static Path writeInput(Path out) throws Exception {
    Path plain = out.resolveSibling("generated.vcf");
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(20_000).samples(2).contigs(CONTIGS).seed(6)
        .bgzip(false).build(), plain);
    List<String> header = new ArrayList<>();
    List<String> records = new ArrayList<>();
    for (String line : Files.readAllLines(plain)) {
      if (line.startsWith("#")) header.add(line); else if (!nearBoundary(line)) records.add(line);
    }
    records.addAll(BOUNDARY);
    List<String> order = CONTIGS.stream().map(Contig::name).toList();
    records.sort(Comparator.<String>comparingInt(l -> order.indexOf(l.substring(0, l.indexOf('\t'))))
        .thenComparingLong(ShardingTest::pos));
    try (OutputStream o = new BlockCompressedOutputStream(out.toFile())) {
      for (String l : header) o.write((l + "\n").getBytes(StandardCharsets.UTF_8));
      for (String l : records) o.write((l + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Files.delete(plain);
    Process tabix = new ProcessBuilder("tabix", "-p", "vcf", out.toString()).redirectErrorStream(true).start();
    String msg = new String(tabix.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (tabix.waitFor() != 0) throw new IOException("tabix failed: " + msg);
    return out;
  }

  private static boolean nearBoundary(String line) {
    String chrom = line.substring(0, line.indexOf('\t'));
    long pos = pos(line);
    for (String b : BOUNDARY) {
      if (b.startsWith(chrom + "\t") && Math.abs(pos(b) - pos) <= CLEARANCE) return true;
    }
    return false;
  }

  private static long pos(String line) {
    int a = line.indexOf('\t');
    return Long.parseLong(line.substring(a + 1, line.indexOf('\t', a + 1)));
  }
}
