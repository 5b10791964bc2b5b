package vcftrace.devkit.bench;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import vcftrace.common.Telemetry;
import vcftrace.common.telemetry.SpanPipelineMetrics;

/**
 * One measurement of {@code bench-spans}: a fresh {@link Telemetry} (the project's own setup, so every
 * default and override applies as in the worker), spans created at a fixed rate for a fixed time, then
 * a close that flushes what is left. Drops and the queue are read from {@link SpanPipelineMetrics} on
 * a Micrometer registry, as a dashboard would.
 *
 * <p>The load is paced in 1 ms ticks: at every tick the creating thread catches up to {@code rate x
 * elapsed} spans and parks until the next tick. Spans come as worker-like traces of {@value
 * #SPANS_PER_TRACE}: a job span and four step spans, each with a couple of attributes.
 */
final class SpanBenchProbe {
  /** Spans per generated trace: a job span and its step spans. */
  static final int SPANS_PER_TRACE = 5;

  /** How often the queue size is sampled during a probe. */
  static final Duration QUEUE_SAMPLE_INTERVAL = Duration.ofMillis(100);

  /** A probe passes only if its queue ends below this share of the capacity (not just lucky). */
  static final double MAX_END_BACKLOG_SHARE = 0.5;

  /** A probe passes only if the creating thread kept up with the target rate to this share. */
  static final double MIN_ACHIEVED_SHARE = 0.99;

  private static final long TICK_NANOS = 1_000_000;
  private static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("job.id");
  private static final AttributeKey<Long> BATCH_ID = AttributeKey.longKey("batch.id");
  private static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("tool.name");
  private static final AttributeKey<String> DB_COLLECTION = AttributeKey.stringKey("db.collection.name");
  private static final String[] STEPS = {
    "tool.bcftools.view", "tool.bcftools.stats", "lancedb.write", "kuzu.write"
  };

  private SpanBenchProbe() {}

  /** What one probe saw. Rates are spans per second; CPU is percent of one core. */
  record Result(
      double targetRate,
      double achievedRate,
      long created,
      long droppedDuringProbe,
      long droppedTotal,
      long queueAtEnd,
      long queueMax,
      long queueCapacity,
      double exportedRate,
      long exportedTotal,
      long received,
      double senderCpu,
      double receiverCpu,
      double otherCpu) {

    boolean passed() {
      return droppedTotal == 0
          && queueAtEnd <= queueCapacity * MAX_END_BACKLOG_SHARE
          && achievedRate >= targetRate * MIN_ACHIEVED_SHARE;
    }

    /** Why it failed, or "ok". */
    String verdict() {
      if (droppedTotal > 0) {
        return "dropped " + droppedTotal;
      }
      if (queueAtEnd > queueCapacity * MAX_END_BACKLOG_SHARE) {
        return "backlog " + queueAtEnd + "/" + queueCapacity;
      }
      if (achievedRate < targetRate * MIN_ACHIEVED_SHARE) {
        return String.format("creator reached only %.0f/s", achievedRate);
      }
      return "ok";
    }
  }

  /**
   * Runs one probe against {@code receiver}.
   *
   * @param setup the settings passed to {@link Telemetry#create(String, Map)}, plus the receiver's
   *     endpoint for the setup's protocol
   */
  static Result run(
      SpanBenchReport.Setup setup, SpanBenchReceiver.Handle receiver, double rate, Duration length)
      throws IOException {
    requireNonNull(setup, "setup");
    Map<String, String> env = new HashMap<>(setup.overrides());
    boolean http = SpanBenchReport.Setup.HTTP_PROTOBUF.equals(setup.protocol());
    env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        http ? receiver.httpEndpoint() : receiver.grpcEndpoint());
    env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", setup.protocol());
    long receivedBefore = receiver.spanCount();
    Telemetry telemetry = Telemetry.create("vcf-bench", env);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    telemetry.bindMetrics(registry);
    long capacity = (long) registry.get(SpanPipelineMetrics.QUEUE_CAPACITY).gauge().value();
    Tracer tracer = telemetry.tracer();

