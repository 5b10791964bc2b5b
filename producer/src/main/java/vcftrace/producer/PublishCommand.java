package vcftrace.producer;

import io.micrometer.core.instrument.Counter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import vcftrace.common.KafkaTracing;
import vcftrace.common.Attrs;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.common.KafkaSettings;
import vcftrace.common.MetricsServer;
import vcftrace.common.Setting;
import vcftrace.common.Telemetry;
import vcftrace.common.Topics;

/**
 * {@code vcf-producer publish}: one job per VCF file, each the root of its own trace. The job's
 * {@code job.publish} span is the root; the instrumentation's {@code send vcf.jobs} span is its child
 * and writes the W3C {@code traceparent} header the worker continues from.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publish one job per VCF file (files, directories searched recursively, globs).")
public final class PublishCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "VCF files (.vcf, .vcf.gz, .bcf), directories or globs")
  List<String> paths;

  @Option(names = "--batch-id", description = "batch id shared by these jobs (default: a new UUID)")
  String batchId;

  @Option(names = "--region", description = "process only this region of each file (bcftools syntax, needs an index)")
  String region;

  @Option(names = "--wait", description = "follow the results until every job finished; exit 1 if any failed")
  boolean await;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "how long --wait waits (ISO-8601, default ${DEFAULT-VALUE})")
  Duration timeout;

  private final Map<String, String> env;

  public PublishCommand() {
    this(System.getenv());
  }

  /** With {@code env} in place of the process environment (tests, the demo). */
  public PublishCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    List<Path> files = InputFiles.expand(paths);
    String batch = batchId != null ? batchId : UUID.randomUUID().toString();
    Topics topics = Topics.fromEnv(env);
    try (Telemetry telemetry = Telemetry.create("vcf-producer", env);
        MetricsServer metrics = MetricsServer.start(
            Integer.parseInt(Setting.PRODUCER_METRICS_PORT.fromOrDefault(env)), "vcf-producer");
        Admin admin = Admin.create(KafkaSettings.clientProperties(env))) {
      topics.ensureExist(admin);
      KafkaTelemetry kafkaTelemetry = KafkaTracing.create(telemetry.openTelemetry());
      Counter published = Counter.builder("vcf.jobs.published").description("jobs published")
          .register(metrics.registry());
      ResultFollower follower = await
          ? new ResultFollower(ProducerClients.reader(env, "vcf-producer-wait"), topics.results()) : null;
      List<JobRequest> jobs = new ArrayList<>();
      try (Producer<byte[], byte[]> producer = ProducerClients.producer(env, kafkaTelemetry, "vcf-producer")) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        out.printf("%-36s  %-32s  %s%n", "JOB ID", "TRACE ID", "FILE");
        for (Path file : files) {
          JobRequest job = JobRequest.of(UUID.randomUUID().toString(), batch, file.toString(), region);
          Span span = telemetry.tracer().spanBuilder("job.publish").setParent(Context.root())
              .setSpanKind(SpanKind.INTERNAL)
              .setAttribute(Attrs.JOB_ID, job.jobId())
              .setAttribute(Attrs.BATCH_ID, batch)
              .setAttribute(Attrs.FILE_PATH, file.toString())
              .setAttribute(Attrs.FILE_SIZE, Files.size(file))
              .startSpan();
          if (region != null) span.setAttribute(Attrs.JOB_REGION, region);
          try (Scope ignored = span.makeCurrent()) {
            sent.add(producer.send(new ProducerRecord<>(topics.jobs(), job.jobId().getBytes(StandardCharsets.UTF_8), job.toJson())));
          } finally {
            span.end();
          }
          jobs.add(job);
          published.increment();
          out.printf("%-36s  %-32s  %s%n", job.jobId(), span.getSpanContext().getTraceId(), file);
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) f.get(); // acks=all: every job is on the broker
      }
      if (follower == null) return 0;
      try (follower) {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        jobs.forEach(j -> ids.add(j.jobId()));
        Map<String, JobResult> results = follower.await(ids, timeout,
            new ResultFollower.Progress(System.err, ids.size(), true));
        Summary.print(out, jobs, results);
        if (results.size() < ids.size()) return ProducerMain.EXIT_TIMEOUT;
        return results.values().stream().anyMatch(r -> r.status() == JobStatus.FAILED)
            ? ProducerMain.EXIT_FAILED_JOBS : 0;
      }
    }
  }
}
