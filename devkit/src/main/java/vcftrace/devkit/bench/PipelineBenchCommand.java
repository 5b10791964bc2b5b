package vcftrace.devkit.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.DemoCommand;
import vcftrace.devkit.ResultsReader;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.kafka.KafkaBroker;
import vcftrace.devkit.otlp.OtlpReceiver;
import vcftrace.producer.PublishCommand;
import vcftrace.producer.ShardPlanner;

/**
 * {@code bench-pipeline}: end-to-end throughput of the real pipeline (a broker process, worker
 * processes, the real {@code publish --wait}) against {@code bcftools view} on the same file, with
 * tracing on and off, one and two workers, and one big job at a small heap. Writes the section
 * {@value PipelineBenchReport#HEADING} of BENCHMARKS.md.
 *
 * <p>Every run gets its own topics, consumer group and data directory, so runs never see each other's
 * jobs or stores. Workers are started, joined to their group and warmed up with a small job before the
 * clock starts; the clock runs from just before {@code publish} to the {@code finishedAt} of the last
 * result.
 */
@Command(name = "bench-pipeline", mixinStandardHelpOptions = true,
    description = "Measure end-to-end variants/s (1 and 2 workers, tracing on/off) against bcftools view;"
        + " write BENCHMARKS.md.")
public final class PipelineBenchCommand implements Callable<Integer> {
  @Option(names = "--variants", defaultValue = "1000000", description = "records in the main file (one sample; default ${DEFAULT-VALUE})")
  long variants;

  @Option(names = "--big-variants", defaultValue = "5000000", description = "records in the big job (0 = skip; default ${DEFAULT-VALUE})")
  long bigVariants;

  @Option(names = "--big-xmx", defaultValue = "1g", description = "worker heap for the big job (default ${DEFAULT-VALUE})")
  String bigXmx;

  @Option(names = "--worker-xmx", defaultValue = "2g", description = "worker heap for the other runs (default ${DEFAULT-VALUE})")
  String workerXmx;

  @Option(names = "--runs", defaultValue = "3", description = "runs per measurement; the median is reported (default ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--shard-size", defaultValue = "62500000",
      description = "bases per shard for the sharded runs (default ${DEFAULT-VALUE}: 12 shards on chr1..chr3, "
          + "2 per partition of the 6)")
  long shardSize;

