package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Real worker processes whose Kuzu and LanceDB directories are small tmpfs mounts (the tests run as
 * root), made read-only and filled for real while jobs keep coming. A worker must pause (health 503,
 * {@code vcf_storage_healthy 0}), dead-letter nothing, not crash, and resume by itself once the disk
 * is back; in the end every job has exactly one result, SUCCEEDED, and both stores hold each job's
 * rows exactly once, counted by independent readers against bcftools' own counts.
 *
 * <p>The phases share one broker and two workers (starting them is most of the cost): a Kuzu directory
 * read-only from the start (the report: 27 jobs dead-lettered after 4 attempts), the Kuzu disk filled
 * below {@code MIN_FREE_DISK_MB} (the report: Kuzu aborted the JVM in native code, 28 times in 10
 * minutes), then the LanceDB disk made read-only and then filled.
 */
class DiskFaultTest {
  private static final int JOBS_PER_PHASE = 6;
  private static final int MIN_FREE_MB = 8;
  private static final Duration NOTICE = Duration.ofSeconds(60);

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) Path tmp;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aFullOrReadOnlyDiskPausesTheWorkersAndEveryJobEndsOnceWhenItIsBack() throws Exception {
    Path kuzu = Files.createDirectories(tmp.resolve("kuzu-disk"));
    Path lance = Files.createDirectories(tmp.resolve("lance-disk"));
    List<Path> mounted = new ArrayList<>();
    try {
      mount(kuzu, "96m", mounted);
      mount(lance, "48m", mounted);
      sh("mount", "-o", "remount,ro", kuzu.toString()); // read-only before any shard is opened
      try (ProcessPipeline p = new ProcessPipeline(tmp)) {
        Map<String, BcftoolsTruth> truth = inputs(p.client.input, 4 * JOBS_PER_PHASE);
        List<String> ids = new ArrayList<>(new TreeMap<>(truth).keySet());
        p.env.put("KUZU_DIR", kuzu.toString());
        p.env.put("LANCE_DB", lance.toString());
        p.env.put("MIN_FREE_DISK_MB", Integer.toString(MIN_FREE_MB));
        Map<String, Integer> ports = new HashMap<>();
        List<ChildJvm> workers = new ArrayList<>();
        for (String id : List.of("worker-1", "worker-2")) {
          ports.put(id, freePort());
          p.env.put("METRICS_PORT", Integer.toString(ports.get(id)));
          workers.add(p.startWorker(id));
        }

        // 1. Kuzu read-only from the start: nothing runs, nothing is dead-lettered.
        awaitPaused(ports, quote("kuzu " + kuzu + ": not writable: Read-only file system"));
        for (int port : ports.values()) {
          String metrics = get(port, "/metrics").body();
          assertTrue(metrics.contains("vcf_storage_healthy{application=\"vcf-worker\"} 0.0"), metrics);
          assertTrue(metrics.contains("vcf_storage_writable{application=\"vcf-worker\",store=\"kuzu\"} 0.0"), metrics);
        }
        int done = phase(p, ids, 0, ports, quote("kuzu " + kuzu + ": not writable: Read-only file system"),
            () -> sh("mount", "-o", "remount,rw", kuzu.toString()));

        // 2. the Kuzu disk below MIN_FREE_DISK_MB (not to its last byte: Kuzu aborts the process
        // when it cannot write its WAL, which is what the threshold is there to prevent)
        Path kuzuFiller = fillLeaving(kuzu, MIN_FREE_MB / 2);
        done = phase(p, ids, done, ports, belowThreshold("kuzu", kuzu),
            () -> Files.delete(kuzuFiller));

        // 3. the LanceDB directory made read-only while the workers run
        remountReadOnly(lance);
        done = phase(p, ids, done, ports, quote("lancedb " + lance + ": not writable: Read-only file system"),
            () -> sh("mount", "-o", "remount,rw", lance.toString()));

        // 4. the LanceDB disk below MIN_FREE_DISK_MB
        Path lanceFiller = fillLeaving(lance, MIN_FREE_MB / 2);
        done = phase(p, ids, done, ports, belowThreshold("lancedb", lance),
            () -> Files.delete(lanceFiller));
        assertEquals(ids.size(), done);

        for (ChildJvm w : workers) {
          assertTrue(w.isAlive(), w.name() + " never crashed");
          assertEquals(0, w.terminate(90, TimeUnit.SECONDS), w.name() + " exits 0 on SIGTERM");
        }
        assertEachJobOnceInBothStores(p, truth, kuzu, lance);
        for (String w : ports.keySet()) {
          String log = p.log(w);
          assertTrue(!log.contains("terminate called") && !log.contains("SIGSEGV"), w + " log shows a native abort");
        }
      }
    } finally {
      for (Path m : mounted) sh("umount", "--lazy", m.toString()); // lazy: a failed test may leave a worker on it
    }
  }

  /**
   * Publishes the next {@link #JOBS_PER_PHASE} jobs while the disk is bad: both workers report the
   * pause (a reason matching the regex {@code reason}), no job of the phase gets a result or a dead
   * letter; then {@code mend} the disk and wait for every job so far. Returns how many jobs have
   * been published.
   */
  private int phase(ProcessPipeline p, List<String> ids, int from, Map<String, Integer> ports, String reason,
      IoAction mend) throws Exception {
    List<String> jobs = ids.subList(from, from + JOBS_PER_PHASE);
    publish(p.client, jobs);
    awaitPaused(ports, reason);
    Map<String, Double> consumed = recordsConsumed(ports);
    // An absence is observed over a window, not synchronised on: ten polls of a paused worker. An
    // unpaused one fetches a job within one poll and, with this disk, fails it in about three seconds.
    TimeUnit.SECONDS.sleep(5);
    assertEquals(consumed, recordsConsumed(ports), "a paused worker fetches nothing");
    Map<String, JobResult> sofar = p.client.results();
    assertEquals(from, sofar.size(), "no job ran while paused: " + sofar.keySet());
    assertEquals(List.of(), p.client.readAll("vcf.jobs.dlq"), "nothing dead-lettered for a disk fault");
    awaitPaused(ports, reason); // still

    mend.run();
    for (int port : ports.values()) awaitHealth(port, quote("{\"status\":\"UP\"}"), r -> r.statusCode() == 200);
    Map<String, JobResult> results = p.client.awaitResults(from + JOBS_PER_PHASE, Duration.ofMinutes(3));
    for (String id : jobs) {
      assertEquals(JobStatus.SUCCEEDED, results.get(id).status(), () -> id + ": " + results.get(id).errorMessage());
      assertEquals(1, results.get(id).attempts(), id + " never ran against the bad disk");
    }
    return from + JOBS_PER_PHASE;
  }

  /**
   * Per worker: the records its consumer has returned from polls, from its /metrics (Kafka's own
   * meter: per topic once the consumer has fetched from one, for the whole client before; the same
   * count here, with one topic).
   */
  private Map<String, Double> recordsConsumed(Map<String, Integer> ports) throws Exception {
    Map<String, Double> out = new TreeMap<>();
    for (Map.Entry<String, Integer> w : ports.entrySet()) {
      String metrics = get(w.getValue(), "/metrics").body();
      List<String> lines = metrics.lines()
          .filter(l -> l.startsWith("kafka_consumer_fetch_manager_records_consumed_total{"))
          .filter(l -> !l.contains("topic=") || l.contains("topic=\"vcf.jobs\""))
          .toList();
      assertTrue(!lines.isEmpty(), w.getKey() + " has no records-consumed-total");
      String line = lines.stream().filter(l -> l.contains("topic=")).findFirst().orElse(lines.get(0));
      out.put(w.getKey(), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
    return out;
  }

  /** Waits until every worker's {@code /health} answers 503 PAUSED with a reason matching {@code reason}. */
  private void awaitPaused(Map<String, Integer> ports, String reason) throws Exception {
    String body = Pattern.quote("{\"status\":\"PAUSED\",\"reason\":\"") + reason + Pattern.quote("\"}");
    for (int port : ports.values()) awaitHealth(port, body, r -> r.statusCode() == 503);
  }

  /**
   * The reason of a disk left with half the threshold free. The two workers' probe files (a page
   * each, for microseconds) may be on the disk while the other measures: 4 MiB, or just under.
   */
  private static String belowThreshold(String store, Path disk) {
    return quote(store + " " + disk + ": ") + "[" + (MIN_FREE_MB / 2 - 1) + (MIN_FREE_MB / 2) + "]"
        + quote(" MiB free, below MIN_FREE_DISK_MB=" + MIN_FREE_MB);
  }

  private static String quote(String s) {
    return Pattern.quote(s);
  }

  /** Polls {@code /health} until its body matches the regex {@code body} with a status {@code ok} accepts. */
  private void awaitHealth(int port, String body, Predicate<HttpResponse<String>> ok) throws Exception {
    long deadline = System.nanoTime() + NOTICE.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = get(port, "/health");
        if (ok.test(r) && r.body().matches(body)) return;
        last = r.statusCode() + " " + r.body();
      } catch (ConnectException e) {
        last = "not listening yet";
      } catch (HttpTimeoutException e) {
        last = "no answer within 10 s"; // a loaded machine; ask again
      }
      TimeUnit.MILLISECONDS.sleep(200); // poll interval of a condition, not a synchronisation
    }
    String storage = get(port, "/metrics").body().lines().filter(l -> l.startsWith("vcf_storage")).toList().toString();
    throw new AssertionError("port " + port + ": /health did not answer " + body + " within " + NOTICE + "; last: " + last
        + "; " + storage);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One result per job, SUCCEEDED, no dead letter; each job's rows once in LanceDB and in Kuzu. */
  private static void assertEachJobOnceInBothStores(ProcessPipeline p, Map<String, BcftoolsTruth> truth, Path kuzu,
      Path lance) throws Exception {
    Map<String, Integer> resultsPerJob = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> rec : p.client.readAll("vcf.results")) {
      JobResult r = JobResult.parse(rec.value());
      assertEquals(JobStatus.SUCCEEDED, r.status(), () -> r.jobId() + ": " + r.errorMessage());
      resultsPerJob.merge(r.jobId(), 1, Integer::sum);
    }
    Map<String, Integer> once = new TreeMap<>();
    truth.keySet().forEach(id -> once.put(id, 1));
    assertEquals(once, resultsPerJob, "exactly one result per job");
    assertEquals(List.of(), p.client.readAll("vcf.jobs.dlq"), "no dead letter");

    long rows = 0;
    long rels = 0;
    for (Map.Entry<String, BcftoolsTruth> e : truth.entrySet()) {
      assertEquals(e.getValue().normalisedRecords(), LanceVariantStore.countRows(lance, "job_id = '" + e.getKey() + "'"),
          "Lance rows of " + e.getKey());
      rows += e.getValue().normalisedRecords();
      rels += e.getValue().nonRefGenotypes();
    }
    assertEquals(rows, LanceVariantStore.countRows(lance, null), "Lance rows in all");
    try (KuzuGraphReader graph = KuzuGraphReader.open(kuzu)) {
      Map<String, Map<String, Long>> byJob = graph.relationshipsByJob();
      for (Map.Entry<String, BcftoolsTruth> e : truth.entrySet()) {
        long got = byJob.getOrDefault(e.getKey(), Map.of()).values().stream().mapToLong(Long::longValue).sum();
        assertEquals(e.getValue().nonRefGenotypes(), got, "Kuzu relationships of " + e.getKey());
      }
      assertEquals(rels, graph.totals().relationships(), "Kuzu relationships across shards");
    }
  }

  /** Writes {@code n} small distinct VCFs and returns what bcftools says each should store. */
  private static Map<String, BcftoolsTruth> inputs(Path dir, int n) throws Exception {
    Map<String, BcftoolsTruth> truth = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = String.format("job-%02d", i);
      Path f = dir.resolve(id + ".vcf.gz");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(300 + 7 * i).samples(2).seed(2000 + i).bgzip(true).build(), f);
      truth.put(id, BcftoolsTruth.of(f));
    }
    return truth;
  }

  private static void publish(TestPipeline p, List<String> ids) throws Exception {
    for (String id : ids) {
      p.send("vcf.jobs", id.getBytes(StandardCharsets.UTF_8),
          JobRequest.of(id, "disk-faults", p.input.resolve(id + ".vcf.gz").toString(), null).toJson());
    }
  }

  /** A file that leaves {@code mib} MiB of {@code disk} free. */
  private static Path fillLeaving(Path disk, int mib) throws IOException {
    Path filler = disk.resolve("filler");
    long bytes = Files.getFileStore(disk).getUsableSpace() - ((long) mib << 20);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (long written = 0; written < bytes; written += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
      }
    }
    long free = Files.getFileStore(disk).getUsableSpace();
    assertTrue(free <= (long) mib << 20 && free > (long) (mib - 1) << 20, disk + " has " + free + " bytes free");
    return filler;
  }

  /**
   * Remounts {@code dir} read-only. Linux refuses while a file there is open for writing: the guard's
   * probe file lives for microseconds every half second, so a refusal is tried again a few times.
   */
  private static void remountReadOnly(Path dir) throws Exception {
    String out = "";
    for (int attempt = 0; attempt < 10; attempt++) {
      Process proc = new ProcessBuilder("mount", "-o", "remount,ro", dir.toString()).redirectErrorStream(true).start();
      out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (proc.waitFor() == 0) return;
    }
    throw new AssertionError("cannot remount " + dir + " read-only: " + out);
  }

  private static void mount(Path dir, String size, List<Path> mounted) throws Exception {
    sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    mounted.add(0, dir);
  }

  private static void sh(String... cmd) throws Exception {
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (proc.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed (the tests run as root): " + out);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws Exception;
  }
}
