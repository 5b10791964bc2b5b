package vcftrace.devkit.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vcftrace.common.Telemetry;
import vcftrace.common.telemetry.ParallelSpanProcessor;

/**
 * The results of {@code bench-spans} as a Markdown table, and as the section {@value #HEADING} of a
 * Markdown file (replaced in place when it exists, appended otherwise; the rest of the file is kept).
 */
final class SpanBenchReport {
  /** The section this command owns in BENCHMARKS.md. */
  static final String HEADING = "## Span pipeline (issue 3)";

  /** The goal: spans per second sustained at 20 ms per export. */
  static final double TARGET_RATE = 100_000;

  static final long TARGET_LATENCY_MS = 20;

  /**
   * A configuration measured: a name, what it sets, the OTLP protocol and the overrides given to
   * Telemetry.
   */
  record Setup(String name, String description, String protocol, Map<String, String> overrides) {
    static final String GRPC = "grpc";
    static final String HTTP_PROTOBUF = "http/protobuf";

    Setup {
      requireNonNull(name, "name");
      requireNonNull(protocol, "protocol");
      overrides = Map.copyOf(overrides);
    }

    /** The OpenTelemetry SDK's own batch-processor defaults, one processor, no compression. */
    static Setup sdkDefaults() {
      Map<String, String> o = new LinkedHashMap<>();
      o.put("OTEL_BSP_MAX_QUEUE_SIZE", "2048");
      o.put("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512");
      o.put("OTEL_BSP_SCHEDULE_DELAY", "5000");
      o.put("OTEL_BSP_EXPORT_TIMEOUT", "30000");
      o.put(ParallelSpanProcessor.PARALLELISM_ENV, "1");
      o.put("OTEL_EXPORTER_OTLP_COMPRESSION", "none");
      return new Setup("sdk-defaults",
          "the SDK's batch-processor defaults: " + settings(o) + " (one batch processor, as the"
              + " SDK has); OTLP/gRPC", GRPC, o);
    }

    /** {@link Telemetry#defaults} as shipped, with the given parallelism and protocol. */
    static Setup tuned(int parallelism, String protocol) {
      Map<String, String> o = Map.of(ParallelSpanProcessor.PARALLELISM_ENV,
          Integer.toString(parallelism));
      boolean http = HTTP_PROTOBUF.equals(protocol);
      String name = (http ? "tuned-http" : "tuned")
          + (parallelism == ParallelSpanProcessor.DEFAULT_PARALLELISM
              ? "" : ", parallelism " + parallelism);
      return new Setup(name,
          "our defaults (`Telemetry.defaults`): `OTEL_BSP_MAX_QUEUE_SIZE=65536`,"
              + " `OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2048`, `OTEL_BSP_SCHEDULE_DELAY=200`,"
              + " `OTEL_BSP_EXPORT_TIMEOUT=10000`, `OTEL_EXPORTER_OTLP_COMPRESSION=gzip`, `"
              + ParallelSpanProcessor.PARALLELISM_ENV + "=" + parallelism + "`"
              + (http ? "; OTLP/HTTP-protobuf through the JDK HTTP sender (`OTEL_EXPORTER_OTLP_"
                  + "TRACES_PROTOCOL=http/protobuf`)" : "; OTLP/gRPC (OkHttp sender)"),
          protocol, o);
    }

