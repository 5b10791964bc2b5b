package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.devkit.otlp.OtlpReceiver;
import vcftrace.devkit.otlp.ReceivedSpan;
import vcftrace.worker.store.KuzuGraphReader;
import vcftrace.worker.store.LanceVariantStore;

/**
 * The end-to-end contract, run against whichever Kafka a subclass provides: three VCFs (one
 * multi-sample with multiallelic sites, one single-sample, one malformed) published by the real
 * producer command, processed by two workers with real bcftools, LanceDB and Kuzu, spans received
 * over OTLP gRPC.
 */
abstract class PipelineContract {
  static final List<String> WORKER_STEPS = List.of("tool.bcftools.validate", "tool.bcftools.stats",
      "tool.bcftools.norm", "tool.bcftools.query", "lancedb.write", "kuzu.write");

  @TempDir Path tmp;

  abstract String bootstrapServers();

  void runContract() throws Exception {
    try (TestPipeline pipeline = new TestPipeline(bootstrapServers(), tmp)) {
      Path input = pipeline.input;
      Path data = pipeline.data;
      OtlpReceiver receiver = pipeline.receiver;
      Path trio = input.resolve("trio.vcf.gz");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(3000).samples(3).multiallelicFraction(0.08).seed(7)
          .bgzip(true).build(), trio);
      Path single = input.resolve("single.vcf");
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(1500).samples(1).seed(11).bgzip(false).build(), single);
      Path malformed = VcfGenerator.malformed(input);

      pipeline.startWorker("worker-a");
      pipeline.startWorker("worker-b");
      int exit = pipeline.publish("--wait", "--timeout", "PT5M", input.toString());
      String printed = pipeline.lastOutput;
      assertEquals(1, exit, "one job failed, so publish --wait exits 1:\n" + printed);

      Map<String, JobResult> results = pipeline.results();
      assertEquals(3, results.size(), "one result per job: " + results.keySet());
      Map<String, JobResult> byFile = results.values().stream()
          .collect(Collectors.toMap(r -> Path.of(r.input()).getFileName().toString(), r -> r));
      pipeline.stopWorkers(); // closes the Kuzu shards, so the reader below may open them

      // --- the good jobs: counts equal what bcftools says about the normalised file ---
      long totalRels = 0;
      for (Path file : List.of(trio, single)) {
        JobResult r = byFile.get(file.getFileName().toString());
        assertNotNull(r, "result for " + file);
        assertEquals(JobStatus.SUCCEEDED, r.status(), () -> r.errorType() + " " + r.errorMessage());
        BcftoolsTruth truth = BcftoolsTruth.of(file);
        assertEquals(truth.normalisedRecords(), r.counts().normalisedRecords(), "normalised records " + file);
        assertEquals(truth.normalisedRecords(), r.counts().lanceRows(), "lance rows " + file);
        assertEquals(truth.normalisedRecords(),
            LanceVariantStore.countRows(data.resolve("lancedb"), "job_id = '" + r.jobId() + "'"), "rows in Lance " + file);
        assertEquals(truth.distinctVariants(), r.counts().kuzuVariantNodes(), "variant nodes " + file);
        assertEquals(truth.samples().size(), r.counts().kuzuSampleNodes(), "sample nodes " + file);
        assertEquals(truth.nonRefGenotypes(), r.counts().kuzuRelationships(), "relationships " + file);
        totalRels += truth.nonRefGenotypes();
        assertTrue(r.stepMillis().keySet().containsAll(WORKER_STEPS), "per-step durations: " + r.stepMillis());
        assertTrue(printed.contains(r.jobId() + "  " + r.traceId()), "publish printed job id and trace id");
        assertSpans(receiver, r, file, bootstrapServers());
      }
      JobResult trioResult = byFile.get("trio.vcf.gz");
      assertTrue(trioResult.counts().multiallelicSites() > 0, "trio has multiallelic sites");
      assertTrue(trioResult.counts().normalisedRecords() > trioResult.counts().records(), "norm -m-any split them");
      try (KuzuGraphReader graph = KuzuGraphReader.open(data.resolve("kuzu"))) {
        assertEquals(totalRels, graph.totals().relationships(), "relationships across all shards");
      }

      // --- the query command answers from both stores ---
      String counts = query("--data-dir", data.toString(), "counts");
      assertTrue(counts.contains("lancedb.rows\t" + (trioResult.counts().lanceRows()
          + byFile.get("single.vcf").counts().lanceRows()) + "\n"), counts);
      assertTrue(counts.contains("kuzu.relationships\t" + totalRels + "\n"), counts);
      BcftoolsTruth trioTruth = BcftoolsTruth.of(trio);
      assertEquals(trioTruth.carriers().stream().sorted().toList(),
          query("--data-dir", data.toString(), "carriers", trioTruth.carriedVariant()).lines().sorted().toList());
      String[] v = trioTruth.carriedVariant().split("-");
      String rows = query("--data-dir", data.toString(), "variants", "--region", v[0] + ":" + v[1] + "-" + v[1],
          "--job-id", trioResult.jobId());
      assertTrue(rows.lines().anyMatch(l -> l.startsWith(trioTruth.carriedVariant() + "\t")), rows);
      assertTrue(query("--data-dir", data.toString(), "sample", trioTruth.carriers().get(0), "--limit", "100000")
          .lines().anyMatch(trioTruth.carriedVariant()::equals));

