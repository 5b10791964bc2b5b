package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobRequestTest {
  private static final String GOOD =
      "{\"schemaVersion\":1,\"jobId\":\"j1\",\"batchId\":\"b1\",\"input\":\"a.vcf\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}";

  @Test
  void roundTripsThroughJson() throws Exception {
    JobRequest r = new JobRequest(1, "j1", "b1", "/data/a.vcf.gz", "chr1:1-100", 2, 5, Instant.parse("2026-01-02T03:04:05Z"));
    assertEquals(r, JobRequest.parse(r.toJson(), 65536));
  }

  @Test
  void optionalFieldsDefault() throws Exception {
    JobRequest r = JobRequest.parse(GOOD.getBytes(StandardCharsets.UTF_8), 65536);
    assertNull(r.region());
    assertEquals(0, r.shardIndex());
    assertEquals(1, r.shardCount());
  }

  @Test
  void unknownFieldsAreTolerated() throws Exception {
    String json = GOOD.replace("}", ",\"addedLater\":true}");
    assertEquals("j1", JobRequest.parse(json.getBytes(StandardCharsets.UTF_8), 65536).jobId());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not json at all|not JSON",
      "[1,2]|not a JSON object",
      "{\"schemaVersion\":2,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}|unsupported schemaVersion 2 (this worker reads 1)",
      "{\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}|field 'schemaVersion' is missing",
      "{\"schemaVersion\":1,\"jobId\":\"j\",\"batchId\":\"b\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}|field 'input' is missing",
      "{\"schemaVersion\":1,\"jobId\":7,\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}|field 'jobId' must be a string, got number 7",
      "{\"schemaVersion\":\"1\",\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}|field 'schemaVersion' must be an integer, got string \"1\"",
      "{\"schemaVersion\":1,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"yesterday\"}|field 'submittedAt' is not an ISO-8601 instant: yesterday",
      "{\"schemaVersion\":1,\"jobId\":\"j\",\"jobId\":\"k\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"}|not JSON: Duplicate field 'jobId'",
      "{\"schemaVersion\":1,\"jobId\":\"j\",\"batchId\":\"b\",\"input\":\"a\",\"submittedAt\":\"2026-01-02T03:04:05Z\"} {}|not JSON",
  })
  void rejectsWithASpecificMessage(String json, String expected) {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> JobRequest.parse(json.getBytes(StandardCharsets.UTF_8), 65536));
    assertEquals(true, e.getMessage().startsWith(expected), () -> "message was: " + e.getMessage());
  }

  @Test
  void rejectsOversizedAndEmptyRecords() {
    byte[] big = new byte[100];
    assertEquals("record value is 100 bytes, larger than MAX_MESSAGE_BYTES=99",
        assertThrows(BadMessageException.class, () -> JobRequest.parse(big, 99)).getMessage());
    assertEquals("empty record value",
        assertThrows(BadMessageException.class, () -> JobRequest.parse(new byte[0], 99)).getMessage());
  }
}
