package vcftrace.devkit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import vcftrace.common.JobResult;
import vcftrace.devkit.bench.PipelineBenchCommand.Run;
import vcftrace.devkit.bench.PipelineBenchCommand.Scenario;

/**
 * The results of {@code bench-pipeline} as the section {@value #HEADING} of a Markdown file (replaced
 * in place when it exists, appended otherwise; the rest of the file, other sections included, is kept).
 */
final class PipelineBenchReport {
  /** The section this command owns in BENCHMARKS.md. */
  static final String HEADING = "## Pipeline throughput (issue 6)";

  static final double TARGET_E2E_VS_BCFTOOLS = 0.5;
  static final double TARGET_TRACING_ON_VS_OFF = 0.97;
  static final double TARGET_STORE_ROWS_PER_SECOND = 300_000;
  static final double TARGET_TWO_VS_ONE = 1.7;

  private final String command;
  private final long records;
  private final int runs;
  private final long shardSize;
  private final List<Double> bcftools;
  private final Map<Scenario, List<Run>> measured;
  private final Run big;
  private final int kuzuBufferPoolMb;
  private final PipelineBenchSteps.Cost viewAlone;
  private final List<PipelineBenchSteps.Cost> alone;
  private final double machineScaling;

  PipelineBenchReport(String command, long records, int runs, long shardSize, List<Double> bcftools,
      Map<Scenario, List<Run>> measured, Run big, int kuzuBufferPoolMb, PipelineBenchSteps.Cost viewAlone,
      List<PipelineBenchSteps.Cost> alone, double machineScaling) {
    this.machineScaling = machineScaling;
    this.kuzuBufferPoolMb = kuzuBufferPoolMb;
    this.viewAlone = viewAlone;
    this.alone = List.copyOf(alone);
    this.command = command;
    this.records = records;
    this.runs = runs;
    this.shardSize = shardSize;
    this.bcftools = List.copyOf(bcftools);
    this.measured = measured;
    this.big = big;
  }

  void writeTo(Path file) throws IOException {
    MarkdownSections.replace(file, HEADING, section());
  }

