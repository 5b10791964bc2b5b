package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.otlp.ReceivedSpan;

/**
 * Traces across process and client boundaries, with real worker processes: a job published by kcat
 * with its own traceparent, a malformed traceparent, sampling decided at the producer, log lines tied
 * to traces, resource attributes per process, secrets kept out of logs and spans, and every span
 * flushed on SIGTERM.
 */
class TracingInteropTest {
  static final String SECRET = "s3cr3t-do-not-log-4711";
  static final int WORKER_SPANS_PER_JOB = 9; // process, vcf.job, 6 steps, send vcf.results

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) static Path tmp;
  static ProcessPipeline p;
  static Path vcf;

  @BeforeAll
  static void start() throws Exception {
    p = new ProcessPipeline(tmp);
    p.env.put("KAFKA_CLIENT_SSL_KEY_PASSWORD", SECRET); // a client secret, unused over PLAINTEXT
    p.env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
    p.env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", p.client.receiver.httpEndpoint());
    vcf = p.client.input.resolve("interop.vcf.gz");
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(300).samples(2).seed(99).bgzip(true).build(), vcf);
    p.startWorker("worker-a");
    p.startWorker("worker-b");
  }

  @AfterAll
  static void stop() throws Exception {
    if (p != null) p.close();
  }

  static String job(String id) {
    return new String(JobRequest.of(id, "interop", vcf.toString(), null).toJson(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Publishes with Debian's kcat, a non-Java Kafka client, with the given headers. */
  static void kcat(String key, String value, String... headers) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("kcat", "-P", "-b", p.broker.bootstrapServers(),
        "-t", "vcf.jobs", "-k", key));
    for (String h : headers) {
      cmd.add("-H");
      cmd.add(h);
    }
    Process k = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    k.getOutputStream().write(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    k.getOutputStream().close();
    String out = new String(k.getInputStream().readAllBytes());
    assertEquals(0, k.waitFor(), "kcat: " + out);
  }

  static JobResult awaitResult(String jobId) throws Exception {
    return p.client.awaitResult(jobId, Duration.ofMinutes(3));
  }

  /** The worker's spans of one trace, once there are at least as many as one job records. */
  static List<ReceivedSpan> awaitWorkerSpans(String traceId) {
    return p.client.receiver.awaitSpans("worker spans of " + traceId,
        s -> s.stream().filter(x -> x.traceId().equals(traceId) && "vcf-worker".equals(x.serviceName())).count()
            >= WORKER_SPANS_PER_JOB, Duration.ofSeconds(60)).stream()
        .filter(x -> x.traceId().equals(traceId) && "vcf-worker".equals(x.serviceName())).toList();
  }

  @Test
  void aKcatJobWithItsOwnTraceparentIsContinuedInThatTrace() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String parentId = "00f067aa0ba902b7";
    kcat("kcat-job", job("kcat-job"), "traceparent=00-" + traceId + "-" + parentId + "-01");
    JobResult r = awaitResult("kcat-job");
    assertEquals(JobStatus.SUCCEEDED, r.status(), r.errorMessage());
    assertEquals(traceId, r.traceId(), "the worker continued kcat's trace");
    List<ReceivedSpan> trace = awaitWorkerSpans(traceId);
    ReceivedSpan process = PipelineContract.only(trace, "process vcf.jobs");
    assertEquals(parentId, process.parentSpanId(), "the process span's parent is kcat's span");
    assertEquals(1, process.links().size(), () -> "and it links to it, once: " + process.links());
    assertEquals(parentId, process.links().get(0).spanId());
    assertEquals(traceId, process.links().get(0).traceId());
    assertEquals("kafka", process.attribute("messaging.system"));
    assertEquals("vcf.jobs", process.attribute("messaging.destination.name"));
    assertEquals("process", process.attribute("messaging.operation.type"));
    assertEquals("vcf-workers", process.attribute("messaging.consumer.group.name"));
    assertNotNull(process.attribute("messaging.destination.partition.id"));
    assertNotNull(process.attribute("messaging.kafka.offset"));
    assertEquals("kcat-job", process.attribute("messaging.kafka.message.key"));
    String broker = p.broker.bootstrapServers().split(",")[0];
    assertEquals(org.apache.kafka.common.utils.Utils.getHost(broker), process.attribute("server.address"));
    assertEquals((long) org.apache.kafka.common.utils.Utils.getPort(broker), process.attribute("server.port"));
    assertEquals(WORKER_SPANS_PER_JOB, trace.size(), trace.stream().map(ReceivedSpan::name).toList().toString());
  }

  @Test
  void aMalformedTraceparentStartsAFreshTraceAndTheJobSucceeds() throws Exception {
    kcat("bad-traceparent", job("bad-traceparent"), "traceparent=00-not-a-trace-context-zz");
    JobResult r = awaitResult("bad-traceparent");
    assertEquals(JobStatus.SUCCEEDED, r.status(), r.errorMessage());
    assertTrue(r.traceId().matches("[0-9a-f]{32}") && !r.traceId().equals("0".repeat(32)), r.traceId());
    ReceivedSpan process = PipelineContract.only(awaitWorkerSpans(r.traceId()), "process vcf.jobs");
    assertTrue(process.isRoot(), "a fresh trace starts at the process span");
  }

  @Test
  void samplingDecidedAtTheProducerIsHonouredByTheWorkers() throws Exception {
    Files.createDirectories(p.client.input.resolve("sampled"));
    Files.copy(vcf, p.client.input.resolve("sampled/in.vcf.gz"));
    Map<String, String> old = new HashMap<>(p.client.env);
    try {
      p.client.env.put("OTEL_TRACES_SAMPLER", "parentbased_traceidratio");
      p.client.env.put("OTEL_TRACES_SAMPLER_ARG", "0.0");
      assertEquals(0, p.client.publish("--wait", p.client.input.resolve("sampled").toString()));
      String dropped = p.client.lastOutput.lines().filter(l -> l.contains("in.vcf.gz") && l.contains("SUCCEEDED"))
          .findFirst().orElseThrow().split("\\s+")[5];
      p.client.env.put("OTEL_TRACES_SAMPLER_ARG", "1.0");
      assertEquals(0, p.client.publish("--wait", p.client.input.resolve("sampled").toString()));
      String kept = p.client.lastOutput.lines().filter(l -> l.contains("in.vcf.gz") && l.contains("SUCCEEDED"))
          .findFirst().orElseThrow().split("\\s+")[5];
      // The sampled-out job finished seconds before the sampled one: any span it had recorded would
      // have been exported (every 50 ms here) long before the sampled job's spans arrived.
      assertEquals(WORKER_SPANS_PER_JOB, awaitWorkerSpans(kept).size());
      assertEquals(0, p.client.receiver.spans(dropped).size(), "a sampled-out job records no spans anywhere");
    } finally {
      p.client.env.clear();
      p.client.env.putAll(old);
    }
  }

  @Test
  void logLinesCarryTheTraceAndResourcesTellWorkersApartAndSecretsStayOut() throws Exception {
    kcat("logged-job", job("logged-job"));
    JobResult r = awaitResult("logged-job");
    assertEquals(JobStatus.SUCCEEDED, r.status(), r.errorMessage());
    List<ReceivedSpan> trace = awaitWorkerSpans(r.traceId());
    String log = p.log(r.workerId());
    assertTrue(log.lines().anyMatch(l -> l.contains("job logged-job SUCCEEDED") && l.contains("trace_id=" + r.traceId())),
        "the job's log line carries its trace id");
    ReceivedSpan job = PipelineContract.only(trace, "vcf.job");
    assertTrue(log.contains("span_id=" + job.spanId()), () -> "and the job span's id " + job.spanId() + " in:\n"
        + log.lines().filter(l -> l.contains(r.traceId())).toList());
    Map<String, Object> res = job.resourceAttributes();
    assertEquals("vcf-worker", res.get("service.name"));
    assertNotNull(res.get("service.version"));
    assertNotNull(res.get("host.name"));
    // each worker logs its instance id at start; the job's spans carry the one of the worker that ran it
    Map<String, String> instances = new HashMap<>();
    for (String w : List.of("worker-a", "worker-b")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("worker " + w + " \\(instance ([0-9a-f-]{36})\\)")
          .matcher(p.log(w));
      assertTrue(m.find(), "instance id in the log of " + w);
      instances.put(w, m.group(1));
    }
    assertNotEquals(instances.get("worker-a"), instances.get("worker-b"), "one service.instance.id per process");
    assertEquals(instances.get(r.workerId()), res.get("service.instance.id"));
    for (String w : List.of("worker-a", "worker-b")) {
      assertFalse(p.log(w).contains(SECRET), "secret in " + w + " log");
      assertFalse(p.log(w).contains("different schemaUrls"), "the SDK warned about the resource in " + w + " log");
    }
    assertTrue(p.client.receiver.spans().stream().noneMatch(s -> s.attributes().toString().contains(SECRET)
        || s.resourceAttributes().toString().contains(SECRET)), "secret on a span");
  }

  /** What a forged line would look like in a worker log: a real line's start and a success. */
  static final String FORGED = "02:00:00.000 INFO  [main] v.worker.JobRunner trace_id=" + "0".repeat(32)
      + " span_id=" + "0".repeat(16) + " - job forged SUCCEEDED: 1 normalised records in 1 ms";

  @Test
  void aNewlineInAJobIdOrPathNeverStartsALogLineOfItsOwn() throws Exception {
    String jobId = "evil\n" + FORGED;
    String input = vcf + "\n" + FORGED + "\r\n" + FORGED;
    p.client.send("vcf.jobs", jobId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        JobRequest.of(jobId, "interop", input, null).toJson());
    JobResult r = awaitResult(jobId);
    assertEquals(JobStatus.FAILED, r.status());
    assertEquals("INPUT_NOT_FOUND", r.errorType(), r.errorMessage());
    assertEquals(List.of(), MessageSchemas.errors(MessageSchemas.RESULT, r.toJson()), "the result follows its schema");
    // the process span ends once the job is committed, after the job's log lines were written
    p.client.receiver.awaitSpans("the process span of " + r.traceId(), s -> s.stream()
        .anyMatch(x -> x.traceId().equals(r.traceId()) && x.name().equals("process vcf.jobs")), Duration.ofSeconds(60));
    String log = p.log(r.workerId());
    assertTrue(log.lines().noneMatch(l -> l.startsWith(FORGED.substring(0, 20))),
        () -> "a forged line in the log:\n" + log.lines().filter(l -> l.contains("forged")).toList());
    List<String> lines = log.lines().filter(l -> l.contains("job forged SUCCEEDED")).toList();
    assertFalse(lines.isEmpty(), "the job's lines are in the log");
    assertTrue(log.contains("job evil\\n" + FORGED + " FAILED (INPUT_NOT_FOUND)"), () -> "escaped in the log:\n" + lines);
    assertTrue(log.contains("\\n" + FORGED + "\\r\\n" + FORGED), () -> "the path escaped too:\n" + lines);
  }

  @Test
  void sigtermFlushesEverySpanAndExitsZero() throws Exception {
    // A separate group on separate topics, exporting only every 60 s: only the shutdown flush can
    // deliver its spans in time.
    p.env.put("JOBS_TOPIC", "sigterm.jobs");
    p.env.put("RESULTS_TOPIC", "sigterm.results");
    p.env.put("DLQ_TOPIC", "sigterm.dlq");
    p.env.put("CONSUMER_GROUP", "sigterm-workers");
    p.env.put("OTEL_BSP_SCHEDULE_DELAY", "60000");
    ChildJvm w;
    try {
      w = p.startWorker("worker-sigterm");
    } finally {
      for (String k : List.of("JOBS_TOPIC", "RESULTS_TOPIC", "DLQ_TOPIC", "CONSUMER_GROUP", "OTEL_BSP_SCHEDULE_DELAY")) {
        p.env.remove(k);
      }
      p.env.put("OTEL_BSP_SCHEDULE_DELAY", "50");
    }
    int jobs = 3;
    for (int i = 0; i < jobs; i++) {
      p.client.send("sigterm.jobs", ("sig-" + i).getBytes(), JobRequest.of("sig-" + i, "sig", vcf.toString(), null).toJson());
    }
    Map<String, String> env = new HashMap<>(p.client.env);
    p.client.env.put("RESULTS_TOPIC", "sigterm.results");
    Map<String, JobResult> results;
    try {
      results = p.client.awaitResults(jobs, Duration.ofMinutes(3));
    } finally {
      p.client.env.clear();
      p.client.env.putAll(env);
    }
    results.values().forEach(r -> assertEquals(JobStatus.SUCCEEDED, r.status(), r.errorMessage()));
    Set<String> traces = results.values().stream().map(JobResult::traceId).collect(Collectors.toSet());
    assertEquals(0, w.terminate(60, TimeUnit.SECONDS), "a clean SIGTERM stop exits 0");
    List<ReceivedSpan> spans = p.client.receiver.spans().stream()
        .filter(s -> traces.contains(s.traceId()) && "vcf-worker".equals(s.serviceName())).toList();
    long received = spans.size();
    assertEquals((long) jobs * WORKER_SPANS_PER_JOB, received, () -> "spans received = spans created: "
        + spans.stream().map(s -> s.name() + "/" + s.spanId() + "/" + s.resourceAttributes().get("service.instance.id")).toList());
    assertNotEquals(0, received);
  }
}