      // --- the malformed job: FAILED with the line, ERROR trace, nothing stored ---
      JobResult bad = byFile.get(malformed.getFileName().toString());
      assertEquals(JobStatus.FAILED, bad.status());
      assertEquals("INVALID_VCF", bad.errorType());
      assertTrue(bad.errorMessage().contains("line " + VcfGenerator.MALFORMED_LINE), bad.errorMessage());
      List<ReceivedSpan> badTrace = receiver.awaitSpans(
          s -> s.stream().anyMatch(x -> x.traceId().equals(bad.traceId()) && x.name().equals("vcf.job")),
          Duration.ofSeconds(30));
      ReceivedSpan badJob = only(receiver.spans(bad.traceId()), "vcf.job");
      assertEquals("ERROR", badJob.statusCode());
      assertEquals("INVALID_VCF", badJob.attribute("error.type"));
      assertTrue(badJob.events().stream().anyMatch(e -> e.name().equals("exception")), "exception recorded");
      ReceivedSpan badValidate = only(receiver.spans(bad.traceId()), "tool.bcftools.validate");
      assertEquals("ERROR", badValidate.statusCode());
      assertEquals("INVALID_VCF", badValidate.attribute("error.type"));
      receiver.awaitSpans("process span of " + bad.traceId(),
          s -> s.stream().anyMatch(x -> x.traceId().equals(bad.traceId()) && x.name().equals("process vcf.jobs")),
          Duration.ofSeconds(30));
      ReceivedSpan badProcess = only(receiver.spans(bad.traceId()), "process vcf.jobs");
      assertEquals("ERROR", badProcess.statusCode());
      assertEquals("INVALID_VCF", badProcess.attribute("error.type"), "a failed process span names its error type");
      assertTrue(receiver.spans(bad.traceId()).stream().noneMatch(s -> s.name().equals("lancedb.write")));
      assertEquals(0, LanceVariantStore.countRows(data.resolve("lancedb"), "job_id = '" + bad.jobId() + "'"));
      assertFalse(badTrace.isEmpty());
      // every span that failed says why, in error.type
      List<String> unexplained = receiver.spans().stream().filter(ReceivedSpan::isError)
          .filter(s -> !(s.attribute("error.type") instanceof String t) || t.isEmpty())
          .map(s -> s.name() + " " + s.spanId()).toList();
      assertEquals(List.of(), unexplained, "ERROR spans without error.type");

