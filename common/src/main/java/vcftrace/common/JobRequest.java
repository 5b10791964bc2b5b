package vcftrace.common;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One job: process one VCF file, or one region of it. The Kafka record key is {@link #jobId()}.
 *
 * <p>Schema version 1. Add fields; never rename or reuse one. A worker rejects versions it does not
 * know rather than guess at their meaning.
 *
 * @param input path of the VCF, absolute or relative to the worker's input root
 * @param region a bcftools region ({@code chr1:1-1000000}) or {@code null} for the whole file
 * @param shardCount number of region jobs the file was split into (1 when not sharded)
 */
public record JobRequest(
    int schemaVersion,
    String jobId,
    String batchId,
    String input,
    String region,
    int shardIndex,
    int shardCount,
    Instant submittedAt) {

  public static final int SCHEMA_VERSION = 1;

  public JobRequest {
    requireNonNull(jobId, "jobId");
    requireNonNull(batchId, "batchId");
    requireNonNull(input, "input");
    requireNonNull(submittedAt, "submittedAt");
  }

  public static JobRequest of(String jobId, String batchId, String input, String region) {
    return new JobRequest(SCHEMA_VERSION, jobId, batchId, input, region, 0, 1, Instant.now());
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a job record, naming exactly what is wrong: the worker puts this message on the FAILED
   * result and the dead letter, so it is written for the person who sent the job.
   */
  public static JobRequest parse(byte[] value, int maxBytes) throws BadMessageException {
    if (value == null || value.length == 0) throw new BadMessageException("empty record value");
    if (value.length > maxBytes) {
      throw new BadMessageException(
          "record value is " + value.length + " bytes, larger than MAX_MESSAGE_BYTES=" + maxBytes);
    }
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(value);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new BadMessageException("not JSON: " + firstLine(why), e);
    }
    if (n == null || !n.isObject()) throw new BadMessageException("not a JSON object");
    int version = intField(n, "schemaVersion", true, 0);
    if (version != SCHEMA_VERSION) {
      throw new BadMessageException(
          "unsupported schemaVersion " + version + " (this worker reads " + SCHEMA_VERSION + ")");
    }
    String jobId = textField(n, "jobId", true);
    if (jobId.isBlank() || jobId.length() > 200) {
      throw new BadMessageException("field 'jobId' must be 1..200 characters");
    }
    String batchId = textField(n, "batchId", true);
    String input = textField(n, "input", true);
    if (input.isBlank()) throw new BadMessageException("field 'input' is blank");
    String region = textField(n, "region", false);
    int shardIndex = intField(n, "shardIndex", false, 0);
    int shardCount = intField(n, "shardCount", false, 1);
    if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount) {
      throw new BadMessageException("shardIndex " + shardIndex + " out of range for shardCount " + shardCount);
    }
    String submitted = textField(n, "submittedAt", true);
    Instant submittedAt;
    try {
      submittedAt = Instant.parse(submitted);
    } catch (DateTimeParseException e) {
      throw new BadMessageException("field 'submittedAt' is not an ISO-8601 instant: " + submitted);
    }
    return new JobRequest(version, jobId, batchId, input, region, shardIndex, shardCount, submittedAt);
  }

  private static String textField(JsonNode n, String name, boolean required) throws BadMessageException {
    JsonNode f = n.get(name);
    if (f == null || f.isNull()) {
      if (required) throw new BadMessageException("field '" + name + "' is missing");
      return null;
    }
    if (!f.isTextual()) {
      throw new BadMessageException("field '" + name + "' must be a string, got " + kind(f));
    }
    return f.textValue();
  }

  private static int intField(JsonNode n, String name, boolean required, int dflt)
      throws BadMessageException {
    JsonNode f = n.get(name);
    if (f == null || f.isNull()) {
      if (required) throw new BadMessageException("field '" + name + "' is missing");
      return dflt;
    }
    if (!f.isInt()) throw new BadMessageException("field '" + name + "' must be an integer, got " + kind(f));
    return f.intValue();
  }

  private static String kind(JsonNode f) {
    return f.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(f.toString());
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