    CpuClock sender = new CpuClock(ProcessHandle.current().pid());
    CpuClock receiving = new CpuClock(receiver.pid());
    CpuClock machine = CpuClock.machine();
    long lengthNanos = length.toNanos();
    long created = 0;
    long queueMax = 0;
    long traceNo = 0;
    long start = System.nanoTime();
    long nextSample = start + QUEUE_SAMPLE_INTERVAL.toNanos();
    long now = start;
    while (now - start < lengthNanos) {
      long due = (long) (rate * ((now - start) / 1e9));
      while (created < due) {
        emitTrace(tracer, traceNo++);
        created += SPANS_PER_TRACE;
      }
      if (now - nextSample >= 0) {
        queueMax = Math.max(queueMax, queueSize(registry));
        nextSample += QUEUE_SAMPLE_INTERVAL.toNanos();
      }
      long nextTick = start + ((now - start) / TICK_NANOS + 1) * TICK_NANOS;
      LockSupport.parkNanos(nextTick - System.nanoTime());
      now = System.nanoTime();
    }
    double seconds = (now - start) / 1e9;
    long queueAtEnd = queueSize(registry);
    queueMax = Math.max(queueMax, queueAtEnd);
    long droppedDuringProbe = dropped(registry);
    long exportedDuringProbe = (long) exported(registry);
    double senderCpu = sender.percentSinceStart();
    double receiverCpu = receiving.percentSinceStart();
    double otherCpu = machine.percentSinceStart() - senderCpu - receiverCpu;

    telemetry.close(); // flushes the backlog: a drop while draining still fails the probe
    long droppedTotal = dropped(registry);
    long exportedTotal = (long) exported(registry);
    long received = receiver.spanCount() - receivedBefore;
    return new Result(
        rate,
        created / seconds,
        created,
        droppedDuringProbe,
        droppedTotal,
        queueAtEnd,
        queueMax,
        capacity,
        exportedDuringProbe / seconds,
        exportedTotal,
        received,
        senderCpu,
        receiverCpu,
        otherCpu);
  }

  private static void emitTrace(Tracer tracer, long traceNo) {
    String jobId = "job-" + traceNo;
    Span job = tracer.spanBuilder("job").setParent(Context.root())
        .setAttribute(JOB_ID, jobId).setAttribute(BATCH_ID, traceNo).startSpan();
    Context parent = Context.root().with(job);
    for (String step : STEPS) {
      Span span = tracer.spanBuilder(step).setParent(parent).setAttribute(JOB_ID, jobId)
          .setAttribute(step.startsWith("tool.") ? TOOL_NAME : DB_COLLECTION, step).startSpan();
      span.end();
    }
    job.end();
  }

  private static long queueSize(SimpleMeterRegistry registry) {
    return (long) registry.get(SpanPipelineMetrics.QUEUE_SIZE).gauge().value();
  }

  private static long dropped(SimpleMeterRegistry registry) {
    return (long)
        registry.get(SpanPipelineMetrics.SPANS_DROPPED).functionCounters().stream()
            .mapToDouble(FunctionCounter::count)
            .sum();
  }

  private static double exported(SimpleMeterRegistry registry) {
    return registry.get(SpanPipelineMetrics.SPANS_EXPORTED).functionCounter().count();
  }

  /**
   * CPU time from {@code /proc}: of one process ({@code /proc/<pid>/stat}: user + system, all threads),
   * or of the whole machine ({@code /proc/stat}: everything but idle and I/O wait), so the sender, the
   * receiver JVM and whatever else runs on the machine are measured alike.
   */
  static final class CpuClock {
    private static final long TICKS_PER_SECOND = clockTicks();

    private final Path stat;
    private final long startTicks;
    private final long startNanos;

    CpuClock(long pid) {
      this(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private CpuClock(Path stat) {
      this.stat = stat;
      this.startTicks = ticks();
      this.startNanos = System.nanoTime();
    }

    /** Every CPU of the machine: to see load that is neither the sender nor the receiver. */
    static CpuClock machine() {
      return new CpuClock(Path.of("/proc", "stat"));
    }

    /** CPU used since construction, in percent of one core (200 = two cores busy); -1 if unknown. */
    double percentSinceStart() {
      long ticks = ticks();
      if (ticks < 0 || startTicks < 0) {
        return -1;
      }
      double cpuSeconds = (ticks - startTicks) / (double) TICKS_PER_SECOND;
      return 100 * cpuSeconds / ((System.nanoTime() - startNanos) / 1e9);
    }

    private long ticks() {
      try {
        String text = Files.readString(stat);
        if (stat.getNameCount() == 2) { // /proc/stat: "cpu user nice system idle iowait irq ..."
          String[] f = text.substring(0, text.indexOf('\n')).trim().split("\\s+");
          long busy = 0;
          for (int i = 1; i < f.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
              busy += Long.parseLong(f[i]);
            }
          }
          return busy;
        }
        // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
        String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    private static long clockTicks() {
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out);
      } catch (IOException | RuntimeException e) {
        return 100; // Linux's USER_HZ nearly everywhere
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 100;
      }
    }
  }
}