  String section() {
    Scenario on = scenario(1, false, true);
    Scenario off = scenario(1, false, false);
    Scenario oneSharded = scenario(1, true, true);
    Scenario twoSharded = scenario(2, true, true);
    Scenario oneCore = pinned(1);
    Scenario twoCores = pinned(2);
    double view = median(bcftools);
    double eOn = rate(on), eOff = rate(off), e1 = rate(oneSharded), e2 = rate(twoSharded);
    double c1 = oneCore == null ? Double.NaN : rate(oneCore), c2 = twoCores == null ? Double.NaN : rate(twoCores);
    double lance = storeRate(on, "lancedb.write", false);
    double kuzu = storeRate(on, "kuzu.write", false);
    double kuzuAll = storeRate(on, "kuzu.write", true);

    StringBuilder sb = new StringBuilder();
    sb.append(HEADING).append("\n\n");
    sb.append("End-to-end throughput of the real pipeline: a Kafka broker process, worker processes"
        + " (`ChildJvm`), the real `publish` command in the bench JVM (results followed on the results topic), bcftools, LanceDB and Kuzu on local"
        + " disk, spans exported over OTLP/gRPC to a live `OtlpReceiver`. Measured by `bench-pipeline`"
        + " (`vcftrace.devkit.bench.PipelineBenchCommand`). The clock runs from just before `publish` to"
        + " the `finishedAt` of the last result; workers are started, joined to their group and warmed"
        + " up with a 200,000-record job first (JIT). Each run has its own topics, group and empty stores."
        + " Figures are the median of ").append(runs).append(" run(s); the scenarios are interleaved"
        + " run by run.\n\n");
    sb.append("- Machine: ").append(SpanBenchReport.machine()).append("; `")
        .append(firstLine(List.of("bcftools", "--version"))).append("`\n");
    sb.append("- Date: ").append(LocalDate.now(ZoneOffset.UTC)).append(" (UTC)\n");
    sb.append("- Load average (1/5/15 min, `/proc/loadavg`) when the report was written: ").append(loadAverage())
        .append(" (anything above the core count means other processes competed for the CPU)\n");
    sb.append("- Input: ").append(String.format(Locale.ROOT, "%,d", records)).append(" records, one sample,"
        + " chr1..chr3 (VcfGenerator, seed 61), BGZF + tabix; sharded runs use `--shard-size ")
        .append(shardSize).append("`\n");
    sb.append("- Kuzu buffer pool: ").append(kuzuBufferPoolMb > 0 ? "`KUZU_BUFFER_POOL_MB=" + kuzuBufferPoolMb + "`"
        : "the worker's default (`KUZU_BUFFER_POOL_MB` unset)").append('\n');
    sb.append("- Command (from the repository root, after `./mvnw -B -ntp install -DskipTests`):\n\n");
    sb.append("  ```\n  java --add-opens=java.base/java.nio=ALL-UNNAMED \\\n"
        + "    -cp \"devkit/target/classes:$(cat devkit/target/classpath.txt)\" \\\n"
        + "    vcftrace.devkit.bench.PipelineBenchCommand ").append(command)
        .append("\n  ```\n\n  (the same as `vcf-devkit bench-pipeline ...`)\n\n");

    sb.append("| Measurement | Median | Target | Ratio | Met |\n|---|---:|---|---:|:---:|\n");
    row(sb, "`bcftools view -Ou -o /dev/null` (baseline)", vps(view), "", Double.NaN, null);
    row(sb, "1 worker, tracing on (whole file, one job)", vps(eOn) + ms(on), ">= 0.5 x bcftools view",
        eOn / view, eOn / view >= TARGET_E2E_VS_BCFTOOLS);
    row(sb, "1 worker, tracing off (`OTEL_SDK_DISABLED=true`)", vps(eOff) + ms(off), "", Double.NaN, null);
    row(sb, "tracing on / off", "", ">= 0.97", eOn / eOff, eOn / eOff >= TARGET_TRACING_ON_VS_OFF);
    row(sb, "`lancedb.write` alone (rows / step time)", rps(lance), ">= 300,000 rows/s",
        lance / TARGET_STORE_ROWS_PER_SECOND, lance >= TARGET_STORE_ROWS_PER_SECOND);
    row(sb, "`kuzu.write` alone (variant nodes / step time)", rps(kuzu)
        + String.format(Locale.ROOT, " (%s nodes + relationships)", rps(kuzuAll)), ">= 300,000 rows/s",
        kuzu / TARGET_STORE_ROWS_PER_SECOND, kuzu >= TARGET_STORE_ROWS_PER_SECOND);
    row(sb, "1 worker, sharded (" + shards(oneSharded) + " shards)", vps(e1) + ms(oneSharded), "", Double.NaN, null);
    row(sb, "2 workers, sharded (sharing the " + Runtime.getRuntime().availableProcessors() + " cores)",
        vps(e2) + ms(twoSharded), ">= 1.7 x 1 worker sharded", e2 / e1, e2 / e1 >= TARGET_TWO_VS_ONE);
    row(sb, "this machine: 2 x `bcftools view` at once (one per core) vs one", "", "(ceiling for any 2-vs-1)",
        machineScaling, null);
    if (oneCore != null && twoCores != null) {
      row(sb, "1 worker on 1 core (`taskset`), sharded", vps(c1) + ms(oneCore), "", Double.NaN, null);
      row(sb, "2 workers on 1 core each, sharded", vps(c2) + ms(twoCores), ">= 1.7 x 1 worker on 1 core", c2 / c1,
          c2 / c1 >= TARGET_TWO_VS_ONE);
    }
    if (big != null) {
      row(sb, "big job: " + big.scenario().description(), big.completed()
          ? "completed in " + String.format(Locale.ROOT, "%,d ms", big.elapsedMillis()) + ", " + vps(big.variantsPerSecond())
              + ", VmHWM " + mib(max(big.peakRssKb()))
          : "FAILED: " + big.failure(), "completes at -Xmx1g", Double.NaN, big.completed());
    }
    sb.append('\n');

    sb.append("Worker peak memory (`VmHWM` of `/proc/<pid>/status`, read before SIGTERM; largest worker,"
        + " median over runs):");
    for (Scenario s : measured.keySet()) {
      List<Double> peaks = measured.get(s).stream().map(r -> (double) max(r.peakRssKb())).toList();
      sb.append(' ').append(s.name()).append(" (-Xmx").append(s.xmx()).append(") ").append(mib(median(peaks))).append(';');
    }
    sb.setLength(sb.length() - 1);
    sb.append(".\n\n");

    sb.append("Where the time goes (median run of each scenario; step times summed over its jobs, from the"
        + " results' `stepMillis`, in % of the summed job durations: steps of one stage run side by side,"
        + " so the percentages add up to more than 100; CPU from `/proc/<pid>/stat` of each worker, its"
        + " bcftools children included):\n\n");
    List<String> steps = new ArrayList<>();
    for (List<Run> rs : measured.values()) {
      for (Run r : rs) for (JobResult j : r.results()) for (String k : j.stepMillis().keySet()) if (!steps.contains(k)) steps.add(k);
    }
    sb.append("| Scenario | wall ms |");
    for (String s : steps) sb.append(' ').append(s.replace("tool.bcftools.", "bcftools.")).append(" ms |");
    sb.append(" jobs per worker | worker CPU s (% of wall x cores) |\n|---|---:|");
    for (int i = 0; i < steps.size(); i++) sb.append("---:|");
    sb.append("---|---|\n");
    for (Scenario s : measured.keySet()) {
      Run r = medianRun(s);
      if (r == null) continue;
      Map<String, Long> sum = stepSums(r);
      long total = r.results().stream().mapToLong(JobResult::durationMillis).sum();
      sb.append("| ").append(s.name()).append(" | ").append(String.format(Locale.ROOT, "%,d", r.elapsedMillis())).append(" |");
      for (String st : steps) {
        long v = sum.getOrDefault(st, 0L);
        sb.append(String.format(Locale.ROOT, " %,d (%.0f%%) |", v, total == 0 ? 0 : 100.0 * v / total));
      }
      Map<String, Long> perWorker = new TreeMap<>();
      r.results().forEach(j -> perWorker.merge(j.workerId(), 1L, Long::sum));
      double cpu = r.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
      sb.append(' ').append(perWorker.values()).append(" | ").append(String.format(Locale.ROOT, "%.1f (%.0f%%)", cpu,
          100.0 * cpu / (r.elapsedMillis() / 1000.0) / Runtime.getRuntime().availableProcessors())).append(" |\n");
    }
    sb.append('\n');
    sb.append(profile());
    sb.append(limits(view, eOn, eOff, e1, e2, lance, kuzu, on, twoSharded));
    sb.append('\n');
    return sb.toString();
  }