      // --- the messages as the producer and the workers wrote them follow their JSON Schemas ---
      List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> jobs = pipeline.readAll("vcf.jobs");
      assertEquals(3, jobs.size());
      for (var rec : jobs) assertEquals(List.of(), MessageSchemas.errors(MessageSchemas.REQUEST, rec.value()), "job");
      List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> written = pipeline.readAll("vcf.results");
      assertEquals(3, written.size());
      for (var rec : written) {
        assertEquals(List.of(), MessageSchemas.errors(MessageSchemas.RESULT, rec.value()),
            () -> "result " + new String(rec.value(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  /** One trace per job, from the producer's root span to every worker step, each with the right parent. */
  private static void assertSpans(OtlpReceiver receiver, JobResult r, Path file, String bootstrapServers) {
    List<ReceivedSpan> trace = receiver.awaitSpans(
        all -> all.stream().filter(s -> s.traceId().equals(r.traceId())).map(ReceivedSpan::name).collect(Collectors.toSet())
            .containsAll(List.of("job.publish", "send vcf.jobs", "process vcf.jobs", "vcf.job", "kuzu.write", "send vcf.results")),
        Duration.ofSeconds(30));
    trace = receiver.spans(r.traceId());
    ReceivedSpan publish = only(trace, "job.publish");
    ReceivedSpan send = only(trace, "send vcf.jobs");
    ReceivedSpan process = only(trace, "process vcf.jobs");
    ReceivedSpan job = only(trace, "vcf.job");
    assertTrue(publish.isRoot(), "job.publish is the root");
    assertEquals("vcf-producer", publish.serviceName());
    assertEquals(r.jobId(), publish.attribute("job.id"));
    assertEquals(r.batchId(), publish.attribute("batch.id"));
    assertEquals(file.toString(), publish.attribute("file.path"));
    assertEquals(file.toFile().length(), ((Number) publish.attribute("file.size")).longValue());
    assertNull(publish.attribute("file.size_bytes"), "the old name is gone");
    assertEquals(publish.spanId(), send.parentSpanId(), "send is a child of job.publish");
    assertEquals("PRODUCER", send.kind());
    assertEquals(send.spanId(), process.parentSpanId(), "process continues the producer's send span");
    assertEquals("CONSUMER", process.kind());
    assertEquals("vcf-worker", process.serviceName());
    assertEquals(1, process.links().size(), () -> "one link, to the send span: " + process.links());
    assertEquals(send.spanId(), process.links().get(0).spanId());
    assertEquals(send.traceId(), process.links().get(0).traceId());
    // the Kafka spans name the broker (messaging conventions): the first bootstrap server
    String broker = bootstrapServers.split(",")[0].trim();
    ReceivedSpan results = only(trace, "send vcf.results");
    for (ReceivedSpan kafka : List.of(send, process, results)) {
      assertEquals(org.apache.kafka.common.utils.Utils.getHost(broker), kafka.attribute("server.address"), kafka.name());
      assertEquals((long) org.apache.kafka.common.utils.Utils.getPort(broker), kafka.attribute("server.port"), kafka.name());
    }
    assertEquals(process.spanId(), job.parentSpanId(), "job span under process");
    assertEquals(r.jobId(), job.attribute("job.id"));
    assertEquals(r.workerId(), job.attribute("worker.id"));
    for (String step : WORKER_STEPS) {
      ReceivedSpan s = only(trace, step);
      assertEquals(job.spanId(), s.parentSpanId(), step + " is a child of vcf.job");
      assertEquals("UNSET", s.statusCode(), step);
    }
    ReceivedSpan validate = only(trace, "tool.bcftools.validate");
    assertEquals("vcf-trace", validate.attribute("tool.name"), "a text VCF is checked record by record in the JVM");
    assertEquals(r.counts().records(), validate.attribute("vcf.records"));
    assertEquals(r.counts().normalisedRecords(), validate.attribute("vcf.expected_rows"),
        "bcftools' rows equal the records read, one per ALT allele");
    assertEquals(file.toString(), validate.attribute("file.path"));
    assertEquals(file.toFile().length(), ((Number) validate.attribute("file.size")).longValue());
    assertNull(validate.attribute("file.size_bytes"));
    ReceivedSpan stats = only(trace, "tool.bcftools.stats");
    assertEquals(r.counts().records(), stats.attribute("vcf.records"));
    assertEquals(r.counts().snps(), stats.attribute("vcf.snps"));
    assertEquals(r.counts().indels(), stats.attribute("vcf.indels"));
    assertEquals(r.counts().multiallelicSites(), stats.attribute("vcf.multiallelic_sites"));
    assertEquals("-any", only(trace, "tool.bcftools.norm").attribute("tool.args.multiallelics"));
    ReceivedSpan lance = only(trace, "lancedb.write");
    assertEquals("lancedb", lance.attribute("db.system.name"));
    assertEquals("replace_job", lance.attribute("db.operation.name"));
    assertEquals("variants", lance.attribute("db.collection.name"));
    assertEquals(r.counts().lanceRows(), lance.attribute("db.rows_written"));
    ReceivedSpan kuzu = only(trace, "kuzu.write");
    assertEquals("kuzu", kuzu.attribute("db.system.name"));
    assertEquals("COPY", kuzu.attribute("db.operation.name"));
    assertNull(kuzu.attribute("db.collection.name"), "one COPY writes three tables: no single collection");
    assertEquals(r.counts().kuzuRelationships(), kuzu.attribute("db.relationships_written"));
    for (ReceivedSpan store : List.of(lance, kuzu)) {
      for (String old : List.of("db.system", "db.operation", "db.table")) {
        assertNull(store.attribute(old), store.name() + " still has " + old);
      }
    }
    assertEquals(job.spanId(), results.parentSpanId(), "result sent inside the job span");
    // bcftools reads the input only after validation has prepared it; the stores are written only
    // once every check and extraction has finished
    List<ReceivedSpan> spans = trace;
    for (String step : List.of("tool.bcftools.stats", "tool.bcftools.norm")) {
      assertTrue(only(spans, step).startEpochNanos() >= validate.endEpochNanos(), step + " starts after validation");
    }
    long firstStageEnd = java.util.stream.Stream.of("tool.bcftools.validate", "tool.bcftools.stats",
        "tool.bcftools.query").mapToLong(n -> only(spans, n).endEpochNanos()).max().orElseThrow();
    assertTrue(lance.startEpochNanos() >= firstStageEnd, "lancedb.write starts after stage 1");
    assertTrue(kuzu.startEpochNanos() >= firstStageEnd, "kuzu.write starts after stage 1");
    assertTrue(only(trace, "tool.bcftools.query").startEpochNanos()
        >= only(trace, "tool.bcftools.norm").endEpochNanos(), "query reads what norm wrote");
  }

  /** Runs {@code vcf-worker query ARGS} and returns what it printed. */
  static String query(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.out;
    try {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      String[] full = new String[args.length + 1];
      full[0] = "query";
      System.arraycopy(args, 0, full, 1, args.length);
      assertEquals(0, new picocli.CommandLine(new vcftrace.worker.WorkerMain()).execute(full), "query exit code");
    } finally {
      System.setOut(old);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  static ReceivedSpan only(List<ReceivedSpan> trace, String name) {
    List<ReceivedSpan> named = trace.stream().filter(s -> s.name().equals(name)).toList();
    assertEquals(1, named.size(), () -> "exactly one " + name + " in " + trace.stream().map(ReceivedSpan::name).toList());
    return named.get(0);
  }


}
