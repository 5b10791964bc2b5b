package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
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
 * A worker SIGKILLed the instant LanceDB has committed a job while Kuzu is still writing it (the
 * stores are written side by side; Kuzu takes several times longer on a job with samples): one store
 * holds the job, the other does not, and no result was published. The redelivered job must leave
 * both stores exact, each row once.
 */
class CrashBetweenStoresTest {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) Path tmp;

  @Test
  void aKillBetweenTheTwoStoresIsRepairedByTheRedelivery() throws Exception {
    try (ProcessPipeline p = new ProcessPipeline(tmp)) {
      Path warm = p.client.input.resolve("warm.vcf.gz");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(500).samples(2).seed(3).bgzip(true).build(), warm);
      Path big = p.client.input.resolve("big.vcf.gz");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(150_000).samples(4).seed(4).bgzip(true).build(), big);
      BcftoolsTruth truth = BcftoolsTruth.of(big);

      ChildJvm first = p.startWorker("worker-1");
      send(p, "warm", warm); // creates the table, so its commits can be watched
      assertEquals(JobStatus.SUCCEEDED, p.client.awaitResult("warm", Duration.ofMinutes(3)).status());

      Path versions = LanceVariantStore.datasetPath(p.client.data.resolve("lancedb")).resolve("_versions");
      try (WatchService watch = FileSystems.getDefault().newWatchService()) {
        versions.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
        send(p, "big", big);
        WatchKey key = watch.poll(5, TimeUnit.MINUTES); // the big job's Lance commit
        assertTrue(key != null, "LanceDB committed the big job");
        first.kill();
      }
      assertEquals(truth.normalisedRecords(), LanceVariantStore.countRows(p.client.data.resolve("lancedb"), "job_id = 'big'"),
          "the kill came after LanceDB's commit");
      assertTrue(p.client.results().get("big") == null, "no result was published before the kill");
      try (KuzuGraphReader graph = KuzuGraphReader.open(p.client.data.resolve("kuzu"))) {
        long before = graph.relationshipsByJob().getOrDefault("big", Map.of()).values().stream().mapToLong(Long::longValue).sum();
        assertTrue(before < truth.nonRefGenotypes(),
            "the kill came before Kuzu's commit: " + before + " of " + truth.nonRefGenotypes() + " relationships");
      }

      ChildJvm second = p.startWorker("worker-2");
      JobResult r = p.client.awaitResult("big", Duration.ofMinutes(5));
      assertEquals(0, second.terminate(90, TimeUnit.SECONDS));
      assertEquals(JobStatus.SUCCEEDED, r.status(), r.errorMessage());
      assertEquals("worker-2", r.workerId());
      assertEquals(truth.normalisedRecords(), LanceVariantStore.countRows(p.client.data.resolve("lancedb"), "job_id = 'big'"));
      try (KuzuGraphReader graph = KuzuGraphReader.open(p.client.data.resolve("kuzu"))) {
        Map<String, Long> rels = graph.relationshipsByJob().getOrDefault("big", Map.of());
        assertEquals(truth.nonRefGenotypes(), rels.values().stream().mapToLong(Long::longValue).sum(), "Kuzu relationships of big");
      }
    }
  }

  private static void send(ProcessPipeline p, String id, Path file) throws Exception {
    p.client.send("vcf.jobs", id.getBytes(StandardCharsets.UTF_8), JobRequest.of(id, "crash", file.toString(), null).toJson());
  }
}