  /** The steps alone: where the CPU of a job goes, and the least wall time it allows on this machine. */
  private String profile() {
    StringBuilder sb = new StringBuilder();
    sb.append("Each step alone (the worker's step classes run one after another in the bench JVM on the main"
        + " file, after a warm-up job, into fresh stores; CPU = this process plus the bcftools it waited for,"
        + " from `/proc/self/stat`; one pass):\n\n");
    sb.append("| Step | wall ms | CPU s | variants per CPU s |\n|---|---:|---:|---:|\n");
    double cpu = 0;
    for (PipelineBenchSteps.Cost c : alone) {
      cpu += c.cpuSeconds();
      sb.append(costRow(c));
    }
    sb.append(costRow(viewAlone));
    int cores = Runtime.getRuntime().availableProcessors();
    double floor = cpu / cores;
    sb.append(String.format(Locale.ROOT, "\nThe steps of one job need %.1f CPU s; on %d cores no schedule of them"
        + " finishes in less than %.1f s, i.e. at most %s per worker on this machine, %.2f x `bcftools view`"
        + " (%.1f CPU s for the same file). Running the lanes side by side (JobRunner's stages) can only"
        + " approach that bound; passing it needs steps that cost less CPU.\n\n",
        cpu, cores, floor, vps(records / floor), (records / floor) / median(bcftools),
        viewAlone.cpuSeconds()));
    return sb.toString();
  }

