package vcftrace.worker.store;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Throughput check for the two stores, kept with the test sources (not a test: it takes tens of seconds and its figures depend
 * on the machine). Generates a single-sample TSV of N rows and writes it through each store,
 * printing wall-clock rows/s and the process CPU seconds used (CPU time is the fairer figure on a
 * shared, loaded host; Kuzu and Lance use native threads, which the process CPU time includes).
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g -cp worker/target/test-classes:... vcftrace.worker.store.StoreBench \
 *     [rows] [workDir|-] [kuzuBufferPoolMiB]
 * </pre>
 */
public final class StoreBench {

  public static final long DEFAULT_ROWS = 1_000_000;

  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : DEFAULT_ROWS;
    boolean keep = args.length > 1 && !args[1].equals("-");
    Path work = keep ? Path.of(args[1]) : Files.createTempDirectory("vcftrace-store-bench");
    long pool = args.length > 2 ? Long.parseLong(args[2]) << 20 : KuzuShard.DEFAULT_BUFFER_POOL_BYTES;
    Files.createDirectories(work);
    Path tsv = work.resolve("variants.tsv");
    Path tsv2 = work.resolve("variants-2.tsv");
    StoreTestData.generate(tsv, rows, 0);
    StoreTestData.generate(tsv2, rows, rows / 2); // second job: half its variants already exist
    System.out.printf(
        Locale.ROOT,
        "rows=%d  cpus=%d  maxHeap=%dMiB  kuzuPool=%dMiB  input=%.1f MiB  load=%.2f%n",
        rows,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        pool >> 20,
        Files.size(tsv) / 1048576.0,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    Path lanceDb = work.resolve("lancedb");
    try (LanceVariantStore lance = new LanceVariantStore(lanceDb)) {
      measure("lance  job1 first write     ", rows, () -> lance.replaceJob("job1", "b1", 1, tsv));
      measure("lance  job1 replace (same)  ", rows, () -> lance.replaceJob("job1", "b1", 1, tsv));
      measure("lance  job2 first write     ", rows, () -> lance.replaceJob("job2", "b1", 1, tsv2));
    }
    System.out.printf(Locale.ROOT, "lance  total rows in table: %d%n", LanceVariantStore.countRows(lanceDb, null));

    Path scratch = work.resolve("scratch");
    List<String> samples = List.of("SAMPLE1");
    try (KuzuShard shard =
        KuzuShard.open(work.resolve("graph/partition-0.kuzu"), KuzuShard.Options.forPool(pool))) {
      measure("kuzu   job1 first write     ", rows, () -> shard.replaceJob("job1", samples, tsv, scratch).relationships());
      System.out.println("         phases ms: " + shard.lastPhaseMillis());
      measure("kuzu   job1 replay (same)   ", rows, () -> shard.replaceJob("job1", samples, tsv, scratch).relationships());
      System.out.println("         phases ms: " + shard.lastPhaseMillis());
      measure("kuzu   job2 (50% known vars)", rows, () -> shard.replaceJob("job2", samples, tsv2, scratch).relationships());
      System.out.println("         phases ms: " + shard.lastPhaseMillis());
    }
    try (KuzuGraphReader reader = KuzuGraphReader.open(work.resolve("graph"))) {
      System.out.println("kuzu   totals: " + reader.totals());
    }
    if (!keep) {
      deleteRecursively(work);
    }
  }

  @FunctionalInterface
  private interface Action {
    long run() throws Exception;
  }

  private static void measure(String label, long rows, Action action) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long result = action.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s %9d rows in %6.2f s = %9.0f rows/s   cpu %6.2f s (%7.0f rows per cpu-s)   result=%d%n",
        label, rows, seconds, rows / seconds, cpu, rows / cpu, result);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