    private static String settings(Map<String, String> o) {
      StringBuilder sb = new StringBuilder();
      o.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append('`').append(k).append('=')
          .append(v).append('`'));
      return sb.toString();
    }
  }

  /**
   * One configuration at one latency: the confirmed full-length probe ({@code null} if none passed),
   * the lowest failing probe seen ({@code null} if none failed) and how many probes it took.
   */
  record Row(
      Setup setup,
      long latencyMs,
      SpanBenchProbe.Result sustained,
      SpanBenchProbe.Result firstFailure,
      int probes) {}

  private final String command;
  private final int probeSeconds;
  private final int searchSeconds;
  private final int maxWaitSeconds;
  private final double maxOtherCpu;
  private final List<Row> rows;

  SpanBenchReport(String command, int probeSeconds, int searchSeconds, int maxWaitSeconds,
      double maxOtherCpu, List<Row> rows) {
    this.command = requireNonNull(command, "command");
    this.probeSeconds = probeSeconds;
    this.searchSeconds = searchSeconds;
    this.maxWaitSeconds = maxWaitSeconds;
    this.maxOtherCpu = maxOtherCpu;
    this.rows = List.copyOf(rows);
  }

  /** The results table, Markdown. */
  String table() {
    StringBuilder sb = new StringBuilder();
    sb.append("| Configuration | Export latency | Sustained, 0 dropped (spans/s, ")
        .append(probeSeconds).append(" s) | Exported (spans/s) | Peak queue | CPU sender / receiver"
            + " / others (% of one core) | Lowest failing rate: why | CPU there, sender / receiver"
            + " / others |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---|---:|\n");
    for (Row row : rows) {
      SpanBenchProbe.Result ok = row.sustained();
      SpanBenchProbe.Result bad = row.firstFailure();
      sb.append("| ").append(row.setup().name())
          .append(" | ").append(row.latencyMs()).append(" ms")
          .append(" | ").append(ok == null ? "none found" : "**" + fmt(ok.targetRate()) + "**")
          .append(" | ").append(ok == null ? "" : fmt(ok.exportedRate()))
          .append(" | ").append(ok == null ? "" : ok.queueMax() + " / " + ok.queueCapacity())
          .append(" | ").append(ok == null ? "" : cpu(ok))
          .append(" | ").append(bad == null ? "none up to the search ceiling"
              : fmt(bad.targetRate()) + ": " + bad.verdict())
          .append(" | ").append(bad == null ? "" : cpu(bad))
          .append(" |\n");
    }
    return sb.toString();
  }

  /** Replaces (or appends) {@link #HEADING} in {@code file}, creating the file if needed. */
  void writeSection(Path file) throws IOException {
    MarkdownSections.replace(file, HEADING, section());
  }

  /** The whole section, from its heading to a blank line before the next one. */
  String section() {
    StringBuilder sb = new StringBuilder();
    sb.append(HEADING).append("\n\n");
    sb.append("The highest span rate each configuration sustains for ").append(probeSeconds)
        .append(" s with **zero spans dropped** (through the final flush), exporting OTLP/gRPC to a"
            + " receiver on loopback that answers each export after the given delay. Measured by"
            + " `bench-spans` (`vcftrace.devkit.bench.SpanBenchCommand`) with the project's own"
            + " `Telemetry.create(...)`; drops and the queue are read from `SpanPipelineMetrics`.\n\n");
    sb.append("- Machine: ").append(machine()).append('\n');
    sb.append("- Date: ").append(LocalDate.now(ZoneOffset.UTC)).append(" (UTC)\n");
    sb.append("- Command (from the repository root, after `./mvnw -B -ntp install -DskipTests`):\n\n");
    sb.append("  ```\n  java -cp \"devkit/target/classes:$(cat devkit/target/classpath.txt)\" \\\n"
        + "    vcftrace.devkit.DevkitMain ").append(command.replaceFirst("^vcf-devkit ", ""))
        .append("\n  ```\n\n");
    sb.append(table()).append('\n');
    sb.append("Configurations:\n\n");
    rows.stream().map(Row::setup).distinct().forEach(s ->
        sb.append("- **").append(s.name()).append("**: ").append(s.description()).append(".\n"));
    sb.append('\n');
    sb.append("How it is measured: the sender (this JVM) creates spans on one thread, paced in 1 ms"
        + " ticks, as worker-like traces of 5 short spans (a job span and four step spans, two"
        + " attributes each). The receiver (`SpanBenchReceiver`, the devkit's `OtlpReceiver` in"
        + " counting mode) runs in a second JVM so that its CPU is measured apart, both from"
        + " `/proc/<pid>/stat`. Each configuration's rate is found by doubling from the start rate"
        + " with ").append(searchSeconds).append(" s probes, then bisecting to within 5%, then"
        + " confirmed by a ").append(probeSeconds).append(" s probe (15% lower each time it fails)."
        + " A probe passes with no span dropped, the queue at most half full at its end (a queue"
        + " that is still filling up would drop later) and the sender keeping up with the target"
        + " rate. Sender and receiver share the machine, so the CPU columns add up to at most "
        + 100 * Runtime.getRuntime().availableProcessors() + "%; 'others' is every other process"
        + (maxWaitSeconds > 0
            ? String.format(Locale.ROOT, " (before each probe the bench waited up to %d s for it to"
                + " fall below %.0f%% of a core).", maxWaitSeconds, maxOtherCpu)
            : " (this run did not wait for a quiet machine: other builds ran beside it, and their"
                + " share of the CPU is what the column shows).")
        + "\n\n");
    sb.append(verdict());
    return sb.toString();
  }

  /** Whether the target was met, per tuned row at the target latency. */
  private String verdict() {
    StringBuilder sb = new StringBuilder();
    for (Row row : rows) {
      if (row.latencyMs() != TARGET_LATENCY_MS || !row.setup().name().startsWith("tuned")) {
        continue;
      }
      SpanBenchProbe.Result ok = row.sustained();
      double rate = ok == null ? 0 : ok.targetRate();
      sb.append("Target (").append(fmt(TARGET_RATE)).append(" spans/s for 30 s, 0 dropped, 20 ms"
          + " exports), ").append(row.setup().name()).append(": ")
          .append(rate >= TARGET_RATE && probeSeconds >= 30 ? "**met**" : "**not met**")
          .append(" (").append(fmt(rate)).append(" spans/s sustained).\n");
    }
    return sb.length() == 0 ? "" : sb.append('\n').toString();
  }

  private static String cpu(SpanBenchProbe.Result r) {
    return String.format(Locale.ROOT, "%.0f%% / %.0f%% / %.0f%%", r.senderCpu(), r.receiverCpu(),
        Math.max(0, r.otherCpu()));
  }

  private static String fmt(double rate) {
    return SpanBenchCommand.fmt(rate);
  }

  /** Cores, memory, CPU model, OS and Java, from the JVM and /proc. */
  static String machine() {
    String cpuModel = firstValue(Path.of("/proc/cpuinfo"), "model name");
    String memKb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
    String memory = "unknown memory";
    if (memKb != null) {
      long kb = Long.parseLong(memKb.replaceAll("[^0-9]", ""));
      memory = String.format(Locale.ROOT, "%.1f GiB memory", kb / 1024.0 / 1024.0);
    }
    return Runtime.getRuntime().availableProcessors() + " cores (`nproc`), " + memory
        + (cpuModel == null ? "" : ", " + cpuModel) + "; " + System.getProperty("os.name") + " "
        + System.getProperty("os.version") + "; Java " + System.getProperty("java.runtime.version")
        + " (" + System.getProperty("java.vm.name") + ")";
  }

  private static String firstValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the report says less about the machine.
    }
    return null;
  }
}
