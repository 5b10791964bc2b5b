package vcftrace.devkit.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The VCFs Debian ships in two packages nobody here wrote, at pinned versions, unpacked into a cache by
 * {@code src/test/corpus/fetch-debian-corpus.sh} (which holds the same pins; the markers it leaves are
 * checked against these). Cache: {@code $VCFTRACE_CORPUS_CACHE}, default {@code ~/.cache/vcf-trace/corpus}.
 */
final class DebianCorpus {
  /** Package and version; the test's table of outcomes is written against exactly these files. */
  static final Map<String, String> PINNED = pinned();

  static final String SCRIPT = "src/test/corpus/fetch-debian-corpus.sh";

  private DebianCorpus() {}

  private static Map<String, String> pinned() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("r-bioc-variantannotation", "1.44.1-1");
    m.put("vcfanno-examples", "0.3.5+ds-1");
    return m;
  }

  static Path cacheDir() {
    String env = System.getenv("VCFTRACE_CORPUS_CACHE");
    if (env != null && !env.isBlank()) return Path.of(env);
    return Path.of(System.getProperty("user.home"), ".cache", "vcf-trace", "corpus");
  }

  /**
   * Runs the fetch script (a no-op when the cache is complete) and returns the cache directory.
   *
   * @throws AssertionError with the script's output when the corpus cannot be had: the test fails, it
   *     never skips
   */
  static Path ensure() throws IOException, InterruptedException {
    Path script = Path.of(SCRIPT).toAbsolutePath();
    if (!Files.isRegularFile(script)) {
      throw new AssertionError("corpus script not found at " + script + " (run the test from the devkit module)");
    }
    Path cache = cacheDir();
    Path log = Files.createTempFile("fetch-debian-corpus", ".log");
    try {
      Process p = new ProcessBuilder("bash", script.toString(), cache.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(10, TimeUnit.MINUTES);
      if (!done) p.destroyForcibly();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.print(output);
      if (!done || p.exitValue() != 0) {
        throw new AssertionError("cannot fetch the Debian corpus into " + cache + " ("
            + (done ? "exit " + p.exitValue() : "timed out") + "):\n" + output);
      }
    } finally {
      Files.deleteIfExists(log);
    }
    for (Map.Entry<String, String> e : PINNED.entrySet()) {
      Path marker = cache.resolve(".complete-" + e.getKey() + "_" + e.getValue());
      if (!Files.exists(marker)) {
        throw new AssertionError("the fetch script left no " + marker + ": its pins differ from DebianCorpus.PINNED");
      }
    }
    return cache;
  }

  /** Every {@code .vcf} and {@code .vcf.gz} of the pinned packages, by its path relative to its package's root. */
  static SortedMap<String, Path> vcfFiles(Path cache) throws IOException {
    SortedMap<String, Path> out = new TreeMap<>();
    for (String pkg : PINNED.keySet()) {
      Path root = cache.resolve(pkg);
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile)
            .filter(f -> f.getFileName().toString().endsWith(".vcf") || f.getFileName().toString().endsWith(".vcf.gz"))
            .forEach(f -> {
              Path previous = out.put(root.relativize(f).toString(), f);
              if (previous != null) throw new IllegalStateException("two packages hold " + root.relativize(f));
            });
      }
    }
    return out;
  }
}
