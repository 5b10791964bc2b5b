package vcftrace.common;

import java.util.Map;

/**
 * Every setting of the producer and the worker, as data: the environment variable, what it means and
 * its default, in one place (the way Kafka's {@code ConfigDef} keeps name, doc and default together).
 * The README's settings table is checked against this enum by a test, so the two cannot drift apart.
 *
 * <p>OpenTelemetry is configured by the standard {@code OTEL_*} variables, read by the SDK's
 * autoconfiguration; {@link Telemetry} only changes their defaults.
 */
public enum Setting {
  KAFKA_BOOTSTRAP("Kafka bootstrap servers", "localhost:9092"),
  KAFKA_CONFIG_FILE(
      "a Java properties file of extra Kafka client properties (SASL/SSL, any client setting); never logged",
      ""),
  JOBS_TOPIC("topic the producer publishes jobs to", "vcf.jobs"),
  RESULTS_TOPIC("topic of result events, one per finished job", "vcf.results"),
  DLQ_TOPIC("dead-letter topic: the original job record plus `dlq.*` headers", "vcf.jobs.dlq"),
  TOPIC_PARTITIONS("partitions of topics created when missing (upper bound on busy workers)", "6"),
  TOPIC_REPLICATION("replication factor of topics created when missing", "1"),
  CONSUMER_GROUP("the workers' consumer group", "vcf-workers"),
  WORKER_ID("this worker's identity on spans, results and logs", "<host>-<pid>"),
  INPUT_ROOT("jobs may only read files under this directory", "."),
  DATA_DIR("where a worker keeps its stores and scratch files", "vcf-data"),
  LANCE_DB("LanceDB database directory (table `variants` = `<dir>/variants.lance`)", "$DATA_DIR/lancedb"),
  KUZU_DIR("directory of the Kuzu graph shards, one file per partition", "$DATA_DIR/kuzu"),
  KUZU_BUFFER_POOL_MB("Kuzu buffer pool per open shard, in MiB (reserved lazily; at least 290 bytes per relationship in the shard, see below)", "1024"),
  BCFTOOLS("the bcftools binary", "bcftools"),
  BCFTOOLS_TIMEOUT("longest one bcftools call may run before it is killed (ISO-8601)", "PT10M"),
  TABIX("the tabix binary (extracts a region job's records by the file's index)", "tabix"),
  VCF_VALIDATION("`lenient`: what the VCF spec only recommends (declared keys and contigs) is accepted with warnings; `strict`: refused too", "lenient"),
  RETRY_MAX_ATTEMPTS("attempts for a transient failure before the job is dead-lettered", "4"),
  RETRY_BACKOFF_INITIAL("first retry delay; doubles each attempt, with full jitter", "PT0.5S"),
  RETRY_BACKOFF_MAX("cap on one retry delay", "PT30S"),
  MAX_MESSAGE_BYTES("job records larger than this are rejected as BAD_MESSAGE", "65536"),
  MAX_POLL_INTERVAL("longest a job may take before the group considers the worker dead", "PT30M"),
  SHUTDOWN_TIMEOUT("on SIGTERM: how long the in-flight job may still run", "PT60S"),
  METRICS_PORT("worker: port of the Prometheus `/metrics` endpoint (0 = any free port, -1 = off)", "9464"),
  PRODUCER_METRICS_PORT("producer: port of its `/metrics` endpoint while it runs (0 = any, -1 = off)", "9465"),
  MIN_FREE_DISK_MB("worker: stops taking jobs while a store directory (work dir, `LANCE_DB`, `KUZU_DIR`) has less than this many MiB free or cannot be written, and resumes by itself", "1024");

  private final String doc;
  private final String defaultValue;

  Setting(String doc, String defaultValue) {
    this.doc = doc;
    this.defaultValue = defaultValue;
  }

  public String doc() {
    return doc;
  }

  /** The default as documented; {@code <...>} and {@code $...} defaults are derived at run time. */
  public String defaultValue() {
    return defaultValue;
  }

  /** The value in {@code env}, or {@code null} when unset or blank. */
  public String from(Map<String, String> env) {
    String v = env.get(name());
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** The value in {@code env}, or the literal default. */
  public String fromOrDefault(Map<String, String> env) {
    String v = from(env);
    return v != null ? v : defaultValue;
  }
}
