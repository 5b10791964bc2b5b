package vcftrace.devkit.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vcftrace.common.telemetry.ParallelSpanProcessor;

/**
 * {@code vcf-devkit bench-spans}: the highest span rate the tracing pipeline sustains with zero drops,
 * for the SDK's batch-processor defaults and for our tuned settings, against an OTLP gRPC receiver (in
 * a second JVM, {@link SpanBenchReceiver}) that answers each export after 0 ms and after 20 ms. The
 * {@code tuned-http} configuration exports OTLP/HTTP-protobuf to the same receiver instead.
 *
 * <p>Per configuration and latency it doubles the rate from {@code --start-rate} with short probes
 * ({@code --search-seconds}) until one fails, bisects between the last pass and the first failure
 * until they are within {@code --precision}, then confirms the last pass with a full probe ({@code
 * --probe-seconds}), stepping down 15% at a time if the full probe fails. A probe passes with zero
 * drops (through the final flush), a queue ending at most half full, and the creating thread keeping
 * up; see {@link SpanBenchProbe}.
 *
 * <p>{@code --write BENCHMARKS.md} replaces (or appends) the section {@value SpanBenchReport#HEADING}
 * with the machine, the command and the table.
 */
@Command(
    name = "bench-spans",
    mixinStandardHelpOptions = true,
    description = "Measure the highest span rate the tracing pipeline sustains with zero drops.")
public final class SpanBenchCommand implements Callable<Integer> {

  /** The probe length that counts, {@value} s: the "for 30 s". */
  public static final int DEFAULT_PROBE_SECONDS = 30;

  /** Search probe length, {@value} s. */
  public static final int DEFAULT_SEARCH_SECONDS = 5;

  /** Full probes tried after the search, each {@link #CONFIRM_STEP} of the previous, before giving up. */
  static final int MAX_CONFIRM_ATTEMPTS = 7;

