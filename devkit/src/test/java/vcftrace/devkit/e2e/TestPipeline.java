package vcftrace.devkit.e2e;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import vcftrace.common.JobResult;
import vcftrace.common.Telemetry;
import vcftrace.common.WorkerConfig;
import vcftrace.devkit.otlp.OtlpReceiver;
import vcftrace.producer.PublishCommand;
import vcftrace.worker.WorkerApp;

/**
 * The pipeline in this JVM against a given Kafka: an OTLP receiver, workers on threads (each with its
 * own Telemetry, as separate processes would have), the real publish command, and readers of the
 * topics. Everything it started is closed by {@link #close}.
 */
final class TestPipeline implements AutoCloseable {
  final Path input;
  final Path data;
  final OtlpReceiver receiver;
  final Map<String, String> env = new HashMap<>();
  private final List<WorkerApp> workers = new ArrayList<>();
  private final List<Telemetry> telemetries = new ArrayList<>();
  private final List<Future<?>> loops = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  String lastOutput = "";

  TestPipeline(String bootstrap, Path tmp) throws Exception {
    input = Files.createDirectories(tmp.resolve("input"));
    data = tmp.resolve("data");
    receiver = OtlpReceiver.start();
    env.put("KAFKA_BOOTSTRAP", bootstrap);
    env.put("INPUT_ROOT", input.toString());
    env.put("DATA_DIR", data.toString());
    env.put("TOPIC_PARTITIONS", "4");
    env.put("METRICS_PORT", "0");
    env.put("PRODUCER_METRICS_PORT", "-1");
    env.put("RETRY_BACKOFF_INITIAL", "PT0.05S");
    env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.grpcEndpoint());
    env.put("OTEL_BSP_SCHEDULE_DELAY", "50");
  }

  WorkerApp startWorker(String id) throws Exception {
    Map<String, String> wenv = new HashMap<>(env);
    wenv.put("WORKER_ID", id);
    Telemetry t = Telemetry.create("vcf-worker", wenv);
    telemetries.add(t);
    WorkerApp app = WorkerApp.create(WorkerConfig.fromEnv(wenv), t);
    workers.add(app);
    loops.add(pool.submit(app::run));
    return app;
  }

  /** Stops every worker after its job in flight, closes it and flushes its spans. */
  void stopWorkers() throws Exception {
    for (WorkerApp w : workers) w.stop(Duration.ofSeconds(60));
    for (Future<?> f : loops) f.get();
    for (WorkerApp w : workers) w.close();
    for (Telemetry t : telemetries) t.close();
    workers.clear();
    telemetries.clear();
    loops.clear();
  }

  /** Runs {@code vcf-producer publish ARGS} with this pipeline's environment; returns the exit code. */
  int publish(String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream old = System.out;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      return new CommandLine(new PublishCommand(env)).execute(args);
    } finally {
      System.setOut(old);
      lastOutput = stdout.toString(StandardCharsets.UTF_8);
      old.print(lastOutput);
    }
  }

  void send(String topic, byte[] key, byte[] value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP"));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 << 20));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** Every record of {@code topic}, from the beginning to its end as of now. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP"));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Results by job id (the last one of a job wins). */
  Map<String, JobResult> results() throws Exception {
    return vcftrace.devkit.ResultsReader.readAll(env.get("KAFKA_BOOTSTRAP"), env.getOrDefault("RESULTS_TOPIC", "vcf.results"));
  }

  /** Reads the results topic until {@code n} distinct jobs have a result or the timeout passes. */
  Map<String, JobResult> awaitResults(int n, Duration timeout) throws Exception {
    return awaitResults("" + n + " results", r -> r.size() >= n, timeout);
  }

  /** Reads the results topic until {@code jobId} has a result. */
  JobResult awaitResult(String jobId, Duration timeout) throws Exception {
    return awaitResults("a result for " + jobId, r -> r.containsKey(jobId), timeout).get(jobId);
  }

  /** Reads the results topic from its beginning until {@code done} holds or the timeout passes. */
  Map<String, JobResult> awaitResults(String what, java.util.function.Predicate<Map<String, JobResult>> done,
      Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP"));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, JobResult> out = new LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      String topic = env.getOrDefault("RESULTS_TOPIC", "vcf.results");
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      while (!done.test(out) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
          JobResult r = JobResult.parse(rec.value());
          out.put(r.jobId(), r);
        }
      }
    }
    if (!done.test(out)) throw new AssertionError("no " + what + " within " + timeout + "; have " + out.keySet());
    return out;
  }

  @Override
  public void close() throws Exception {
    try {
      stopWorkers();
    } finally {
      pool.shutdownNow();
      receiver.close();
    }
  }
}
