package vcftrace.devkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vcftrace.common.JobResult;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.kafka.KafkaBroker;
import vcftrace.devkit.otlp.OtlpReceiver;
import vcftrace.devkit.otlp.ReceivedSpan;
import vcftrace.devkit.otlp.Waterfall;

/**
 * The quick start: a real Kafka broker (Apache's jars, KRaft) unless one is given, an OTLP receiver,
 * two worker processes, a few deterministic VCFs (one malformed), the producer with {@code --wait},
 * then per job its status, counts, step durations and trace id, and one trace as a waterfall.
 * Everything it starts is stopped on success, failure and Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on this machine: broker, 2 workers, producer, traces.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = "vcf-data/demo",
      description = "where everything lands (wiped at start): input/, lancedb/, kuzu/, kafka/, logs/ (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--bootstrap", description = "use this Kafka instead of starting one (default: $KAFKA_BOOTSTRAP, else start one)")
  String bootstrap = System.getenv("KAFKA_BOOTSTRAP");

  @Option(names = "--workers", defaultValue = "2", description = "worker processes (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--jaeger", defaultValue = "localhost:4317",
      description = "also forward spans to this Jaeger OTLP gRPC address when it answers (default ${DEFAULT-VALUE})")
  String jaeger;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  @Override
  public Integer call() throws Exception {
    Thread hook = new Thread(this::stopAll, "demo-stop");
    Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C
    try {
      return run();
    } finally {
      stopAll();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  private int run() throws Exception {
    Path data = dataDir.toAbsolutePath().normalize();
    deleteRecursively(data);
    Path input = Files.createDirectories(data.resolve("input"));
    Path logs = Files.createDirectories(data.resolve("logs"));
    say("data directory: " + data);

    List<Path> files = writeInputs(input);
    Path malformed = files.get(files.size() - 1);
    if (bootstrap == null || bootstrap.isBlank()) {
      say("starting a Kafka broker (Apache Kafka, KRaft, single node) ...");
      KafkaBroker broker = KafkaBroker.start(data.resolve("kafka"));
      started.push(broker);
      bootstrap = broker.bootstrapServers();
    }
    say("Kafka at " + bootstrap);
    OtlpReceiver receiver = OtlpReceiver.start();
    started.push(receiver);
    String jaegerUi = null;
    String[] hp = jaeger.split(":");
    if (OtlpReceiver.reachable(hp[0], Integer.parseInt(hp[1]), Duration.ofMillis(300))) {
      receiver.forwardTo("http://" + jaeger);
      jaegerUi = "http://" + hp[0] + ":16686/trace/";
      say("Jaeger answers at " + jaeger + ": spans are forwarded there too");
    }
    say("OTLP receiver at " + receiver.grpcEndpoint());

    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP", bootstrap);
    env.put("INPUT_ROOT", input.toString());
    env.put("DATA_DIR", data.toString());
    env.put("METRICS_PORT", "0");
    env.put("PRODUCER_METRICS_PORT", "-1");
    env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.grpcEndpoint());
    env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc");
    for (int i = 1; i <= workers; i++) {
      ChildJvm w = ChildJvm.worker("worker-" + i, env, logs.resolve("worker-" + i + ".log"), "-Xmx1g");
      started.push(w);
      say("started worker-" + i + " (pid " + w.pid() + ", log " + logs.resolve("worker-" + i + ".log") + ")");
    }

    say("publishing " + files.size() + " jobs and waiting for their results ...");
    ChildJvm producer = ChildJvm.start("producer", "vcftrace.producer.ProducerMain", List.of(), env,
        List.of("publish", "--wait", "--timeout", "PT10M", input.toString()), null);
    int exit = producer.waitFor();

    Map<String, JobResult> results = ResultsReader.readAll(bootstrap, "vcf.results");
    System.out.println();
    System.out.printf("%-20s %-9s %9s  %-72s  %s%n", "FILE", "STATUS", "VARIANTS", "STEP DURATIONS (ms)", "TRACE ID");
    JobResult showcase = null;
    for (JobResult r : results.values()) {
      String file = Path.of(r.input() == null ? "?" : r.input()).getFileName().toString();
      StringBuilder steps = new StringBuilder();
      r.stepMillis().forEach((k, v) -> steps.append(k.replace("tool.bcftools.", "")).append('=').append(v).append(' '));
      System.out.printf("%-20s %-9s %9d  %-72s  %s%n", file, r.status(), r.counts().normalisedRecords(),
          steps.toString().trim(), r.traceId());
      if (r.errorMessage() != null) System.out.printf("    %s: %s%n", r.errorType(), r.errorMessage());
      if (jaegerUi != null) System.out.println("    " + jaegerUi + r.traceId());
      if (file.startsWith("cohort")) showcase = r;
    }
    if (showcase != null) {
      String traceId = showcase.traceId();
      List<ReceivedSpan> trace = receiver.awaitSpans(
          s -> s.stream().filter(x -> x.traceId().equals(traceId)).map(ReceivedSpan::name).toList()
              .containsAll(List.of("job.publish", "vcf.job", "kuzu.write", "send vcf.results")),
          Duration.ofSeconds(30));
      System.out.println();
      System.out.println(Waterfall.render(receiver.spans(traceId), 100));
    }
    say("data: " + data + " (lancedb/variants.lance, kuzu/vcf.jobs-*.kuzu, logs/)");
    // The producer exits 1 because the malformed file fails, as it should: that is the demo working.
    boolean expected = exit == 1 && results.size() == files.size() && results.values().stream()
        .allMatch(r -> (r.status() == vcftrace.common.JobStatus.FAILED) == malformed.toString().equals(r.input()));
    say(expected ? "demo finished: every good file succeeded, the malformed one failed with its line number"
        : "demo finished with unexpected results (producer exit " + exit + ")");
    return expected ? 0 : 1;
  }

  /** Deterministic inputs: a trio, a cohort with multiallelic sites, a single sample, a malformed file (last). */
  static List<Path> writeInputs(Path input) throws IOException {
    List<Path> files = new ArrayList<>();
    Path trio = input.resolve("trio.vcf.gz");
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(3_000).samples(3).seed(1).bgzip(true).build(), trio);
    files.add(trio);
    Path cohort = input.resolve("cohort.vcf.gz");
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(20_000).samples(8).multiallelicFraction(0.06).seed(2)
        .bgzip(true).build(), cohort);
    files.add(cohort);
    Path single = input.resolve("single.vcf");
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(5_000).samples(1).seed(3).bgzip(false).build(), single);
    files.add(single);
    files.add(VcfGenerator.malformed(input));
    return files;
  }

  private void stopAll() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        if (c instanceof ChildJvm w) w.terminate(60, TimeUnit.SECONDS);
        else c.close();
      } catch (Exception e) {
        System.err.println("stopping " + c + " failed: " + e);
      }
    }
  }

  private static void say(String s) {
    System.out.println("==> " + s);
  }

  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
