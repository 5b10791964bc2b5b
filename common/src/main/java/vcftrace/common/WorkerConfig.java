package vcftrace.common;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Worker settings, read from the environment. Each field names its variable in {@link Setting}, where
 * its type, default, validation and meaning are declared; the README's table lists the same. {@link
 * #fromEnv} reads every one, so a bad value stops the worker at start-up with the variable's name.
 */
public record WorkerConfig(
    Properties kafka, // KAFKA_BOOTSTRAP, KAFKA_CONFIG_FILE, KAFKA_CLIENT_*
    Topics topics, // JOBS_TOPIC, RESULTS_TOPIC, DLQ_TOPIC, TOPIC_PARTITIONS, TOPIC_REPLICATION
    String consumerGroup, // CONSUMER_GROUP = vcf-workers
    String workerId, // WORKER_ID = <host>-<pid>
    Path inputRoot, // INPUT_ROOT = .
    Path dataDir, // DATA_DIR = vcf-data
    Path lanceDb, // LANCE_DB = $DATA_DIR/lancedb
    Path kuzuDir, // KUZU_DIR = $DATA_DIR/kuzu
    long kuzuBufferPoolBytes, // KUZU_BUFFER_POOL_MB = 1024
    String bcftools, // BCFTOOLS = bcftools
    Duration bcftoolsTimeout, // BCFTOOLS_TIMEOUT = PT10M
    int retryMaxAttempts, // RETRY_MAX_ATTEMPTS = 4
    Duration retryBackoffInitial, // RETRY_BACKOFF_INITIAL = PT0.5S
    Duration retryBackoffMax, // RETRY_BACKOFF_MAX = PT30S
    int maxMessageBytes, // MAX_MESSAGE_BYTES = 65536
    Duration maxPollInterval, // MAX_POLL_INTERVAL = PT30M
    Duration shutdownTimeout, // SHUTDOWN_TIMEOUT = PT60S
    int metricsPort, // METRICS_PORT = 9464
    String tabix, // TABIX = tabix
    boolean strictValidation, // VCF_VALIDATION = lenient
    long minFreeDiskBytes) { // MIN_FREE_DISK_MB = 1024

  /** Null checks only: values are validated where each setting is declared, in {@link Setting}. */
  public WorkerConfig {
    requireNonNull(kafka, "kafka");
    requireNonNull(topics, "topics");
    requireNonNull(consumerGroup, "consumerGroup");
    requireNonNull(workerId, "workerId");
    requireNonNull(inputRoot, "inputRoot");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(lanceDb, "lanceDb");
    requireNonNull(kuzuDir, "kuzuDir");
    requireNonNull(bcftools, "bcftools");
    requireNonNull(bcftoolsTimeout, "bcftoolsTimeout");
    requireNonNull(retryBackoffInitial, "retryBackoffInitial");
    requireNonNull(retryBackoffMax, "retryBackoffMax");
    requireNonNull(maxPollInterval, "maxPollInterval");
    requireNonNull(shutdownTimeout, "shutdownTimeout");
    requireNonNull(tabix, "tabix");
  }

  public static WorkerConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * Parses every worker setting in {@code env}.
   *
   * @throws IllegalArgumentException naming the first invalid setting
   */
  public static WorkerConfig fromEnv(Map<String, String> env) {
    return new WorkerConfig(
        KafkaSettings.clientProperties(env),
        Topics.fromEnv(env),
        Setting.CONSUMER_GROUP.string(env),
        Setting.WORKER_ID.string(env),
        Setting.INPUT_ROOT.path(env).toAbsolutePath().normalize(),
        Setting.DATA_DIR.path(env).toAbsolutePath(),
        Setting.LANCE_DB.path(env).toAbsolutePath(),
        Setting.KUZU_DIR.path(env).toAbsolutePath(),
        Setting.KUZU_BUFFER_POOL_MB.longValue(env) << 20,
        Setting.BCFTOOLS.string(env),
        Setting.BCFTOOLS_TIMEOUT.duration(env),
        Setting.RETRY_MAX_ATTEMPTS.integer(env),
        Setting.RETRY_BACKOFF_INITIAL.duration(env),
        Setting.RETRY_BACKOFF_MAX.duration(env),
        Setting.MAX_MESSAGE_BYTES.integer(env),
        Setting.MAX_POLL_INTERVAL.duration(env),
        Setting.SHUTDOWN_TIMEOUT.duration(env),
        Setting.METRICS_PORT.integer(env),
        Setting.TABIX.string(env),
        Setting.VCF_VALIDATION.string(env).equals("strict"),
        Setting.MIN_FREE_DISK_MB.longValue(env) << 20);
  }

  /** Scratch files of jobs in flight; removed after each job. */
  public Path workDir() {
    return dataDir.resolve("work");
  }
}
