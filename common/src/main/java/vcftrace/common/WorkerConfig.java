package vcftrace.common;

import static java.util.Objects.requireNonNull;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Worker settings, read from the environment. Each field names its variable in {@link Setting}, where
 * the default and the meaning are documented; the README's table lists the same.
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
    requireNonNull(tabix, "tabix");
    positive(bcftoolsTimeout, "BCFTOOLS_TIMEOUT");
    positive(retryBackoffInitial, "RETRY_BACKOFF_INITIAL");
    positive(retryBackoffMax, "RETRY_BACKOFF_MAX");
    positive(maxPollInterval, "MAX_POLL_INTERVAL");
    positive(shutdownTimeout, "SHUTDOWN_TIMEOUT");
    if (retryMaxAttempts < 1) throw new IllegalArgumentException("RETRY_MAX_ATTEMPTS must be >= 1");
    if (maxMessageBytes < 1) throw new IllegalArgumentException("MAX_MESSAGE_BYTES must be >= 1");
    if (kuzuBufferPoolBytes < (16L << 20)) {
      throw new IllegalArgumentException("KUZU_BUFFER_POOL_MB must be >= 16");
    }
    if (minFreeDiskBytes < 0) throw new IllegalArgumentException("MIN_FREE_DISK_MB must be >= 0");
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0: " + d);
  }

  public static WorkerConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  public static WorkerConfig fromEnv(Map<String, String> env) {
    Path dataDir = Path.of(Setting.DATA_DIR.fromOrDefault(env)).toAbsolutePath();
    String lance = Setting.LANCE_DB.from(env);
    String kuzu = Setting.KUZU_DIR.from(env);
    String workerId = Setting.WORKER_ID.from(env);
    return new WorkerConfig(
        KafkaSettings.clientProperties(env),
        Topics.fromEnv(env),
        Setting.CONSUMER_GROUP.fromOrDefault(env),
        workerId != null ? workerId : defaultWorkerId(),
        Path.of(Setting.INPUT_ROOT.fromOrDefault(env)).toAbsolutePath().normalize(),
        dataDir,
        lance != null ? Path.of(lance).toAbsolutePath() : dataDir.resolve("lancedb"),
        kuzu != null ? Path.of(kuzu).toAbsolutePath() : dataDir.resolve("kuzu"),
        Long.parseLong(Setting.KUZU_BUFFER_POOL_MB.fromOrDefault(env)) << 20,
        Setting.BCFTOOLS.fromOrDefault(env),
        duration(env, Setting.BCFTOOLS_TIMEOUT),
        integer(env, Setting.RETRY_MAX_ATTEMPTS),
        duration(env, Setting.RETRY_BACKOFF_INITIAL),
        duration(env, Setting.RETRY_BACKOFF_MAX),
        integer(env, Setting.MAX_MESSAGE_BYTES),
        duration(env, Setting.MAX_POLL_INTERVAL),
        duration(env, Setting.SHUTDOWN_TIMEOUT),
        integer(env, Setting.METRICS_PORT),
        Setting.TABIX.fromOrDefault(env),
        validation(env),
        (long) integer(env, Setting.MIN_FREE_DISK_MB) << 20);
  }

  private static boolean validation(Map<String, String> env) {
    String v = Setting.VCF_VALIDATION.fromOrDefault(env);
    return switch (v) {
      case "strict" -> true;
      case "lenient" -> false;
      default -> throw new IllegalArgumentException("VCF_VALIDATION must be lenient or strict: " + v);
    };
  }

  static Duration duration(Map<String, String> env, Setting s) {
    String v = s.fromOrDefault(env);
    try {
      return Duration.parse(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(s.name() + " is not an ISO-8601 duration (e.g. PT30S): " + v);
    }
  }

  static int integer(Map<String, String> env, Setting s) {
    String v = s.fromOrDefault(env);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(s.name() + " is not an integer: " + v);
    }
  }

  static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
  }

  /** Scratch files of jobs in flight; removed after each job. */
  public Path workDir() {
    return dataDir.resolve("work");
  }
}
