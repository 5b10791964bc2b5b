package vcftrace.worker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Lance datasets on disk; no mocks. */
class LanceVariantStoreTest {

  @TempDir Path tmp;

  @Test
  void replaceJobTwiceKeepsOneCopy() throws Exception {
    Path db = tmp.resolve("lancedb");
    Path tsv = StoreTestData.write(tmp, "job1.tsv", StoreTestData.JOB1);
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      assertEquals(StoreTestData.JOB1_ROWS, store.replaceJob("job1", "b1", 3, tsv));
      assertEquals(StoreTestData.JOB1_ROWS, store.replaceJob("job1", "b1", 3, tsv));
      assertEquals(StoreTestData.JOB1_ROWS, LanceVariantStore.countRows(db, null));

      Path tsv2 = StoreTestData.write(tmp, "job2.tsv", StoreTestData.JOB2);
      assertEquals(3, store.replaceJob("job2", "b2", 2, tsv2));
      assertEquals(3, store.replaceJob("job2", "b2", 2, tsv2));
      assertEquals(StoreTestData.JOB1_ROWS + 3, LanceVariantStore.countRows(db, null));
      assertEquals(StoreTestData.JOB1_ROWS, LanceVariantStore.countRows(db, "job_id = 'job1'"));
      assertEquals(3, LanceVariantStore.countRows(db, "job_id = 'job2'"));
    }
    assertTrue(Files.isDirectory(db.resolve("variants.lance")));
  }

  @Test
  void replaceWithDifferentContentAndEmptyFile() throws Exception {
    Path db = tmp.resolve("lancedb");
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      store.replaceJob("job1", "b1", 3, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1));
      store.replaceJob("other", "b1", 2, StoreTestData.write(tmp, "o.tsv", StoreTestData.JOB2));
      String firstFive = String.join("\n", StoreTestData.JOB1.lines().limit(5).toList()) + "\n";
      assertEquals(5, store.replaceJob("job1", "b2", 3, StoreTestData.write(tmp, "b.tsv", firstFive)));
      assertEquals(5, LanceVariantStore.countRows(db, "job_id = 'job1'"));
      assertEquals(5, LanceVariantStore.countRows(db, "job_id = 'job1' AND batch_id = 'b2'"));
      assertEquals(0, store.replaceJob("job1", "b3", 3, StoreTestData.write(tmp, "e.tsv", "")));
      assertEquals(0, LanceVariantStore.countRows(db, "job_id = 'job1'"));
      assertEquals(3, LanceVariantStore.countRows(db, null));
    }
  }

  @Test
  void replaceAfterCompactionUsesDeletionVectors() throws Exception {
    Path db = tmp.resolve("lancedb");
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      store.replaceJob("job1", "b1", 3, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1));
      store.replaceJob("job2", "b1", 2, StoreTestData.write(tmp, "b.tsv", StoreTestData.JOB2));
      // compaction merges the two jobs' fragments into one mixed fragment
      try (BufferAllocator allocator = new RootAllocator();
          Dataset dataset =
              Dataset.open(allocator, LanceVariantStore.datasetPath(db).toString(), new ReadOptions.Builder().build())) {
        dataset.compact();
      }
      try (BufferAllocator allocator = new RootAllocator();
          Dataset dataset =
              Dataset.open(allocator, LanceVariantStore.datasetPath(db).toString(), new ReadOptions.Builder().build())) {
        assertEquals(1, dataset.getFragments().size(), "precondition: one mixed fragment");
      }
      String firstThree = String.join("\n", StoreTestData.JOB1.lines().limit(3).toList()) + "\n";
      assertEquals(3, store.replaceJob("job1", "b2", 3, StoreTestData.write(tmp, "c.tsv", firstThree)));
      assertEquals(3, LanceVariantStore.countRows(db, "job_id = 'job1'"));
      assertEquals(3, LanceVariantStore.countRows(db, "job_id = 'job2'"));
      assertEquals(6, LanceVariantStore.countRows(db, null));
      // and once more: the mixed fragment's deletion vector is extended
      assertEquals(3, store.replaceJob("job1", "b3", 3, StoreTestData.write(tmp, "d.tsv", firstThree)));
      assertEquals(6, LanceVariantStore.countRows(db, null));
      assertEquals(3, LanceVariantStore.countRows(db, "batch_id = 'b3'"));
    }
  }

  @Test
  void scanWithRegionFilterReturnsTypedRows() throws Exception {
    Path db = tmp.resolve("lancedb");
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      store.replaceJob("job1", "b1", 3, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1));
    }
    List<Map<String, Object>> rows =
        LanceVariantStore.scan(db, "chrom = 'chr1' AND pos >= 150 AND pos <= 300", null, 100);
    List<String> ids = rows.stream().map(r -> (String) r.get("variant_id")).sorted().toList();
    assertEquals(
        List.of(
            "chr1-150-C-T", "chr1-200-G-A", "chr1-250-T-.", "chr1-300-A-AT", "chr1-300-A-AT",
            "chr1-300-A-C"),
        ids);
    Map<String, Object> r150 = byId(rows, "chr1-150-C-T");
    assertNull(r150.get("qual"));
    assertEquals(".", r150.get("filter"));
    assertEquals(150L, r150.get("pos"));
    assertEquals(3, r150.get("sample_count"));
    assertEquals("job1", r150.get("job_id"));
    assertEquals("b1", r150.get("batch_id"));
    Map<String, Object> r200 = byId(rows, "chr1-200-G-A");
    assertEquals(30.5, r200.get("qual"));
    assertEquals("LowQual;q10", r200.get("filter"));
    assertEquals(".", byId(rows, "chr1-250-T-.").get("alt"));
    assertEquals(LanceVariantStore.COLUMNS, List.copyOf(r150.keySet()));

    List<Map<String, Object>> projected =
        LanceVariantStore.scan(db, "chrom = 'chr3'", List.of("variant_id", "qual"), 2);
    assertEquals(2, projected.size());
    assertEquals(List.of("variant_id", "qual"), List.copyOf(projected.get(0).keySet()));
    assertEquals(100.0, LanceVariantStore.scan(db, "variant_id = 'chr3-10-A-G'", null, 0).get(0).get("qual"));
  }

  @Test
  void jobIdsAreQuotedSafely() throws Exception {
    Path db = tmp.resolve("lancedb");
    Path tsv = StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB2);
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      store.replaceJob("it's", "b", 2, tsv);
      store.replaceJob("it's", "b", 2, tsv);
      store.replaceJob("it", "b", 2, tsv);
    }
    assertEquals(3, LanceVariantStore.countRows(db, "job_id = " + LanceVariantStore.sqlString("it's")));
    assertEquals(6, LanceVariantStore.countRows(db, null));
  }

  @Test
  void malformedInputCommitsNothing() throws Exception {
    Path db = tmp.resolve("lancedb");
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      store.replaceJob("job1", "b1", 3, StoreTestData.write(tmp, "a.tsv", StoreTestData.JOB1));
      Path bad = StoreTestData.write(tmp, "bad.tsv", "chr1\t1\tA\tG\t1\tPASS\t0/1\t0/1\t0/1\nchr1\t2\tA\tG\t1\tPASS\t0/1\n");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.replaceJob("job1", "b2", 3, bad));
      assertTrue(e.getMessage().contains(":2:"), e.getMessage());
      Path badPos = StoreTestData.write(tmp, "badpos.tsv", "chr1\tx\tA\tG\t1\tPASS\t0/1\t0/1\t0/1\n");
      assertThrows(IllegalArgumentException.class, () -> store.replaceJob("job1", "b2", 3, badPos));
    }
    assertEquals(StoreTestData.JOB1_ROWS, LanceVariantStore.countRows(db, null));
    assertEquals(StoreTestData.JOB1_ROWS, LanceVariantStore.countRows(db, "batch_id = 'b1'"));
  }

  @Test
  void concurrentThreadsWritingDifferentJobsGiveExactTotal() throws Exception {
    Path db = tmp.resolve("lancedb");
    int threads = 2;
    int rounds = 3;
    long rowsPerJob = 30_000;
    List<Path> inputs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      inputs.add(StoreTestData.generate(tmp.resolve("t" + t + ".tsv"), rowsPerJob + t, "chr" + (t + 1), 1));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (LanceVariantStore store = new LanceVariantStore(db)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    store.replaceJob("job-" + id, "b" + r, 1, inputs.get(id));
                    // the same job from both threads: serialised, still one copy
                    store.replaceJob("shared", "b" + r, 1, inputs.get(0));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(rowsPerJob, LanceVariantStore.countRows(db, "job_id = 'job-0'"));
    assertEquals(rowsPerJob + 1, LanceVariantStore.countRows(db, "job_id = 'job-1'"));
    assertEquals(rowsPerJob, LanceVariantStore.countRows(db, "job_id = 'shared'"));
    assertEquals(3 * rowsPerJob + 1, LanceVariantStore.countRows(db, null));
  }

  @Test
  void concurrentProcessesWritingToOneDatasetGiveExactTotal() throws Exception {
    Path db = tmp.resolve("lancedb");
    long rows = 20_000;
    Path a = StoreTestData.generate(tmp.resolve("p0.tsv"), rows, "chr1", 1);
    Path b = StoreTestData.generate(tmp.resolve("p1.tsv"), rows + 7, "chr2", 1);
    // both children race to create the dataset, then write their own job and a shared one
    Process p0 = child(db, "proc-0", a);
    Process p1 = child(db, "proc-1", b);
    assertEquals(0, waitFor(p0), () -> output(p0));
    assertEquals(0, waitFor(p1), () -> output(p1));
    assertEquals(rows, LanceVariantStore.countRows(db, "job_id = 'proc-0'"));
    assertEquals(rows + 7, LanceVariantStore.countRows(db, "job_id = 'proc-1'"));
    long shared = LanceVariantStore.countRows(db, "job_id = 'shared'");
    assertTrue(shared == rows || shared == rows + 7, "shared job has exactly one copy: " + shared);
    assertEquals(2 * rows + 7 + shared, LanceVariantStore.countRows(db, null));
  }

  private Process child(Path db, String job, Path tsv) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Xmx")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LanceWriterProcess.class.getName());
    cmd.addAll(List.of(db.toString(), job, tsv.toString()));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve(job + ".log").toFile())
        .start();
  }

  private String output(Process p) {
    try (var files = Files.list(tmp)) {
      StringBuilder sb = new StringBuilder();
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        sb.append(log).append(":\n").append(Files.readString(log)).append('\n');
      }
      return sb.toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static int waitFor(Process p) throws InterruptedException {
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static Map<String, Object> byId(List<Map<String, Object>> rows, String id) {
    return rows.stream().filter(r -> id.equals(r.get("variant_id"))).findFirst().orElseThrow();
  }

  /** Child JVM for the multi-process test. */
  public static final class LanceWriterProcess {
    public static void main(String[] args) throws Exception {
      Path db = Path.of(args[0]);
      try (LanceVariantStore store = new LanceVariantStore(db)) {
        for (int r = 0; r < 3; r++) {
          store.replaceJob(args[1], "b" + r, 1, Path.of(args[2]));
          store.replaceJob("shared", "b" + r, 1, Path.of(args[2]));
        }
      }
    }
  }
}
