package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas of the job and the result ({@code vcftrace/schema/*.schema.json}) against the code
 * that writes and reads the messages: what the producer and the worker write validates, what the
 * schema calls required is exactly what the worker refuses without, and the README points at them.
 */
class MessageSchemaTest {
  private static final Schema REQUEST = MessageSchemas.schema(MessageSchemas.REQUEST);
  private static final Schema RESULT = MessageSchemas.schema(MessageSchemas.RESULT);

  @Test
  void theSchemasOwnExamplesValidate() {
    for (String resource : List.of(MessageSchemas.REQUEST, MessageSchemas.RESULT)) {
      JsonNode examples = MessageSchemas.node(resource).get("examples");
      assertTrue(examples.size() >= 2, resource);
      Schema schema = MessageSchemas.schema(resource);
      for (JsonNode example : examples) {
        assertEquals(List.of(), MessageSchemas.errors(schema, example), resource + " example " + example);
      }
    }
  }

  @Test
  void jobsAsTheProducerWritesThemValidateAndParse() throws Exception {
    for (JobRequest job : List.of(
        JobRequest.of("5b0c8a5e-3f7e-4a51-9a43-1d0b5b1e2f60", "batch", "/data/trio.vcf.gz", null),
        JobRequest.of("j2", "batch", "trio.vcf.gz", "chr1:1-1000"),
        new JobRequest(1, "j3", "batch", "/data/big.vcf.gz", "chr2:1-500000", 3, 8, Instant.now()))) {
      assertEquals(List.of(), MessageSchemas.errors(REQUEST, tree(job.toJson())), job.toString());
      assertEquals(job, JobRequest.parse(job.toJson(), 65536));
    }
  }

  /**
   * Every field the schema requires is one the worker refuses a job without (BAD_MESSAGE, naming the
   * field), and every other field is one it takes the job without: the schema and the parser agree.
   */
  @Test
  void theRequiredFieldsAreExactlyTheOnesTheWorkerRefusesAJobWithout() throws Exception {
    JsonNode schema = MessageSchemas.node(MessageSchemas.REQUEST);
    Set<String> required = new TreeSet<>();
    schema.get("required").forEach(f -> required.add(f.asText()));
    assertEquals(new TreeSet<>(List.of("schemaVersion", "jobId", "batchId", "input", "submittedAt")), required);

    ObjectNode full = (ObjectNode) tree(
        new JobRequest(1, "j1", "b1", "/data/a.vcf.gz", "chr1:1-100", 0, 2, Instant.now()).toJson());
    List<String> properties = new ArrayList<>();
    schema.get("properties").fieldNames().forEachRemaining(properties::add);
    assertEquals(new TreeSet<>(properties), fieldNames(full), "the schema describes every field a job has");
    for (String field : properties) {
      ObjectNode without = full.deepCopy();
      without.remove(field);
      byte[] bytes = Json.MAPPER.writeValueAsBytes(without);
      List<String> errors = MessageSchemas.errors(REQUEST, without);
      if (required.contains(field)) {
        assertFalse(errors.isEmpty(), "the schema takes a job without " + field);
        assertTrue(errors.toString().contains(field), errors.toString());
        BadMessageException e = assertThrows(BadMessageException.class, () -> JobRequest.parse(bytes, 65536),
            "the worker takes a job without " + field);
        assertEquals("field '" + field + "' is missing", e.getMessage());
      } else {
        assertEquals(List.of(), errors, "a job without " + field);
        JobRequest.parse(bytes, 65536);
      }
    }
  }

  @Test
  void aJobWithoutBatchIdOrSubmittedAtIsRefusedByTheSchema() {
    JsonNode noBatch = tree("{\"schemaVersion\":1,\"jobId\":\"j\",\"input\":\"a.vcf\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}");
    JsonNode noTime = tree("{\"schemaVersion\":1,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a.vcf\"}");
    assertEquals(1, MessageSchemas.errors(REQUEST, noBatch).size(), MessageSchemas.errors(REQUEST, noBatch).toString());
    assertTrue(MessageSchemas.errors(REQUEST, noBatch).get(0).contains("batchId"));
    assertEquals(1, MessageSchemas.errors(REQUEST, noTime).size());
    assertTrue(MessageSchemas.errors(REQUEST, noTime).get(0).contains("submittedAt"));
    // and the other ways a worker refuses a job that the schema can express
    for (String bad : List.of(
        "{\"schemaVersion\":2,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}",
        "{\"schemaVersion\":1,\"jobId\":\"  \",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}",
        "{\"schemaVersion\":1,\"jobId\":7,\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}",
        "{\"schemaVersion\":1,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"yesterday\"}",
        "{\"schemaVersion\":1,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"shardCount\":0,\"submittedAt\":\"2026-01-02T03:04:05Z\"}")) {
      assertFalse(MessageSchemas.errors(REQUEST, tree(bad)).isEmpty(), "the schema takes " + bad);
      assertThrows(BadMessageException.class, () -> JobRequest.parse(bad.getBytes(), 65536), bad);
    }
  }

  @Test
  void resultsAsTheWorkerWritesThemValidate() throws Exception {
    JobResult.Counts counts = new JobResult.Counts(3, 3000, 2550, 360, 90, 3098, 3098, 3, 3098, 5321);
    Map<String, Long> steps = new LinkedHashMap<>();
    steps.put("tool.bcftools.validate", 180L);
    steps.put("lancedb.write", 120L);
    JobResult ok = new JobResult(1, "j1", "b1", JobStatus.SUCCEEDED, "/data/a.vcf.gz", "chr1:1-100", 0, 1, counts,
        steps, 640, "4bf92f3577b34da6a3ce929d0e0e4736", "worker-a", 1, null, null, Instant.now(),
        List.of(new JobResult.Warning(12, "contig 'chr1' has no ##contig line")), 1);
    JobResult failed = new JobResult(1, "j2", "b1", JobStatus.FAILED, "/data/bad.vcf", null, 0, 1,
        JobResult.Counts.NONE, Map.of("tool.bcftools.validate", 3L), 5, "0af7651916cd43dd8448eb211c80319c",
        "worker-a", 1, "INVALID_VCF", "line 42: POS must be an integer", Instant.now(), List.of(), 0);
    // a record that was not a job and had no key: the worker knows nothing of it but the failure
    JobResult badMessage = new JobResult(1, null, null, JobStatus.FAILED, null, null, 0, 1, JobResult.Counts.NONE,
        Map.of(), 1, "0af7651916cd43dd8448eb211c80319c", "worker-a", 1, "BAD_MESSAGE", "not JSON: x", Instant.now(),
        List.of(), 0);
    for (JobResult r : List.of(ok, failed, badMessage)) {
      assertEquals(List.of(), MessageSchemas.errors(RESULT, tree(r.toJson())), r.toString());
      assertEquals(r.jobId(), JobResult.parse(r.toJson()).jobId());
    }

    ObjectNode noType = (ObjectNode) tree(failed.toJson());
    noType.remove("errorType");
    assertFalse(MessageSchemas.errors(RESULT, noType).isEmpty(), "a FAILED result names its errorType");
    ObjectNode okWithError = (ObjectNode) tree(ok.toJson());
    okWithError.put("errorType", "INTERNAL");
    assertFalse(MessageSchemas.errors(RESULT, okWithError).isEmpty(), "a SUCCEEDED result has no errorType");
    ObjectNode noJob = (ObjectNode) tree(failed.toJson());
    noJob.remove("jobId");
    assertFalse(MessageSchemas.errors(RESULT, noJob).isEmpty(), "only a BAD_MESSAGE result may lack its jobId");
  }

  @Test
  void theResultSchemasEnumsAreTheCodes() {
    JsonNode properties = MessageSchemas.node(MessageSchemas.RESULT).get("properties");
    assertEquals(Arrays.stream(ErrorType.values()).map(Enum::name).toList(),
        iterableText(properties.get("errorType").get("enum")), "errorType values");
    assertEquals(Arrays.stream(JobStatus.values()).map(Enum::name).toList(),
        iterableText(properties.get("status").get("enum")), "status values");
    assertEquals(JobResult.MAX_WARNINGS, properties.get("warnings").get("maxItems").asInt());
    List<String> counts = new ArrayList<>();
    properties.get("counts").get("required").forEach(f -> counts.add(f.asText()));
    assertEquals(Arrays.stream(JobResult.Counts.class.getRecordComponents()).map(c -> c.getName()).toList(), counts);
  }

  @Test
  void theReadmeLinksBothSchemas() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String resource : List.of(MessageSchemas.REQUEST, MessageSchemas.RESULT)) {
      String path = "common/src/main/resources" + resource;
      assertTrue(readme.contains("](" + path + ")"), "README links " + path);
      assertTrue(Files.isRegularFile(Path.of("..", path)), path);
    }
  }

  private static JsonNode tree(byte[] json) {
    return tree(new String(json, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static JsonNode tree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static TreeSet<String> fieldNames(JsonNode object) {
    TreeSet<String> out = new TreeSet<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> iterableText(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
