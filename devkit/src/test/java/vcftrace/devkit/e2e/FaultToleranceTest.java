package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.worker.store.KuzuGraphReader;
import vcftrace.worker.store.LanceVariantStore;

/**
 * Real worker processes, really killed; a real broker process, really stopped. Whatever happens, every
 * job ends exactly once in both stores, counted by independent readers against bcftools' own counts.
 */
class FaultToleranceTest {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) Path tmp;

  /** Writes {@code n} small distinct VCFs and returns what bcftools says each should store. */
  private static Map<String, BcftoolsTruth> inputs(Path dir, int n) throws Exception {
    Map<String, BcftoolsTruth> truth = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = "job-" + i;
      Path f = dir.resolve(id + ".vcf.gz");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(400 + 7 * i).samples(2).seed(1000 + i).bgzip(true).build(), f);
      truth.put(id, BcftoolsTruth.of(f));
    }
    return truth;
  }

  private static void publish(TestPipeline p, List<String> ids) throws Exception {
    for (String id : ids) {
      p.send("vcf.jobs", id.getBytes(StandardCharsets.UTF_8),
          JobRequest.of(id, "faults", p.input.resolve(id + ".vcf.gz").toString(), null).toJson());
    }
  }

  /** Every job SUCCEEDED, and the stores hold each job's rows exactly once. */
  private static void assertExactlyOnce(ProcessPipeline p, Map<String, BcftoolsTruth> truth,
      Map<String, JobResult> results) throws Exception {
    assertEquals(truth.keySet(), results.keySet(), "a result for every job");
    long rows = 0;
    long rels = 0;
    for (Map.Entry<String, BcftoolsTruth> e : truth.entrySet()) {
      JobResult r = results.get(e.getKey());
      assertEquals(JobStatus.SUCCEEDED, r.status(), () -> e.getKey() + ": " + r.errorMessage());
      assertEquals(e.getValue().normalisedRecords(),
          LanceVariantStore.countRows(p.client.data.resolve("lancedb"), "job_id = '" + e.getKey() + "'"),
          "Lance rows of " + e.getKey());
      rows += e.getValue().normalisedRecords();
      rels += e.getValue().nonRefGenotypes();
    }
    assertEquals(rows, LanceVariantStore.countRows(p.client.data.resolve("lancedb"), null), "Lance rows in all");
    try (KuzuGraphReader graph = KuzuGraphReader.open(p.client.data.resolve("kuzu"))) {
      long total = graph.totals().relationships();
      if (total != rels) {
        // say which job lost or doubled what, in which shard, and who processed it
        Map<String, Map<String, Long>> byJob = graph.relationshipsByJob();
        StringBuilder why = new StringBuilder();
        truth.forEach((id, t) -> {
          long got = byJob.getOrDefault(id, Map.of()).values().stream().mapToLong(Long::longValue).sum();
          if (got != t.nonRefGenotypes()) {
            why.append(id).append(": expected ").append(t.nonRefGenotypes()).append(", found ")
                .append(byJob.get(id)).append(", result by ").append(results.get(id).workerId())
                .append(" attempts ").append(results.get(id).attempts()).append('\n');
          }
        });
        assertEquals(rels, total, "Kuzu relationships across shards:\n" + why);
      }
    }
  }

  @Test
  void aWorkerKilledMidRunLosesNothingAndDoublesNothing() throws Exception {
    try (ProcessPipeline p = new ProcessPipeline(tmp)) {
      Map<String, BcftoolsTruth> truth = inputs(p.client.input, 60);
      List<ChildJvm> workers = new ArrayList<>();
      for (String id : List.of("worker-1", "worker-2", "worker-3")) workers.add(p.startWorker(id));
      publish(p.client, new ArrayList<>(truth.keySet()));

      p.client.awaitResults(15, Duration.ofMinutes(5));
      workers.get(1).kill(); // SIGKILL: no hook, no commit, no flush
      Map<String, JobResult> results = p.client.awaitResults(60, Duration.ofMinutes(8));

      for (ChildJvm w : List.of(workers.get(0), workers.get(2))) {
        assertEquals(0, w.terminate(90, TimeUnit.SECONDS), w.name() + " exits 0 on SIGTERM");
      }
      // 60 results although worker-2 died holding partitions: the survivors took them over
      assertExactlyOnce(p, truth, results);
    }
  }

  @Test
  void theBrokerStoppedAndRestartedMidRunLosesNoJob() throws Exception {
    try (ProcessPipeline p = new ProcessPipeline(tmp)) {
      Map<String, BcftoolsTruth> truth = inputs(p.client.input, 30);
      ChildJvm w1 = p.startWorker("worker-1");
      ChildJvm w2 = p.startWorker("worker-2");
      publish(p.client, new ArrayList<>(truth.keySet()));

      p.client.awaitResults(8, Duration.ofMinutes(5));
      p.broker.stop();
      p.broker.restart();
      Map<String, JobResult> results = p.client.awaitResults(30, Duration.ofMinutes(8));

      assertTrue(w1.isAlive() && w2.isAlive(), "workers ride out a broker restart");
      assertEquals(0, w1.terminate(90, TimeUnit.SECONDS));
      assertEquals(0, w2.terminate(90, TimeUnit.SECONDS));
      assertExactlyOnce(p, truth, results);
    }
  }
}