  @Option(names = "--data-dir", defaultValue = "vcf-data/bench-pipeline", description = "scratch directory, wiped at start (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--out", defaultValue = "BENCHMARKS.md", description = "Markdown file whose section is replaced (default ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "longest one run may take (default ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(names = "--kuzu-buffer-pool-mb", defaultValue = "0",
      description = "KUZU_BUFFER_POOL_MB for the workers (0 = the worker's default; default ${DEFAULT-VALUE})")
  int kuzuBufferPoolMb;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** One way of running the main file. */
  record Scenario(String name, String description, int workers, boolean sharded, boolean tracing, String xmx,
      boolean corePerWorker) {
    Scenario(String name, String description, int workers, boolean sharded, boolean tracing, String xmx) {
      this(name, description, workers, sharded, tracing, xmx, false);
    }
  }

  /** What one run of a scenario measured. */
  record Run(Scenario scenario, long records, long elapsedMillis, List<JobResult> results,
      Map<String, Long> peakRssKb, Map<String, Double> cpuSeconds, boolean completed, String failure) {
    double variantsPerSecond() {
      return records * 1000.0 / Math.max(1, elapsedMillis);
    }
  }

  /** Runs without DevkitMain: {@code java -cp ... vcftrace.devkit.bench.PipelineBenchCommand [options]}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new PipelineBenchCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (runs < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--runs must be >= 1");
    Path root = dataDir.toAbsolutePath().normalize();
    DemoCommand.deleteRecursively(root);
    Path input = Files.createDirectories(root.resolve("input"));
    Path logs = Files.createDirectories(root.resolve("logs"));

    say("generating " + variants + " records (1 sample) ...");
    Path main = input.resolve("main.vcf.gz");
    long records = VcfGenerator.write(VcfGenerator.Spec.builder().variants(variants).samples(1).seed(61).bgzip(true)
        .build(), main).records();
    Path warmup = input.resolve("warmup.vcf.gz");
    // 200k records: a 20k warm-up left the JIT compiling htsjdk through the first measured job
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(200_000).samples(1).seed(62).bgzip(true).build(), warmup);

    List<Scenario> scenarios = List.of(
        new Scenario("1 worker, tracing on", "whole file, one job, 100% sampled, OTLP to a live receiver", 1, false, true, workerXmx),
        new Scenario("1 worker, tracing off", "whole file, one job, OTEL_SDK_DISABLED=true in the worker", 1, false, false, workerXmx),
        new Scenario("1 worker, sharded", "--shard-size " + shardSize + ", tracing on", 1, true, true, workerXmx),
        new Scenario("2 workers, sharded", "--shard-size " + shardSize + ", tracing on", 2, true, true, workerXmx),
        // One core per worker stands for one machine per worker: how the service scales out, which
        // two workers sharing two cores (each already running its steps side by side) cannot show.
        new Scenario("1 worker on 1 core, sharded", "taskset -c 0, --shard-size " + shardSize, 1, true, true,
            workerXmx, true),
        new Scenario("2 workers on 1 core each, sharded", "taskset -c 0 and -c 1, --shard-size " + shardSize, 2, true,
            true, workerXmx, true));

    say("each step alone on the main file (the profile) ...");
    double cpuBeforeView = PipelineBenchProcStatus.cpuSeconds(ProcessHandle.current().pid());
    long viewWall0 = System.nanoTime();
    bcftoolsView(main, records);
    PipelineBenchSteps.Cost viewAlone = new PipelineBenchSteps.Cost("bcftools view -Ou (baseline)",
        (System.nanoTime() - viewWall0) / 1_000_000,
        PipelineBenchProcStatus.cpuSeconds(ProcessHandle.current().pid()) - cpuBeforeView);
    List<PipelineBenchSteps.Cost> alone = PipelineBenchSteps.measure(warmup, main, root.resolve("steps-alone"),
        (kuzuBufferPoolMb > 0 ? kuzuBufferPoolMb : 1024L) << 20);
    DemoCommand.deleteRecursively(root.resolve("steps-alone"));

    Map<Scenario, List<Run>> measured = new LinkedHashMap<>();
    List<Double> bcftools = new ArrayList<>();
    List<Double> machineScaling = new ArrayList<>();
    Run big = null;
    try (KafkaBroker broker = KafkaBroker.start(root.resolve("kafka"));
        OtlpReceiver receiver = OtlpReceiver.start()) {
      Bench bench = new Bench(broker.bootstrapServers(), receiver, root, input, logs, warmup, kuzuBufferPoolMb);
      for (int i = 1; i <= runs; i++) {
        double rate = bcftoolsView(main, records);
        bcftools.add(rate);
        say(String.format("run %d/%d: bcftools view %,.0f variants/s", i, runs, rate));
        machineScaling.add(twoCoreScaling(main));
        // Scenarios interleaved run by run, so a slow phase of the machine hits all of them alike.
        for (Scenario s : scenarios) {
          Run r = bench.run(s, "r" + i, main, records, s.sharded() ? shardSize : 0, timeout);
          measured.computeIfAbsent(s, k -> new ArrayList<>()).add(r);
          say(String.format("run %d/%d: %-24s %s", i, runs, s.name(), r.completed()
              ? String.format("%,.0f variants/s (%,d ms)", r.variantsPerSecond(), r.elapsedMillis()) : "FAILED: " + r.failure()));
        }
      }
      if (bigVariants > 0) {
        say("generating the big file: " + bigVariants + " records ...");
        Path bigFile = input.resolve("big.vcf.gz");
        long bigRecords = VcfGenerator.write(VcfGenerator.Spec.builder().variants(bigVariants).samples(1).seed(63)
            .bgzip(true).build(), bigFile).records();
        Scenario s = new Scenario("big job", bigVariants + " records, one job, worker -Xmx" + bigXmx, 1, false, true, bigXmx);
        big = bench.run(s, "big", bigFile, bigRecords, 0, timeout);
        say("big job: " + (big.completed() ? String.format("%,d ms", big.elapsedMillis()) : "FAILED: " + big.failure()));
      }
    }

    String command = String.join(" ", spec.commandLine().getParseResult().originalArgs());
    PipelineBenchReport report = new PipelineBenchReport(command, records, runs, shardSize, bcftools, measured, big,
        kuzuBufferPoolMb, viewAlone, alone, median(machineScaling));
    System.out.println();
    System.out.println(report.section());
    report.writeTo(out);
    say("wrote section '" + PipelineBenchReport.HEADING + "' of " + out.toAbsolutePath());
    return 0;
  }

  /**
   * What two cores give this machine for plain CPU work: {@code bcftools view} on core 0 alone, then
   * on cores 0 and 1 at once; returns twice the first time over the second. Virtual cores that share
   * a physical one, or a busy neighbour, show here, and no number of workers can beat it.
   */
  static double twoCoreScaling(Path file) throws IOException, InterruptedException {
    List<String> view = List.of("bcftools", "view", "-Ou", "-o", "/dev/null", file.toString());
    long t0 = System.nanoTime();
    waitOk(pinned(0, view));
    long one = System.nanoTime() - t0;
    t0 = System.nanoTime();
    Process a = pinned(0, view);
    Process b = pinned(1, view);
    waitOk(a);
    waitOk(b);
    long two = System.nanoTime() - t0;
    return 2.0 * one / two;
  }

  private static Process pinned(int core, List<String> cmd) throws IOException {
    List<String> full = new ArrayList<>(List.of("taskset", "-c", Integer.toString(core)));
    full.addAll(cmd);
    return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static void waitOk(Process p) throws IOException, InterruptedException {
    if (p.waitFor() != 0) throw new IOException("exit " + p.exitValue() + ": " + p.info().commandLine().orElse("?"));
  }

  private static double median(List<Double> xs) {
    return PipelineBenchReport.median(xs);
  }

  /** Median wall-clock rate of {@code bcftools view -Ou -o /dev/null FILE}. */
  static double bcftoolsView(Path file, long records) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder("bcftools", "view", "-Ou", "-o", "/dev/null", file.toString())
        .redirectErrorStream(true).start();
    String err = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IOException("bcftools view failed: " + err);
    return records * 1e9 / (System.nanoTime() - t0);
  }

  /** The broker, receiver and inputs shared by every run. */
  static final class Bench {
    private final String bootstrap;
    private final OtlpReceiver receiver;
    private final Path root;
    private final Path input;
    private final Path logs;
    private final Path warmup;
    private final int kuzuBufferPoolMb;

    Bench(String bootstrap, OtlpReceiver receiver, Path root, Path input, Path logs, Path warmup, int kuzuBufferPoolMb) {
      this.kuzuBufferPoolMb = kuzuBufferPoolMb;
      this.bootstrap = bootstrap;
      this.receiver = receiver;
      this.root = root;
      this.input = input;
      this.logs = logs;
      this.warmup = warmup;
    }

    Run run(Scenario s, String runTag, Path file, long records, long shardSize, Duration timeout) throws Exception {
      String tag = (s.name().replaceAll("[^a-z0-9]+", "-") + "-" + runTag).replaceAll("-+", "-");
      Path data = root.resolve("runs").resolve(tag);
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP", bootstrap);
      env.put("INPUT_ROOT", input.toString());
      env.put("DATA_DIR", data.toString());
      env.put("JOBS_TOPIC", "bench." + tag + ".jobs");
      env.put("RESULTS_TOPIC", "bench." + tag + ".results");
      env.put("DLQ_TOPIC", "bench." + tag + ".dlq");
      env.put("CONSUMER_GROUP", "bench-" + tag);
      env.put("METRICS_PORT", "-1");
      env.put("PRODUCER_METRICS_PORT", "-1");
      env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.grpcEndpoint());
      env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc");
      env.put("OTEL_TRACES_SAMPLER", "parentbased_always_on");
      Map<String, String> workerEnv = new HashMap<>(env);
      if (!s.tracing()) workerEnv.put("OTEL_SDK_DISABLED", "true");
      if (kuzuBufferPoolMb > 0) workerEnv.put("KUZU_BUFFER_POOL_MB", Integer.toString(kuzuBufferPoolMb));

      List<ChildJvm> workers = new ArrayList<>();
      try {
        for (int i = 1; i <= s.workers(); i++) {
          List<String> launcher = s.corePerWorker()
              ? List.of("taskset", "-c", Integer.toString((i - 1) % Runtime.getRuntime().availableProcessors()))
              : List.of();
          workers.add(ChildJvm.worker(tag + "-w" + i, launcher, workerEnv, logs.resolve(tag + "-w" + i + ".log"),
              "-Xmx" + s.xmx()));
        }
        awaitGroup(env.get("CONSUMER_GROUP"), s.workers(), Duration.ofMinutes(2));
        // Warm-up: JIT, native libraries, store creation. Sharded so that with two workers both get some.
        List<String> warm = new ArrayList<>(List.of("--batch-id", tag + "-warmup", "--wait", "--timeout", "PT5M"));
        if (s.workers() > 1) warm.addAll(List.of("--shard-size", "60000000"));
        warm.add(warmup.toString());
        int warmExit = publish(env, warm);
        if (warmExit != 0) return failed(s, records, "warm-up publish exited " + warmExit);

        Map<String, double[]> cpuBefore = new HashMap<>();
        for (ChildJvm w : workers) cpuBefore.put(w.name(), new double[] {PipelineBenchProcStatus.cpuSeconds(w.pid())});
        String batch = tag + "-measured";
        List<String> args = new ArrayList<>(List.of("--batch-id", batch));
        if (shardSize > 0) args.addAll(List.of("--shard-size", Long.toString(shardSize)));
        args.add(file.toString());
        int jobs = shardSize > 0 ? ShardPlanner.plan(file, shardSize).size() : 1;
        Instant t0 = Instant.now();
        int exit = publish(env, args);
        // Not publish --wait: a worker that crashes (a native abort) must end the run, not its timeout.
        List<JobResult> results = exit == 0
            ? followResults(env.get("RESULTS_TOPIC"), batch, jobs, workers, System.nanoTime() + timeout.toNanos())
            : List.of();
        Map<String, Long> rss = new LinkedHashMap<>();
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (ChildJvm w : workers) {
          rss.put(w.name(), PipelineBenchProcStatus.peakRssKb(w.pid()));
          cpu.put(w.name(), PipelineBenchProcStatus.cpuSeconds(w.pid()) - cpuBefore.get(w.name())[0]);
        }
        Instant last = results.stream().map(JobResult::finishedAt).max(Instant::compareTo).orElse(Instant.now());
        long elapsed = Duration.between(t0, last).toMillis();
        boolean ok = exit == 0 && results.size() >= jobs && results.stream().allMatch(r -> r.status() == JobStatus.SUCCEEDED);
        String why = ok ? null : "publish exited " + exit + ", " + results.size() + "/" + jobs + " results; " + results.stream()
            .filter(r -> r.status() != JobStatus.SUCCEEDED).map(r -> r.errorType() + ": " + r.errorMessage())
            .findFirst().orElse(results.isEmpty() ? "no result" : "");
        for (ChildJvm w : workers) {
          if (!w.isAlive()) why = (why == null ? "" : why + "; ") + w.name() + " died (see " + logs + ")";
        }
        return new Run(s, records, elapsed, results, rss, cpu, ok && why == null, why);
      } finally {
        for (ChildJvm w : workers) w.terminate(60, TimeUnit.SECONDS);
        DemoCommand.deleteRecursively(data); // the stores of one run are not needed again; disk is
      }
    }

    /**
     * The results of {@code batch}, read with one consumer that long-polls the broker until {@code jobs}
     * have arrived, every worker has died, or the deadline passed. One consumer for the whole run: the
     * bench shares the cores with the workers it measures, so it must not spend CPU on polling.
     */
    private List<JobResult> followResults(String topic, String batch, int jobs, List<ChildJvm> workers, long deadline)
        throws IOException {
      Map<String, JobResult> byJob = new LinkedHashMap<>();
      try (KafkaConsumer<byte[], byte[]> c = ResultsReader.fromBeginning(bootstrap, topic)) {
        while (byJob.size() < jobs && System.nanoTime() < deadline && workers.stream().anyMatch(ChildJvm::isAlive)) {
          for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
            JobResult r = JobResult.parse(rec.value());
            if (r.jobId() != null && batch.equals(r.batchId())) byJob.put(r.jobId(), r); // the last result wins
          }
        }
      }
      return List.copyOf(byJob.values());
    }

    private static Run failed(Scenario s, long records, String why) {
      return new Run(s, records, 0, List.of(), Map.of(), Map.of(), false, why);
    }

    /** Waits until the group has {@code n} members and is stable, so no rebalance falls into the run. */
    private void awaitGroup(String group, int n, Duration timeout) throws Exception {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      long deadline = System.nanoTime() + timeout.toNanos();
      try (Admin admin = Admin.create(p)) {
        while (System.nanoTime() < deadline) {
          try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            if (d != null && d.members().size() == n && "STABLE".equals(d.groupState().name())) return;
          } catch (java.util.concurrent.ExecutionException e) {
            // GroupIdNotFoundException until the first worker joined: keep waiting
          }
          Thread.sleep(250);
        }
      }
      throw new IOException("consumer group " + group + " did not reach " + n + " stable members in " + timeout);
    }

    /** Runs the real {@code publish} in this JVM; its table goes to the log, not to our output. */
    private int publish(Map<String, String> env, List<String> args) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      PrintStream old = System.out;
      PrintStream oldErr = System.err;
      try {
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new CommandLine(new PublishCommand(env)).execute(args.toArray(String[]::new));
      } finally {
        System.setOut(old);
        System.setErr(oldErr);
        Files.writeString(logs.resolve("publish.log"), buf.toString(StandardCharsets.UTF_8),
            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      }
    }
  }

  private static void say(String s) {
    System.out.println("==> " + s);
  }
}
