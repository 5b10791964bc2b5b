package vcftrace.devkit.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.apache.kafka.clients.admin.Admin;
import vcftrace.common.JobRequest;
import vcftrace.common.Topics;
import vcftrace.common.JobResult;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.ResultsReader;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.kafka.KafkaBroker;

/**
 * {@code vcf-devkit bench-failover}: how long a SIGKILLed worker's partitions stay frozen. Two worker
 * processes get one small job per partition at a time until both have shown which partitions they
 * own; with nothing queued, one is killed with SIGKILL and a job is sent to each of its partitions.
 * The figure is the time from the kill to the start of the first of those jobs, which the survivor
 * runs (start = finish - duration, from the result).
 */
@Command(name = "bench-failover", mixinStandardHelpOptions = true,
    description = "Time from kill -9 of a worker to its partitions' next job, for given session timeouts.")
public final class FailoverBenchCommand implements Callable<Integer> {
  private static final int PARTITIONS = 4;

  @Option(names = "--data-dir", description = "Scratch directory (default: vcf-data/bench-failover).")
  Path dataDir = Path.of("vcf-data", "bench-failover");

  @Option(names = "--session-timeouts-ms", split = ",",
      description = "Consumer session timeouts to measure; 'default' = the worker's own (default: ${DEFAULT-VALUE}).")
  List<String> sessionTimeouts = List.of("default", "45000");

  @Option(names = "--runs", description = "Kills per setting (default: ${DEFAULT-VALUE}).")
  int runs = 3;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dataDir);
    System.out.println("| session timeout | kill → partition's next job (each run) | median |");
    System.out.println("|---|---|---|");
    for (String timeout : sessionTimeouts) {
      List<Long> millis = new ArrayList<>();
      for (int run = 0; run < runs; run++) millis.add(once(timeout, dataDir.resolve(timeout + "-" + run)));
      List<Long> sorted = new ArrayList<>(millis);
      sorted.sort(null);
      System.out.printf("| %s | %s ms | %d ms |%n", timeout.equals("default") ? "worker default (10 s)" : timeout + " ms",
          String.join(", ", millis.stream().map(String::valueOf).toList()), sorted.get(sorted.size() / 2));
    }
    return 0;
  }

  private long once(String sessionTimeout, Path dir) throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    Path job = input.resolve("small.vcf.gz");
    VcfGenerator.write(VcfGenerator.Spec.builder().variants(2000).samples(2).seed(9).bgzip(true).build(), job);
    try (KafkaBroker broker = KafkaBroker.builder(dir.resolve("kafka")).numPartitions(PARTITIONS).start()) {
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP", broker.bootstrapServers());
      env.put("INPUT_ROOT", input.toString());
      env.put("DATA_DIR", dir.resolve("data").toString());
      env.put("TOPIC_PARTITIONS", Integer.toString(PARTITIONS));
      env.put("METRICS_PORT", "-1");
      env.put("OTEL_TRACES_EXPORTER", "none");
      env.put("OTEL_METRICS_EXPORTER", "none");
      env.put("OTEL_LOGS_EXPORTER", "none");
      if (!sessionTimeout.equals("default")) env.put("KAFKA_CLIENT_SESSION_TIMEOUT_MS", sessionTimeout);
      Path logs = Files.createDirectories(dir.resolve("logs"));
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        Topics.fromEnv(env).ensureExist(admin); // before the result reader assigns itself their partitions
      }
      List<ChildJvm> workers = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers());
          KafkaConsumer<byte[], byte[]> results = ResultsReader.fromBeginning(broker.bootstrapServers(), "vcf.results")) {
        for (String id : List.of("worker-a", "worker-b")) {
          workers.add(ChildJvm.worker(id, env, logs.resolve(id + ".log"), "-Xmx512m"));
        }
        Map<String, Integer> partitionOf = new HashMap<>();
        Set<String> done = new HashSet<>();
        int sent = 0;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5)); // a worker that dies early ends the run
        Map<Integer, String> owner = new HashMap<>(); // who ran each partition's latest job
        // one job per partition at a time until both workers own partitions (as of their last jobs)
        while (done.size() < sent || new HashSet<>(owner.values()).size() < 2) {
          if (done.size() == sent) {
            for (int partition = 0; partition < PARTITIONS; partition++) sent = send(producer, job, sent, partition, partitionOf);
          }
          for (JobResult r : poll(results)) {
            done.add(r.jobId());
            owner.put(partitionOf.get(r.jobId()), r.workerId());
          }
          if (Instant.now().isAfter(deadline)) throw new IllegalStateException("workers stalled; see " + logs);
        }
        ChildJvm victim = workers.get(0);
        Set<Integer> orphaned = new HashSet<>();
        owner.forEach((partition, worker) -> {
          if (worker.equals(victim.name())) orphaned.add(partition);
        });
        victim.process().destroyForcibly(); // SIGKILL
        Instant killed = Instant.now();
        for (int partition : orphaned) sent = send(producer, job, sent, partition, partitionOf);
        while (Instant.now().isBefore(deadline.plus(Duration.ofMinutes(5)))) {
          for (JobResult r : poll(results)) {
            if (!r.workerId().equals(victim.name()) && orphaned.contains(partitionOf.get(r.jobId()))
                && r.finishedAt().isAfter(killed)) {
              Instant started = r.finishedAt().minusMillis(r.durationMillis());
              return Math.max(0, Duration.between(killed, started).toMillis());
            }
          }
        }
        throw new IllegalStateException("no job ran on the dead worker's partitions; see " + logs);
      } finally {
        for (ChildJvm w : workers) if (w.isAlive()) w.terminate(60, TimeUnit.SECONDS);
      }
    }
  }

  private static int send(KafkaProducer<byte[], byte[]> producer, Path file, int n, int partition,
      Map<String, Integer> partitionOf) throws Exception {
    String id = "job-" + n;
    var meta = producer.send(new ProducerRecord<>("vcf.jobs", partition, id.getBytes(StandardCharsets.UTF_8),
        JobRequest.of(id, "failover", file.toString(), null).toJson())).get();
    partitionOf.put(id, meta.partition());
    return n + 1;
  }

  private static List<JobResult> poll(KafkaConsumer<byte[], byte[]> results) throws Exception {
    List<JobResult> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> rec : results.poll(Duration.ofMillis(200))) out.add(JobResult.parse(rec.value()));
    return out;
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }
}
