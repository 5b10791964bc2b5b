package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.DlqHeaders;
import vcftrace.common.JobRequest;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.gen.Malformation;
import vcftrace.devkit.gen.VcfGenerator;

/**
 * A corpus of bad inputs, interleaved with good jobs, through one real worker: each bad one ends as a
 * FAILED result with its specific error and a dead letter holding the original record byte for byte;
 * the good ones around them succeed, so nothing blocked a partition or stopped the worker.
 */
class BadInputCorpusTest {
  @TempDir Path tmp;

  record Case(String key, byte[] value, String errorType, String messageFragment) {}

  @Test
  void everyBadInputGetsItsOwnErrorAndGoodJobsAroundItSucceed() throws Exception {
    try (KafkaTestKit kafka = new KafkaTestKit(); TestPipeline p = new TestPipeline(kafka.bootstrapServers(), tmp)) {
      Path in = p.input;
      Map<String, Case> bad = new LinkedHashMap<>();
      add(bad, "not-json", "this is not json".getBytes(StandardCharsets.UTF_8), "BAD_MESSAGE", "not JSON");
      byte[] garbage = new byte[512];
      new Random(1).nextBytes(garbage);
      add(bad, "binary-garbage", garbage, "BAD_MESSAGE", "not JSON");
      add(bad, "json-array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), "BAD_MESSAGE", "not a JSON object");
      add(bad, "unknown-schema", json("{\"schemaVersion\":99,\"jobId\":\"unknown-schema\",\"batchId\":\"b\",\"input\":\"x.vcf\",\"submittedAt\":\"2026-01-01T00:00:00Z\"}"),
          "BAD_MESSAGE", "unsupported schemaVersion 99");
      add(bad, "missing-input", json("{\"schemaVersion\":1,\"jobId\":\"missing-input\",\"batchId\":\"b\",\"submittedAt\":\"2026-01-01T00:00:00Z\"}"),
          "BAD_MESSAGE", "field 'input' is missing");
      add(bad, "wrong-type", json("{\"schemaVersion\":1,\"jobId\":\"wrong-type\",\"batchId\":\"b\",\"input\":42,\"submittedAt\":\"2026-01-01T00:00:00Z\"}"),
          "BAD_MESSAGE", "field 'input' must be a string");
      add(bad, "oversized", json("{\"schemaVersion\":1,\"jobId\":\"oversized\",\"batchId\":\"b\",\"input\":\"" + "a".repeat(70_000) + "\",\"submittedAt\":\"2026-01-01T00:00:00Z\"}"),
          "BAD_MESSAGE", "larger than MAX_MESSAGE_BYTES=65536");
      add(bad, "empty-value", new byte[0], "BAD_MESSAGE", "empty record value");

      addFile(bad, "empty-file", Files.writeString(in.resolve("empty.vcf"), ""), "INVALID_VCF", "the file is empty");
      addFile(bad, "not-a-vcf", Files.writeString(in.resolve("notes.vcf"), "Dear reader,\nthis is a letter.\n"),
          "INVALID_VCF", "line 1: the first line must be ##fileformat=VCFv4.x (found 'Dear reader,')");
      Path binary = Files.write(in.resolve("binary.vcf"), garbage);
      addFile(bad, "binary-file", binary, "INVALID_VCF", "line 1: the first line must be ##fileformat=VCFv4.x");
      Path whole = in.resolve("whole.vcf.gz");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(20_000).samples(2).seed(5).bgzip(true).build(), whole);
      byte[] gz = Files.readAllBytes(whole);
      addFile(bad, "truncated-gz", Files.write(in.resolve("truncated.vcf.gz"), Arrays.copyOf(gz, gz.length / 2)),
          "INVALID_VCF", "truncated");
      for (Malformation m : Malformation.values()) {
        addFile(bad, "malformed-" + m.name(), VcfGenerator.malformed(Files.createDirectories(in.resolve(m.name())), m),
            "INVALID_VCF", "line " + m.line() + ":");
      }
      addFile(bad, "missing-file", in.resolve("nowhere.vcf"), "INPUT_NOT_FOUND", "input file not found");
      addFile(bad, "directory", Files.createDirectories(in.resolve("adir.vcf")), "INPUT_NOT_FOUND", "not a readable regular file");
      Path outside = Files.writeString(tmp.resolve("outside.vcf"), "##fileformat=VCFv4.2\n");
      addFile(bad, "dot-dot", in.resolve("../outside.vcf"), "INPUT_FORBIDDEN", "lies outside INPUT_ROOT");
      addFile(bad, "absolute-elsewhere", outside, "INPUT_FORBIDDEN", "lies outside INPUT_ROOT");
      addFile(bad, "symlink-escape", Files.createSymbolicLink(in.resolve("escape.vcf"), outside),
          "INPUT_FORBIDDEN", "is a link that leaves INPUT_ROOT");
      addFile(bad, "fake-bcf", Files.writeString(in.resolve("fake.bcf"), "not a bcf"), "BCFTOOLS_FAILED", "bcftools view exited");
      assertTrue(bad.size() >= 15, "corpus size " + bad.size());

      List<String> good = List.of("good-0", "good-1", "good-2", "good-3");
      for (int i = 0; i < good.size(); i++) {
        VcfGenerator.write(VcfGenerator.Spec.builder().variants(500).samples(2).seed(100 + i).bgzip(false).build(),
            in.resolve(good.get(i) + ".vcf"));
      }

      p.startWorker("worker-corpus");
      // good jobs first, in the middle and last: the last one succeeding shows nothing got stuck
      int g = 0;
      sendGood(p, good.get(g++));
      int n = 0;
      for (Case c : bad.values()) {
        p.send("vcf.jobs", c.key().getBytes(StandardCharsets.UTF_8), c.value());
        if (++n == bad.size() / 2) sendGood(p, good.get(g++));
      }
      sendGood(p, good.get(g++));
      sendGood(p, good.get(g));

      Map<String, JobResult> results = p.awaitResults(bad.size() + good.size(), Duration.ofMinutes(5));
      for (String id : good) {
        JobResult r = results.get(id);
        assertEquals(JobStatus.SUCCEEDED, r.status(), () -> id + ": " + r.errorMessage());
        assertTrue(r.counts().lanceRows() > 0);
      }
      Map<String, ConsumerRecord<byte[], byte[]>> dlq = new LinkedHashMap<>();
      for (ConsumerRecord<byte[], byte[]> rec : p.readAll("vcf.jobs.dlq")) {
        dlq.put(new String(rec.key(), StandardCharsets.UTF_8), rec);
      }
      assertEquals(bad.size(), dlq.size(), "one dead letter per bad input, none for good ones");
      for (Case c : bad.values()) {
        JobResult r = results.get(c.key());
        assertNotNull(r, "result for " + c.key());
        assertEquals(JobStatus.FAILED, r.status(), c.key());
        assertEquals(c.errorType(), r.errorType(), () -> c.key() + ": " + r.errorMessage());
        assertTrue(r.errorMessage().contains(c.messageFragment()),
            () -> c.key() + ": expected '" + c.messageFragment() + "' in: " + r.errorMessage());
        assertEquals(1, r.attempts(), c.key() + " is permanent: no retries");
        ConsumerRecord<byte[], byte[]> letter = dlq.get(c.key());
        assertNotNull(letter, "dead letter for " + c.key());
        assertArrayEquals(c.value(), letter.value() == null ? new byte[0] : letter.value(), c.key() + " payload untouched");
        assertEquals(c.errorType(), header(letter, DlqHeaders.ERROR_TYPE));
        assertEquals(r.errorMessage(), header(letter, DlqHeaders.ERROR_MESSAGE));
        assertEquals("vcf.jobs", header(letter, DlqHeaders.ORIGINAL_TOPIC));
        assertNotNull(header(letter, DlqHeaders.ORIGINAL_PARTITION));
        assertNotNull(header(letter, DlqHeaders.ORIGINAL_OFFSET));
        assertEquals("1", header(letter, DlqHeaders.ATTEMPTS));
        assertEquals(r.traceId(), header(letter, DlqHeaders.TRACE_ID));
        assertTrue(header(letter, "traceparent").contains(r.traceId()), "the dead letter carries the job's trace");
      }
    }
  }

  private static void sendGood(TestPipeline p, String id) throws Exception {
    JobRequest job = JobRequest.of(id, "corpus", p.input.resolve(id + ".vcf").toString(), null);
    p.send("vcf.jobs", id.getBytes(StandardCharsets.UTF_8), job.toJson());
  }

  private static void add(Map<String, Case> m, String key, byte[] value, String type, String fragment) {
    m.put(key, new Case(key, value, type, fragment));
  }

  private static void addFile(Map<String, Case> m, String key, Path file, String type, String fragment) {
    add(m, key, JobRequest.of(key, "corpus", file.toString(), null).toJson(), type, fragment);
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> rec, String key) {
    var h = rec.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

}
