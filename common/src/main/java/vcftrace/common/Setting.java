package vcftrace.common;

import static vcftrace.common.SettingType.DURATION;
import static vcftrace.common.SettingType.INT;
import static vcftrace.common.SettingType.LONG;
import static vcftrace.common.SettingType.PATH;
import static vcftrace.common.SettingType.STRING;
import static vcftrace.common.SettingValidator.any;
import static vcftrace.common.SettingValidator.atLeast;
import static vcftrace.common.SettingValidator.between;
import static vcftrace.common.SettingValidator.oneOf;
import static vcftrace.common.SettingValidator.positive;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Every setting of the producer and the worker, as data: the environment variable, its {@link
 * SettingType type}, its default, its {@link SettingValidator validator} and what it means, declared
 * once (the way Kafka's {@code ConfigDef} defines a key). The typed accessors ({@link #string}, {@link
 * #integer}, {@link #longValue}, {@link #duration}, {@link #path}) are the one parser: a value that does
 * not parse or validate fails with {@code IllegalArgumentException("NAME: problem (got 'value')")}.
 * The README's settings table is checked against this enum by a test, so the two cannot drift apart.
 *
 * <p>A blank variable counts as unset. A default in {@code <...>} or {@code $...} is derived at run
 * time (from the host, or from another setting) and validated like a given value. A setting whose
 * default is {@code ""} has none: its accessor returns {@code null} when it is unset.
 *
 * <p>OpenTelemetry is configured by the standard {@code OTEL_*} variables, read by the SDK's
 * autoconfiguration; {@link Telemetry} only changes their defaults.
 */
public enum Setting {
  KAFKA_BOOTSTRAP(STRING, "localhost:9092", any(), "Kafka bootstrap servers"),
  KAFKA_CONFIG_FILE(PATH, "", any(),
      "a Java properties file of extra Kafka client properties (SASL/SSL, any client setting); never logged"),
  JOBS_TOPIC(STRING, "vcf.jobs", any(), "topic the producer publishes jobs to"),
  RESULTS_TOPIC(STRING, "vcf.results", any(), "topic of result events, one per finished job"),
  DLQ_TOPIC(STRING, "vcf.jobs.dlq", any(), "dead-letter topic: the original job record plus `dlq.*` headers"),
  TOPIC_PARTITIONS(INT, "6", atLeast(1),
      "partitions of topics created when missing (upper bound on busy workers)"),
  // Kafka's NewTopic takes the replication factor as a short.
  TOPIC_REPLICATION(INT, "1", between(1, Short.MAX_VALUE), "replication factor of topics created when missing"),
  CONSUMER_GROUP(STRING, "vcf-workers", any(), "the workers' consumer group"),
  WORKER_ID(STRING, "<host>-<pid>", env -> hostAndPid(), any(),
      "this worker's identity on spans, results and logs"),
  INPUT_ROOT(PATH, ".", any(), "jobs may only read files under this directory"),
  DATA_DIR(PATH, "vcf-data", any(), "where a worker keeps its stores and scratch files"),
  LANCE_DB(PATH, "$DATA_DIR/lancedb", env -> Setting.DATA_DIR.path(env).resolve("lancedb").toString(), any(),
      "LanceDB database directory (table `variants` = `<dir>/variants.lance`)"),
  KUZU_DIR(PATH, "$DATA_DIR/kuzu", env -> Setting.DATA_DIR.path(env).resolve("kuzu").toString(), any(),
      "directory of the Kuzu graph shards, one file per partition"),
  // Below 16 MiB Kuzu cannot hold even a small job's transaction; the upper bound keeps MiB << 20 a long.
  KUZU_BUFFER_POOL_MB(LONG, "1024", between(16, Long.MAX_VALUE >> 20),
      "Kuzu buffer pool per open shard, in MiB (reserved lazily; at least 290 bytes per relationship in the shard, see below)"),
  BCFTOOLS(STRING, "bcftools", any(), "the bcftools binary"),
  BCFTOOLS_TIMEOUT(DURATION, "PT10M", positive(),
      "longest one bcftools call may run before it is killed (ISO-8601)"),
  TABIX(STRING, "tabix", any(), "the tabix binary (extracts a region job's records by the file's index)"),
  VCF_VALIDATION(STRING, "lenient", oneOf("lenient", "strict"),
      "`lenient`: what the VCF spec only recommends (declared keys and contigs) is accepted with warnings; `strict`: refused too"),
  RETRY_MAX_ATTEMPTS(INT, "4", atLeast(1), "attempts for a transient failure before the job is dead-lettered"),
  RETRY_BACKOFF_INITIAL(DURATION, "PT0.5S", positive(), "first retry delay; doubles each attempt, with full jitter"),
  RETRY_BACKOFF_MAX(DURATION, "PT30S", positive(), "cap on one retry delay"),
  MAX_MESSAGE_BYTES(INT, "65536", atLeast(1), "job records larger than this are rejected as BAD_MESSAGE"),
  MAX_POLL_INTERVAL(DURATION, "PT30M", positive(),
      "longest a job may take before the group considers the worker dead"),
  SHUTDOWN_TIMEOUT(DURATION, "PT60S", positive(), "on SIGTERM: how long the in-flight job may still run"),
  METRICS_PORT(INT, "9464", between(-1, 65535),
      "worker: port of the Prometheus `/metrics` endpoint (0 = any free port, -1 = off)"),
  PRODUCER_METRICS_PORT(INT, "9465", between(-1, 65535),
      "producer: port of its `/metrics` endpoint while it runs (0 = any, -1 = off)"),
  // The upper bound keeps MiB << 20 a long.
  MIN_FREE_DISK_MB(LONG, "1024", between(0, Long.MAX_VALUE >> 20),
      "worker: stops taking jobs while a store directory (work dir, `LANCE_DB`, `KUZU_DIR`) has less than this many MiB free or cannot be written, and resumes by itself");

  private final SettingType type;
  private final String defaultValue;
  private final Function<Map<String, String>, String> derivedDefault;
  private final SettingValidator validator;
  private final String doc;

  /** A setting with a literal default ({@code ""}: none). */
  Setting(SettingType type, String defaultValue, SettingValidator validator, String doc) {
    this(type, defaultValue, env -> defaultValue.isEmpty() ? null : defaultValue, validator, doc);
  }

  /** A setting whose default is derived at run time; {@code documented} says how, for the README. */
  Setting(SettingType type, String documented, Function<Map<String, String>, String> derivedDefault,
      SettingValidator validator, String doc) {
    this.type = type;
    this.defaultValue = documented;
    this.derivedDefault = derivedDefault;
    this.validator = validator;
    this.doc = doc;
  }

  public SettingType type() {
    return type;
  }

  public String doc() {
    return doc;
  }

  /** The default as documented; {@code <...>} and {@code $...} defaults are derived at run time. */
  public String defaultValue() {
    return defaultValue;
  }

  /**
   * The value in {@code env} (or the default) parsed as {@link #type()} and validated; {@code null} for
   * a setting without default that is unset.
   *
   * @throws IllegalArgumentException naming the setting and the raw value, when it is invalid
   */
  public Object value(Map<String, String> env) {
    String given = env.get(name());
    String raw = given == null || given.isBlank() ? derivedDefault.apply(env) : given.trim();
    if (raw == null) return null;
    Object value;
    try {
      value = type.parse(raw);
    } catch (RuntimeException e) {
      throw invalid("not " + type.description(), raw);
    }
    String problem = validator.problem(value);
    if (problem != null) throw invalid(problem, raw);
    return value;
  }

  /** A {@link SettingType#STRING} setting's value. */
  public String string(Map<String, String> env) {
    return (String) typed(env, STRING);
  }

  /** An {@link SettingType#INT} setting's value. */
  public int integer(Map<String, String> env) {
    return (Integer) typed(env, INT);
  }

  /** A {@link SettingType#LONG} setting's value. */
  public long longValue(Map<String, String> env) {
    return (Long) typed(env, LONG);
  }

  /** A {@link SettingType#DURATION} setting's value. */
  public Duration duration(Map<String, String> env) {
    return (Duration) typed(env, DURATION);
  }

  /** A {@link SettingType#PATH} setting's value, as given (not made absolute). */
  public Path path(Map<String, String> env) {
    return (Path) typed(env, PATH);
  }

  private Object typed(Map<String, String> env, SettingType expected) {
    // A wrong accessor is a bug in our code, not a bad value: not an IllegalArgumentException.
    if (type != expected) throw new IllegalStateException(name() + " is " + type + ", not " + expected);
    return value(env);
  }

  private IllegalArgumentException invalid(String problem, String raw) {
    return new IllegalArgumentException(name() + ": " + problem + " (got '" + raw + "')");
  }

  private static String hostAndPid() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
  }
}
