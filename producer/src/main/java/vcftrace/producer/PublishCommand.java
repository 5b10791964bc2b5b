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
import java.time.Instant;
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
import org.apache.kafka.common.PartitionInfo;
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
 * and writes the W3C {@code traceparent} header the worker continues from. A job is keyed by its job id;
 * the region jobs of a {@code --shard-size} file are spread round-robin over the jobs topic's
 * partitions ({@link ShardPartitions}), a single job goes where its key hashes.
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

  @Option(names = "--shard-size", paramLabel = "BASES",
      description = "split each indexed .vcf.gz/.bcf into region jobs of at most BASES bases, one trace each"
          + " (a .tbi or .csi must sit next to the file; plain .vcf files stay one job)")
  Long shardSize;

  @Option(names = "--wait", description = "follow the results until every job finished; exit 1 if any failed")
  boolean await;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "how long --wait waits (ISO-8601, default ${DEFAULT-VALUE})")
  Duration timeout;

  // Project-local names, next to job.region; not (yet) in Attrs, which another change owns.
  private static final io.opentelemetry.api.common.AttributeKey<Long> SHARD_INDEX =
      io.opentelemetry.api.common.AttributeKey.longKey("job.shard.index");
  private static final io.opentelemetry.api.common.AttributeKey<Long> SHARD_COUNT =
      io.opentelemetry.api.common.AttributeKey.longKey("job.shard.count");

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
    if (shardSize != null && shardSize < 1) {
      throw new IllegalArgumentException("--shard-size must be >= 1, got " + shardSize);
    }
    if (shardSize != null && region != null) {
      throw new IllegalArgumentException("--shard-size and --region cannot be combined");
    }
    // Planned before anything is sent: a missing index fails the command (exit 2) with no job published.
    Map<Path, List<ShardPlanner.Window>> shards = new java.util.HashMap<>();
    if (shardSize != null) {
      for (Path file : files) {
        if (ShardPlanner.indexable(file)) shards.put(file, ShardPlanner.plan(file, shardSize));
      }
    }
    String batch = batchId != null ? batchId : UUID.randomUUID().toString();
    Topics topics = Topics.fromEnv(env);
    Telemetry telemetry = Telemetry.create("vcf-producer", env);
    // closed last, after the Kafka clients, and within a bound whether or not the backend answers
    // Every client is a resource of this block, opened in order and closed in reverse, so a send or a
    // lookup that throws closes the result reader too (it was opened before the first send).
    try (MetricsServer metrics = MetricsServer.start(Setting.PRODUCER_METRICS_PORT.integer(env), "vcf-producer");
        Admin admin = Admin.create(KafkaSettings.clientProperties(env));
        ResultFollower follower = ensureTopicsAndFollow(topics, admin)) {
      telemetry.bindMetrics(metrics.registry());
      KafkaTelemetry kafkaTelemetry =
          KafkaTracing.create(telemetry.openTelemetry(), KafkaSettings.clientProperties(env));
      Counter published = Counter.builder("vcf.jobs.published").description("jobs published")
          .register(metrics.registry());
      List<JobRequest> jobs = new ArrayList<>();
      try (Producer<byte[], byte[]> producer = ProducerClients.producer(env, kafkaTelemetry, "vcf-producer")) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        // Fetched once: shards are spread over the partitions that exist now. Only a sharded file needs it.
        int partitions = shards.values().stream().anyMatch(w -> !w.isEmpty())
            ? jobsPartitionCount(producer, topics.jobs()) : 0;
        out.printf("%-36s  %-32s  %s%n", "JOB ID", "TRACE ID", "FILE");
        for (Path file : files) {
          List<ShardPlanner.Window> windows = shards.get(file);
          List<JobRequest> fileJobs = new ArrayList<>();
          boolean sharded = windows != null && !windows.isEmpty();
          if (!sharded) {
            fileJobs.add(JobRequest.of(UUID.randomUUID().toString(), batch, file.toString(), region));
          } else {
            Instant now = Instant.now();
            for (int i = 0; i < windows.size(); i++) {
              fileJobs.add(new JobRequest(JobRequest.SCHEMA_VERSION, UUID.randomUUID().toString(), batch,
                  file.toString(), windows.get(i).region(), i, windows.size(), now));
            }
          }
          // Workers own partitions, so a sharded file's shards go round-robin over them (ShardPartitions):
          // key hashing put 6 of 8 shards on one of two workers. Shard ids are independent UUIDs with no
          // common prefix, so the first one stands for the file. A single job keeps the key hash.
          int start = sharded ? ShardPartitions.start(fileJobs.get(0).jobId(), partitions) : -1;
          for (JobRequest job : fileJobs) {
            Integer partition = sharded ? ShardPartitions.partition(start, job.shardIndex(), partitions) : null;
            Span span = telemetry.tracer().spanBuilder("job.publish").setParent(Context.root())
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(Attrs.JOB_ID, job.jobId())
                .setAttribute(Attrs.BATCH_ID, batch)
                .setAttribute(Attrs.FILE_PATH, file.toString())
                .setAttribute(Attrs.FILE_SIZE, Files.size(file))
                .startSpan();
            if (job.region() != null) span.setAttribute(Attrs.JOB_REGION, job.region());
            if (job.shardCount() > 1) {
              span.setAttribute(SHARD_INDEX, job.shardIndex());
              span.setAttribute(SHARD_COUNT, job.shardCount());
            }
            try (Scope ignored = span.makeCurrent()) {
              // The key stays the job id whatever the partition: consumers and the DLQ read it.
              sent.add(producer.send(new ProducerRecord<>(topics.jobs(), partition,
                  job.jobId().getBytes(StandardCharsets.UTF_8), job.toJson())));
            } finally {
              span.end();
            }
            jobs.add(job);
            published.increment();
            out.printf("%-36s  %-32s  %s%n", job.jobId(), span.getSpanContext().getTraceId(),
                job.shardCount() > 1 ? file + " " + job.region() : file);
          }
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) f.get(); // acks=all: every job is on the broker
      }
      if (follower == null) return 0;
      LinkedHashSet<String> ids = new LinkedHashSet<>();
      jobs.forEach(j -> ids.add(j.jobId()));
      Map<String, JobResult> results = follower.await(ids, timeout,
          new ResultFollower.Progress(System.err, ids.size(), true));
      Summary.print(out, jobs, results);
      if (results.size() < ids.size()) return ProducerMain.EXIT_TIMEOUT;
      return results.values().stream().anyMatch(r -> r.status() == JobStatus.FAILED)
          ? ProducerMain.EXIT_FAILED_JOBS : 0;
    } finally {
      telemetry.close(ProducerMain.SPAN_FLUSH_AT_EXIT);
    }
  }

  /**
   * Creates the missing topics, then opens the reader of the results topic for {@code --wait},
   * positioned before any job is sent (null without {@code --wait}).
   */
  private ResultFollower ensureTopicsAndFollow(Topics topics, Admin admin)
      throws InterruptedException, java.util.concurrent.ExecutionException {
    topics.ensureExist(admin);
    return await ? ResultFollower.open(ProducerClients.reader(env, "vcf-producer-wait"), topics.results()) : null;
  }

  private static int jobsPartitionCount(Producer<byte[], byte[]> producer, String topic) {
    List<PartitionInfo> info = producer.partitionsFor(topic);
    if (info == null || info.isEmpty()) throw new IllegalStateException("topic " + topic + " has no partitions");
    return info.size();
  }
}
