package vcftrace.common;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Span attribute keys. OpenTelemetry's semantic-convention names where they exist, as of the stable
 * conventions ({@code error.type}, {@code server.address}, {@code db.system.name},
 * {@code db.operation.name}, {@code db.collection.name}, {@code file.size}, {@code process.exit.code});
 * the project's own names for the rest. No dashboard reads span attributes (they read Prometheus
 * metrics), so the names used before the conventions were stable ({@code db.system},
 * {@code db.operation}, {@code db.table}, {@code file.size_bytes}) are no longer written.
 */
public final class Attrs {
  public static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("job.id");
  public static final AttributeKey<String> BATCH_ID = AttributeKey.stringKey("batch.id");
  public static final AttributeKey<String> JOB_REGION = AttributeKey.stringKey("job.region");
  public static final AttributeKey<Long> JOB_ATTEMPT = AttributeKey.longKey("job.attempt");
  public static final AttributeKey<String> JOB_STATUS = AttributeKey.stringKey("job.status");
  public static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("worker.id");
  /** On a step span: the step was stopped because an earlier step of its stage failed. */
  public static final AttributeKey<Boolean> STEP_CANCELLED = AttributeKey.booleanKey("step.cancelled");

  public static final AttributeKey<String> FILE_PATH = AttributeKey.stringKey("file.path");
  /** Size of the file in bytes. */
  public static final AttributeKey<Long> FILE_SIZE = AttributeKey.longKey("file.size");
  public static final AttributeKey<String> FILE_TYPE = AttributeKey.stringKey("file.type");

  public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("tool.name");
  public static final AttributeKey<String> TOOL_STATUS = AttributeKey.stringKey("tool.status");
  public static final AttributeKey<Long> PROCESS_EXIT_CODE = AttributeKey.longKey("process.exit.code");

  /** The store: {@code lancedb} or {@code kuzu}. */
  public static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
  public static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
  /** The one table an operation writes; not set when it writes several (the conventions' rule). */
  public static final AttributeKey<String> DB_COLLECTION_NAME = AttributeKey.stringKey("db.collection.name");
  public static final AttributeKey<Long> DB_ROWS_WRITTEN = AttributeKey.longKey("db.rows_written");
  public static final AttributeKey<Long> DB_NODES_WRITTEN = AttributeKey.longKey("db.nodes_written");
  public static final AttributeKey<Long> DB_RELATIONSHIPS_WRITTEN =
      AttributeKey.longKey("db.relationships_written");

  public static final AttributeKey<Long> VCF_RECORDS = AttributeKey.longKey("vcf.records");
  public static final AttributeKey<Long> VCF_SNPS = AttributeKey.longKey("vcf.snps");
  public static final AttributeKey<Long> VCF_INDELS = AttributeKey.longKey("vcf.indels");
  public static final AttributeKey<Long> VCF_MULTIALLELIC = AttributeKey.longKey("vcf.multiallelic_sites");
  public static final AttributeKey<Long> VCF_SAMPLES = AttributeKey.longKey("vcf.samples");
  public static final AttributeKey<Long> VCF_NORMALISED = AttributeKey.longKey("vcf.normalised_records");

  /**
   * On every span whose status is ERROR: an {@link ErrorType} name, {@link #CANCELLED}, or (for a
   * failure outside a job's steps) the class name of the exception.
   */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  /** The {@code error.type} of a step stopped because another step of its stage failed. */
  public static final String CANCELLED = "CANCELLED";
  public static final AttributeKey<String> ERROR_MESSAGE = AttributeKey.stringKey("error.message");

  /** The broker a Kafka client was pointed at (its first bootstrap server), on Kafka spans. */
  public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

  /** {@code tool.args.<name>}: one attribute per named argument of a tool call. */
  public static AttributeKey<String> toolArg(String name) {
    return AttributeKey.stringKey("tool.args." + name);
  }

  private Attrs() {}
}
