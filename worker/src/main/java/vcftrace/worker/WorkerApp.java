package vcftrace.worker;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vcftrace.common.KafkaSettings;
import vcftrace.common.KafkaTracing;
import vcftrace.common.MetricsServer;
import vcftrace.common.Telemetry;
import vcftrace.common.WorkerConfig;
import vcftrace.worker.step.Bcftools;
import vcftrace.worker.step.Step;
import vcftrace.worker.store.LanceVariantStore;

/**
 * One worker, wired: Kafka clients wrapped by {@code KafkaTelemetry}, the stores, the steps, the
 * metrics endpoint. Everything is created here with {@code new}; {@link #close} closes it in reverse
 * order. {@link WorkerMain} runs one per process; tests may run one on a thread.
 */
public final class WorkerApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerApp.class);

  private static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(10);

  private final WorkerConfig config;
  private final Worker worker;
  private final MetricsServer metrics;
  private final Deque<AutoCloseable> resources;

  private WorkerApp(WorkerConfig config, Worker worker, MetricsServer metrics, Deque<AutoCloseable> resources) {
    this.config = config;
    this.worker = worker;
    this.metrics = metrics;
    this.resources = resources;
  }

  /** Creates the topics if missing, the clients and the stores, and subscribes. */
  public static WorkerApp create(WorkerConfig cfg, Telemetry telemetry) throws Exception {
    requireNonNull(cfg, "cfg");
    Deque<AutoCloseable> resources = new ArrayDeque<>();
    try {
      MetricsServer metrics = push(resources, MetricsServer.start(cfg.metricsPort(), "vcf-worker"));
      telemetry.bindMetrics(metrics.registry()); // the span pipeline watches itself
      try (Admin admin = Admin.create(cfg.kafka())) {
        cfg.topics().ensureExist(admin);
      }
      KafkaTelemetry kafkaTelemetry = KafkaTracing.create(telemetry.openTelemetry(), cfg.kafka());
      KafkaConsumer<byte[], byte[]> rawConsumer = new KafkaConsumer<>(consumerProps(cfg));
      Consumer<byte[], byte[]> consumer = push(resources, kafkaTelemetry.wrap(rawConsumer));
      // Kafka's per-partition meters (records-lag) appear after assignment; look for new ones every
      // 10 s rather than Micrometer's default minute, so a dashboard shows lag soon after start.
      // Created here, so shut down here (after the binder, which also stops it on close).
      ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kafka-metrics-refresh");
        t.setDaemon(true);
        return t;
      });
      push(resources, refresh::shutdownNow);
      KafkaClientMetrics consumerMetrics = push(resources, new KafkaClientMetrics(rawConsumer, Tags.empty(),
          refresh, KAFKA_METRICS_REFRESH));
      consumerMetrics.bindTo(metrics.registry());
      Producer<byte[], byte[]> producer = push(resources, kafkaTelemetry.wrap(new KafkaProducer<>(producerProps(cfg))));
      StorageGuard storage = StorageGuard.of(cfg);
      storage.bindTo(metrics.registry());
      GraphShards shards = push(resources, new GraphShards(cfg.kuzuDir(), cfg.topics().jobs(), cfg.kuzuBufferPoolBytes(), storage));
      LanceVariantStore lance = push(resources, new LanceVariantStore(cfg.lanceDb()));
      Bcftools bcftools = new Bcftools(cfg.bcftools(), cfg.bcftoolsTimeout());
      Bcftools tabix = new Bcftools(cfg.tabix(), "tabix", cfg.bcftoolsTimeout());
      ExecutorService checkers = checkers(Runtime.getRuntime().availableProcessors());
      push(resources, checkers::shutdownNow);
      List<Stage> stages = Pipeline.stages(
          new Pipeline.Parts(bcftools, tabix, checkers, cfg.strictValidation(), lance, shards::shard));
      WorkerMetrics workerMetrics = new WorkerMetrics(Stage.steps(stages).stream().map(Step::spanName).toList());
      workerMetrics.bindTo(metrics.registry());
      JobRunner runner = push(resources, new JobRunner(cfg, telemetry.tracer(), producer, stages, workerMetrics, storage));
      Worker worker = new Worker(consumer, runner, storage);
      consumer.subscribe(List.of(cfg.topics().jobs()), worker.rebalanceListener(shards));
      metrics.health(() -> {
        String paused = worker.pausedReason();
        return paused == null ? MetricsServer.Health.up() : MetricsServer.Health.paused(paused);
      });
      log.info("worker {} (instance {}) consuming {} as group {}; metrics on port {}", cfg.workerId(),
          telemetry.instanceId(), cfg.topics().jobs(), cfg.consumerGroup(), metrics.port());
      return new WorkerApp(cfg, worker, metrics, resources);
    } catch (Exception | Error e) {
      closeAll(resources);
      throw e;
    }
  }

  /** Processes jobs until {@link #stop}. */
  public void run() {
    worker.run();
    log.info("worker {} stopped after {} committed jobs", config.workerId(), worker.committedJobs());
  }

  /** Stops polling; the job in flight finishes and commits. Returns whether that took less than the timeout. */
  public boolean stop(Duration timeout) throws InterruptedException {
    return worker.stop(timeout);
  }

  public int metricsPort() {
    return metrics.port();
  }

  public String scrape() {
    return metrics.registry().scrape();
  }

  @Override
  public void close() {
    closeAll(resources);
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      AutoCloseable r = resources.pop();
      try {
        r.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
      }
    }
  }

  /** One thread per core: checking records is CPU-bound. Idle threads end between jobs. */
  private static ExecutorService checkers(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "vcf-validate-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static <T extends AutoCloseable> T push(Deque<AutoCloseable> resources, T r) {
    resources.push(r);
    return r;
  }

  static Properties consumerProps(WorkerConfig cfg) {
    Properties p = new Properties();
    p.putAll(cfg.kafka());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, cfg.consumerGroup());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, cfg.workerId());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // Offsets are committed by hand, after the job's result is acknowledged.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A job runs for seconds to minutes: fetch one at a time, so jobs not started stay with the
    // partition for whichever worker is free, and allow a long gap between polls.
    p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(cfg.maxPollInterval().toMillis()));
    // A SIGKILLed worker's partitions stay frozen until its session times out (Kafka's default is
    // 45 s): 10 s, with a heartbeat every 3 s, hands them on sooner; a KAFKA_CLIENT_* setting wins.
    p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    // Incremental rebalancing: a worker joining or leaving moves only the partitions it must.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    return p;
  }

  /** The results and dead-letter producer: the project's producer settings, as the producer CLI's. */
  static Properties producerProps(WorkerConfig cfg) {
    return KafkaSettings.producerProperties(cfg.kafka(), cfg.workerId() + "-results");
  }
}
