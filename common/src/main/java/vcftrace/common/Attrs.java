package vcftrace.common;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Span attribute keys. OpenTelemetry's standard names where they exist ({@code process.exit.code},
 * {@code error.type}, {@code db.*}); the project's conventions for the rest.
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
  public static final AttributeKey<Long> FILE_SIZE = AttributeKey.longKey("file.size_bytes");
  public static final AttributeKey<String> FILE_TYPE = AttributeKey.stringKey("file.type");

  public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("tool.name");
  public static final AttributeKey<String> TOOL_STATUS = AttributeKey.stringKey("tool.status");
  public static final AttributeKey<Long> PROCESS_EXIT_CODE = AttributeKey.longKey("process.exit.code");

  public static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
  public static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation");
  public static final AttributeKey<String> DB_TABLE = AttributeKey.stringKey("db.table");
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

  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> ERROR_MESSAGE = AttributeKey.stringKey("error.message");

  /** {@code tool.args.<name>}: one attribute per named argument of a tool call. */
  public static AttributeKey<String> toolArg(String name) {
    return AttributeKey.stringKey("tool.args." + name);
  }

  private Attrs() {}
}