  /**
   * A failed full probe is retried at this share of its rate. Short probes flatter a configuration
   * (a 65536-span queue hides a deficit for seconds), so the first full probe often fails.
   */
  static final double CONFIRM_STEP = 0.85;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--probe-seconds", defaultValue = "" + DEFAULT_PROBE_SECONDS,
      description = "length of the final probe at the reported rate (default ${DEFAULT-VALUE})")
  int probeSeconds;

  @Option(names = "--search-seconds", defaultValue = "" + DEFAULT_SEARCH_SECONDS,
      description = "length of each probe while searching (default ${DEFAULT-VALUE})")
  int searchSeconds;

  @Option(names = "--warmup-seconds", defaultValue = "15",
      description = "JIT warm-up before the first measurement, not reported (default ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(names = "--latencies-ms", split = ",", defaultValue = "0,20",
      description = "export answer delays of the receiver, ms (default ${DEFAULT-VALUE})")
  List<Long> latenciesMs;

  @Option(names = "--configs", split = ",", defaultValue = "sdk-defaults,tuned",
      description = "any of sdk-defaults, tuned (OTLP/gRPC), tuned-http (OTLP/HTTP-protobuf, JDK"
          + " sender) (default ${DEFAULT-VALUE})")
  List<String> configs;

  @Option(names = "--parallelism", split = ",",
      description = "parallelism of the tuned configuration; several values give one row each"
          + " (default: the built-in default)")
  List<Integer> parallelism;

  @Option(names = "--start-rate", defaultValue = "25000",
      description = "first rate tried, spans/s (default ${DEFAULT-VALUE})")
  double startRate;

  @Option(names = "--max-rate", defaultValue = "400000",
      description = "the search stops here, spans/s (default ${DEFAULT-VALUE})")
  double maxRate;

  @Option(names = "--precision", defaultValue = "0.05",
      description = "bisect until the first failing rate is within this share above the last"
          + " passing one (default ${DEFAULT-VALUE})")
  double precision;

  @Option(names = "--max-other-cpu", defaultValue = "30",
      description = "before each probe, wait while other processes use more than this %% of one core"
          + " (default ${DEFAULT-VALUE})")
  double maxOtherCpu;

  @Option(names = "--max-wait-seconds", defaultValue = "300",
      description = "longest wait for a quiet machine before probing anyway (default ${DEFAULT-VALUE})")
  int maxWaitSeconds;

  @Option(names = "--write", paramLabel = "FILE",
      description = "write the results into this Markdown file's section \"" + SpanBenchReport.HEADING
          + "\"")
  Path write;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SpanBenchCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (probeSeconds < 1 || searchSeconds < 1 || startRate < 1 || maxRate < startRate
        || precision <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "Need --probe-seconds, --search-seconds >= 1, 1 <= --start-rate <= --max-rate,"
              + " --precision > 0");
    }
    List<SpanBenchReport.Setup> setups = setups();
    warnAboutEnvironment();
    List<SpanBenchReport.Row> rows = new ArrayList<>();
    try (SpanBenchReceiver.Handle receiver = SpanBenchReceiver.start(0)) {
      say("receiver JVM pid " + receiver.pid() + " at " + receiver.grpcEndpoint());
      if (warmupSeconds > 0) {
        say("warm-up: " + warmupSeconds + " s at " + fmt(startRate) + " spans/s (not reported)");
        SpanBenchProbe.run(setups.get(setups.size() - 1), receiver, startRate,
            Duration.ofSeconds(warmupSeconds));
      }
      for (long latency : latenciesMs) {
        receiver.setDelay(latency);
        for (SpanBenchReport.Setup setup : setups) {
          rows.add(measure(setup, latency, receiver));
        }
      }
    }
    String command = "vcf-devkit bench-spans " + String.join(" ",
        spec.commandLine().getParseResult().originalArgs());
    SpanBenchReport report = new SpanBenchReport(command, probeSeconds, searchSeconds,
        maxWaitSeconds, maxOtherCpu, rows);
    out.println();
    out.println(report.table());
    if (write != null) {
      report.writeSection(write);
      say("wrote section \"" + SpanBenchReport.HEADING + "\" of " + write.toAbsolutePath());
    }
    return 0;
  }

  private List<SpanBenchReport.Setup> setups() {
    List<SpanBenchReport.Setup> setups = new ArrayList<>();
    for (String name : configs) {
      switch (name.trim()) {
        case "sdk-defaults" -> setups.add(SpanBenchReport.Setup.sdkDefaults());
        case "tuned" -> {
          List<Integer> ps = parallelism == null || parallelism.isEmpty()
              ? List.of(ParallelSpanProcessor.DEFAULT_PARALLELISM) : parallelism;
          for (int p : ps) {
            setups.add(SpanBenchReport.Setup.tuned(p, SpanBenchReport.Setup.GRPC));
          }
        }
        case "tuned-http" -> setups.add(SpanBenchReport.Setup.tuned(
            ParallelSpanProcessor.DEFAULT_PARALLELISM, SpanBenchReport.Setup.HTTP_PROTOBUF));
        default -> throw new CommandLine.ParameterException(spec.commandLine(),
            "Unknown configuration '" + name + "'; use sdk-defaults, tuned, tuned-http");
      }
    }
    return setups;
  }

  /** Our overrides sit below the process environment (see Telemetry), so say when it interferes. */
  private void warnAboutEnvironment() {
    Map<String, String> interfering = new LinkedHashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("OTEL_BSP_") || k.startsWith("OTEL_EXPORTER_OTLP")
          || k.equals(ParallelSpanProcessor.PARALLELISM_ENV)) {
        interfering.put(k, v);
      }
    });
    if (!interfering.isEmpty()) {
      say("WARNING: these environment variables override the configurations measured: " + interfering);
    }
  }

  private SpanBenchReport.Row measure(
      SpanBenchReport.Setup setup, long latencyMs, SpanBenchReceiver.Handle receiver)
      throws Exception {
    say(setup.name() + ", export latency " + latencyMs + " ms:");
    Duration search = Duration.ofSeconds(searchSeconds);
    int probes = 0;
    double pass = 0;
    double fail = Double.NaN;
    SpanBenchProbe.Result firstFailure = null;
    double rate = startRate;
    // Up by doubling until a probe fails (or the ceiling passes) ...
    while (true) {
      SpanBenchProbe.Result r = probe(setup, receiver, rate, search);
      probes++;
      if (r.passed()) {
        pass = rate;
        if (rate >= maxRate || !Double.isNaN(fail)) {
          break;
        }
        rate = Math.min(maxRate, rate * 2);
      } else {
        fail = rate;
        firstFailure = r;
        if (pass > 0 || rate < 2 * 1000) {
          break;
        }
        rate = round(rate / 2); // the start rate already failed: come down first
      }
    }
    // ... then bisect between the last pass and the first failure.
    while (pass > 0 && !Double.isNaN(fail) && fail > pass * (1 + precision)) {
      double mid = round((pass + fail) / 2);
      if (mid <= pass || mid >= fail) {
        break;
      }
      SpanBenchProbe.Result r = probe(setup, receiver, mid, search);
      probes++;
      if (r.passed()) {
        pass = mid;
      } else {
        fail = mid;
        firstFailure = r;
      }
    }
    // Confirm with the full-length probe, stepping down if the short probes were too kind.
    Duration full = Duration.ofSeconds(probeSeconds);
    SpanBenchProbe.Result confirmed = null;
    double candidate = pass;
    for (int attempt = 0; candidate > 0 && attempt < MAX_CONFIRM_ATTEMPTS; attempt++) {
      SpanBenchProbe.Result r = probe(setup, receiver, candidate, full);
      probes++;
      if (r.passed()) {
        confirmed = r;
        break;
      }
      if (Double.isNaN(fail) || candidate < fail) {
        fail = candidate;
        firstFailure = r;
      }
      candidate = round(candidate * CONFIRM_STEP);
    }
    return new SpanBenchReport.Row(setup, latencyMs, confirmed, firstFailure, probes);
  }

  private SpanBenchProbe.Result probe(
      SpanBenchReport.Setup setup, SpanBenchReceiver.Handle receiver, double rate, Duration length)
      throws Exception {
    awaitQuietMachine();
    SpanBenchProbe.Result r = SpanBenchProbe.run(setup, receiver, rate, length);
    say(String.format(Locale.ROOT,
        "  %9s spans/s for %2d s -> %-28s exported %9s/s, queue max %7d/%d, CPU sender %3.0f%%,"
            + " receiver %3.0f%%, others %3.0f%%",
        fmt(rate), length.toSeconds(), r.verdict(), fmt(r.exportedRate()), r.queueMax(),
        r.queueCapacity(), r.senderCpu(), r.receiverCpu(), r.otherCpu()));
    return r;
  }

  /**
   * The machine has two cores; a build running beside the benchmark takes CPU the sender and the
   * receiver would use and turns the result into a measure of that build. Between probes both are
   * idle, so what the machine spends in a second is somebody else's.
   */
  private void awaitQuietMachine() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(maxWaitSeconds).toNanos();
    boolean said = false;
    while (true) {
      SpanBenchProbe.CpuClock machine = SpanBenchProbe.CpuClock.machine();
      Thread.sleep(1000); // a measurement window, not a synchronisation
      double busy = machine.percentSinceStart();
      if (busy <= maxOtherCpu) {
        if (said) {
          say("  machine quiet again (" + Math.round(busy) + "% of a core busy)");
        }
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        say("  machine still busy (" + Math.round(busy) + "% of a core) after " + maxWaitSeconds
            + " s; probing anyway, see the 'others' CPU");
        return;
      }
      if (!said) {
        say("  machine busy: " + Math.round(busy) + "% of a core used by other processes; waiting");
        said = true;
      }
      Thread.sleep(4000);
    }
  }

  /** Rates are reported in whole thousands. */
  private static double round(double rate) {
    return Math.max(1000, Math.floor(rate / 1000) * 1000);
  }

  static String fmt(double rate) {
    return String.format(Locale.ROOT, "%,.0f", rate);
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }
}