  private String costRow(PipelineBenchSteps.Cost c) {
    return String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f |\n", c.step(), c.wallMillis(), c.cpuSeconds(),
        c.cpuSeconds() <= 0 ? Double.NaN : records / c.cpuSeconds());
  }

  /** One sentence per missed target, naming what the measurements show limits it. */
  private String limits(double view, double eOn, double eOff, double e1, double e2, double lance, double kuzu,
      Scenario on, Scenario two) {
    StringBuilder sb = new StringBuilder("What limits (from the figures above):\n\n");
    Run r = medianRun(on);
    Map<String, Long> sum = r == null ? Map.of() : stepSums(r);
    long total = r == null ? 0 : r.results().stream().mapToLong(JobResult::durationMillis).sum();
    List<Map.Entry<String, Long>> ranked = sum.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).toList();
    int missed = 0;
    if (eOn / view < TARGET_E2E_VS_BCFTOOLS && !ranked.isEmpty()) {
      missed++;
      sb.append(String.format(Locale.ROOT, "- End-to-end is %.2f x `bcftools view` (target 0.5). Of the job's"
          + " %,d ms, %s takes %,d ms (%.0f%%) and %s %,d ms (%.0f%%); `bcftools view` alone reads the"
          + " file in %,d ms. The two stages run one after the other, so the slowest lane of each (and the"
          + " CPU the lanes share) sets the rate.\n", eOn / view, total, ranked.get(0).getKey(), ranked.get(0).getValue(),
          100.0 * ranked.get(0).getValue() / total, ranked.size() > 1 ? ranked.get(1).getKey() : "-",
          ranked.size() > 1 ? ranked.get(1).getValue() : 0, ranked.size() > 1 ? 100.0 * ranked.get(1).getValue() / total : 0,
          Math.round(records * 1000 / view)));
    }
    if (eOn / eOff < TARGET_TRACING_ON_VS_OFF) {
      missed++;
      Run rOff = medianRun(scenario(1, false, false));
      sb.append(String.format(Locale.ROOT, "- Tracing on is %.3f x off (target 0.97): median wall %,d ms on vs %,d ms"
          + " off. A job makes ~10 spans, so the difference is not span export; compare the run-to-run spread:"
          + " on %s, off %s (variants/s).\n", eOn / eOff, r == null ? 0 : r.elapsedMillis(),
          rOff == null ? 0 : rOff.elapsedMillis(), rates(on), rates(scenario(1, false, false))));
    }
    if (lance < TARGET_STORE_ROWS_PER_SECOND) {
      missed++;
      sb.append(String.format(Locale.ROOT, "- `lancedb.write` writes %s (target 300,000): %,d ms for the job.\n",
          rps(lance), sum.getOrDefault("lancedb.write", 0L)));
    }
    if (kuzu < TARGET_STORE_ROWS_PER_SECOND) {
      missed++;
      sb.append(String.format(Locale.ROOT, "- `kuzu.write` writes %s variant nodes (target 300,000): %,d ms for the"
          + " job, %.0f%% of its steps.\n", rps(kuzu), sum.getOrDefault("kuzu.write", 0L),
          total == 0 ? 0 : 100.0 * sum.getOrDefault("kuzu.write", 0L) / total));
    }
    if (e2 / e1 < TARGET_TWO_VS_ONE) {
      missed++;
      Run r2 = medianRun(two);
      Run r1 = medianRun(scenario(1, true, true));
      double cpu2 = r2 == null ? 0 : r2.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
      double cpu1 = r1 == null ? 0 : r1.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
      int cores = Runtime.getRuntime().availableProcessors();
      Map<String, Long> busy = new TreeMap<>();
      if (r2 != null) r2.results().forEach(j -> busy.merge(j.workerId(), j.durationMillis(), Long::sum));
      sb.append(String.format(Locale.ROOT, "- Two workers are %.2f x one (target 1.7). One worker already uses"
          + " %.1f CPU s in %.1f s wall (%.0f%% of %d cores: a job is a JVM plus bcftools pipes running in"
          + " parallel); two use %.1f CPU s in %.1f s (%.0f%%). Busy time per worker (sum of job"
          + " durations): %s ms.\n", e2 / e1, cpu1, r1 == null ? 0 : r1.elapsedMillis() / 1000.0,
          r1 == null ? 0 : 100.0 * cpu1 / (r1.elapsedMillis() / 1000.0) / cores, cores, cpu2,
          r2 == null ? 0 : r2.elapsedMillis() / 1000.0,
          r2 == null ? 0 : 100.0 * cpu2 / (r2.elapsedMillis() / 1000.0) / cores, busy.values()));
    }
    Scenario oneCore = pinned(1);
    Scenario twoCores = pinned(2);
    if (oneCore != null && twoCores != null) {
      double ratio = rate(twoCores) / rate(oneCore);
      Run rp = medianRun(twoCores);
      Map<String, Long> busy = new TreeMap<>();
      if (rp != null) rp.results().forEach(j -> busy.merge(j.workerId(), j.durationMillis(), Long::sum));
      Map<String, Long> jobs = new TreeMap<>();
      if (rp != null) rp.results().forEach(j -> jobs.merge(j.workerId(), 1L, Long::sum));
      if (ratio < TARGET_TWO_VS_ONE) missed++;
      sb.append(String.format(Locale.ROOT, "- With one core per worker (as with one machine per worker), two workers"
          + " are %.2f x one (target 1.7%s). Jobs per worker %s, busy time per worker %s ms: the shards go"
          + " round-robin over the partitions, so what is left is the difference between shards and between the"
          + " two cores.\n", ratio, ratio >= TARGET_TWO_VS_ONE ? ": met" : ": not met", jobs.values(), busy.values()));
    }
    if (big != null && !big.completed()) {
      missed++;
      sb.append("- The big job failed: ").append(big.failure()).append('\n');
    }
    if (missed == 0) sb.append("- Every target is met.\n");
    return sb.toString();
  }

  private Scenario scenario(int workers, boolean sharded, boolean tracing) {
    return measured.keySet().stream()
        .filter(s -> s.workers() == workers && s.sharded() == sharded && s.tracing() == tracing && !s.corePerWorker())
        .findFirst().orElseThrow();
  }

  /** The sharded scenario with {@code workers} workers on one core each, or null when not measured. */
  private Scenario pinned(int workers) {
    return measured.keySet().stream().filter(s -> s.workers() == workers && s.corePerWorker()).findFirst().orElse(null);
  }

  private List<Run> completed(Scenario s) {
    return measured.getOrDefault(s, List.of()).stream().filter(Run::completed).toList();
  }

  private double rate(Scenario s) {
    return median(completed(s).stream().map(Run::variantsPerSecond).toList());
  }

  private String rates(Scenario s) {
    return completed(s).stream().map(r -> String.format(Locale.ROOT, "%,.0f", r.variantsPerSecond())).toList().toString();
  }

  /** The run whose rate is the (lower) median: the one whose details the tables show. */
  private Run medianRun(Scenario s) {
    List<Run> rs = new ArrayList<>(completed(s));
    if (rs.isEmpty()) return null;
    rs.sort(Comparator.comparingDouble(Run::variantsPerSecond));
    return rs.get((rs.size() - 1) / 2);
  }

  private String shards(Scenario s) {
    Run r = medianRun(s);
    return r == null ? "?" : Integer.toString(r.results().size());
  }

  private String ms(Scenario s) {
    Run r = medianRun(s);
    return r == null ? " (no run completed)" : String.format(Locale.ROOT, " (%,d ms)", r.elapsedMillis());
  }

  /** Median over runs of (rows the step wrote / its time), summed over the jobs of each run. */
  private double storeRate(Scenario s, String step, boolean nodesAndRelationships) {
    List<Double> rates = new ArrayList<>();
    for (Run r : completed(s)) {
      long rows = 0, millis = 0;
      for (JobResult j : r.results()) {
        millis += j.stepMillis().getOrDefault(step, 0L);
        rows += step.startsWith("lancedb") ? j.counts().lanceRows()
            : j.counts().kuzuVariantNodes() + (nodesAndRelationships ? j.counts().kuzuRelationships() + j.counts().kuzuSampleNodes() : 0);
      }
      if (millis > 0) rates.add(rows * 1000.0 / millis);
    }
    return median(rates);
  }

  private static Map<String, Long> stepSums(Run r) {
    Map<String, Long> sum = new LinkedHashMap<>();
    for (JobResult j : r.results()) j.stepMillis().forEach((k, v) -> sum.merge(k, v, Long::sum));
    return sum;
  }

  private static void row(StringBuilder sb, String what, String value, String target, double ratio, Boolean met) {
    sb.append("| ").append(what).append(" | ").append(value).append(" | ").append(target).append(" | ")
        .append(Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio)).append(" | ")
        .append(met == null ? "" : met ? "yes" : "**no**").append(" |\n");
  }

  static double median(List<Double> xs) {
    List<Double> s = xs.stream().filter(d -> !d.isNaN()).sorted().toList();
    if (s.isEmpty()) return Double.NaN;
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static long max(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  private static String vps(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f variants/s", v);
  }

  private static String rps(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f rows/s", v);
  }

  private static String mib(double kb) {
    return kb < 0 || Double.isNaN(kb) ? "?" : String.format(Locale.ROOT, "%,.0f MiB", kb / 1024);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** First line a command prints, stdout and stderr together. */
  private static String firstLine(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out.lines().findFirst().orElse("?").trim();
    } catch (IOException e) {
      return cmd.get(0) + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
