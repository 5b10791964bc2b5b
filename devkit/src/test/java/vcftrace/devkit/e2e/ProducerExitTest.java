package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.otlp.OtlpReceiver;
import vcftrace.devkit.otlp.ReceivedSpan;

/**
 * The producer as its own process ({@code vcf-producer publish}, as a user runs it): with the OTLP
 * backend down it exits within {@link #BOUND} of the time it takes with the backend up (it used to take
 * 10–20 s while the exporter retried a dead endpoint), still delivers every span when the backend is up,
 * and its log has no resource schema-URL warning.
 */
class ProducerExitTest {
  /** The longest a dead backend may add to the producer's run. */
  static final Duration BOUND = Duration.ofSeconds(2);
  /** The SDK's message when it merges resources of different semantic-convention versions. */
  static final String SCHEMA_URL_WARNING = "different schemaUrls";

  @TempDir Path tmp;

  @Test
  void aDeadOtlpBackendAddsAtMostTwoSecondsToTheProducersExit() throws Exception {
    try (KafkaTestKit kafka = new KafkaTestKit(); OtlpReceiver receiver = OtlpReceiver.start()) {
      Path input = Files.createDirectories(tmp.resolve("input"));
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(50).samples(1).seed(3).bgzip(false).build(),
          input.resolve("a.vcf"));
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(50).samples(1).seed(4).bgzip(false).build(),
          input.resolve("b.vcf"));
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP", kafka.bootstrapServers());
      env.put("PRODUCER_METRICS_PORT", "-1");
      int closedPort;
      try (ServerSocket s = new ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }

      // the first run creates the topics: not timed
      assertEquals(0, publish(env, receiver.grpcEndpoint(), input, "warm-up").exit());
      Run up = publish(env, receiver.grpcEndpoint(), input, "up");
      Run downGrpc = publish(env, "http://127.0.0.1:" + closedPort, input, "down-grpc");
      env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
      Run downHttp = publish(env, "http://127.0.0.1:" + closedPort + "/v1/traces", input, "down-http");
      for (Run r : List.of(up, downGrpc, downHttp)) {
        System.out.printf("producer, backend %s: %d ms from start to exit, %d ms from its last line to exit%n",
            r.name(), r.totalMillis(), r.tailMillis());
      }

      for (Run r : List.of(up, downGrpc, downHttp)) {
        assertEquals(0, r.exit(), r.name() + " exit code:\n" + r.output());
        assertFalse(r.output().contains(SCHEMA_URL_WARNING), r.name() + " warned about schema URLs:\n" + r.output());
      }
      // Compared from the last line printed (every job is on the broker by then) to exit: a busy
      // machine makes JVM start-up and Kafka set-up vary by seconds, the close is what a dead
      // backend could prolong (it took 7-9 s longer before the bound).
      for (Run down : List.of(downGrpc, downHttp)) {
        assertTrue(down.tailMillis() <= up.tailMillis() + BOUND.toMillis(), down.name() + " exited "
            + down.tailMillis() + " ms after its last line, against " + up.tailMillis() + " ms with the backend up:\n"
            + down.output());
      }

      // bounded is not lossy: with the backend up, every job's spans were delivered before exit
      List<String> traceIds = up.output().lines().filter(l -> l.matches("[0-9a-f-]{36}  [0-9a-f]{32}  .*"))
          .map(l -> l.split("\\s+")[1]).toList();
      assertEquals(2, traceIds.size(), up.output());
      for (String traceId : traceIds) {
        List<String> names = receiver.spans(traceId).stream().map(ReceivedSpan::name).sorted().toList();
        assertEquals(List.of("job.publish", "send vcf.jobs"), names, "spans of " + traceId + " received by exit");
      }
    }
  }

  /**
   * One producer run: its exit code, the time from start to exit and from its last line on stdout (the
   * job table, printed once every job is sent) to exit, and what it wrote to stdout and stderr.
   */
  record Run(String name, int exit, long totalMillis, long tailMillis, String output) {}

  /** Runs {@code vcf-producer publish INPUT} in its own JVM, as {@link ChildJvm} does, and times it. */
  private Run publish(Map<String, String> env, String endpoint, Path input, String name) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "vcftrace.producer.ProducerMain", "publish", input.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve(name + ".err").toFile());
    pb.environment().putAll(env);
    pb.environment().put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint);
    long t0 = System.nanoTime();
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    long lastLine = t0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lastLine = System.nanoTime();
        out.append(line).append('\n');
      }
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(name + ": the producer did not exit within 120 s:\n" + out);
    }
    long end = System.nanoTime();
    String output = out + Files.readString(tmp.resolve(name + ".err"));
    return new Run(name, p.exitValue(), TimeUnit.NANOSECONDS.toMillis(end - t0),
        TimeUnit.NANOSECONDS.toMillis(end - lastLine), output);
  }
}
