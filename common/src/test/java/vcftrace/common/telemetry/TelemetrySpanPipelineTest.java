package vcftrace.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import vcftrace.common.Telemetry;

/**
 * The span pipeline as the worker and producer get it from {@link Telemetry#create}, exporting
 * OTLP/HTTP-protobuf to a real receiver on loopback.
 */
class TelemetrySpanPipelineTest {
  private static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("job.id");
  private static final AttributeKey<Long> BATCH = AttributeKey.longKey("batch.id");

  /** Our export settings, pointed at {@code endpoint} over OTLP/HTTP. */
  private static Map<String, String> httpTo(String endpoint) {
    Map<String, String> env = new HashMap<>();
    env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
    env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint);
    return env;
  }

  /** A short span with a couple of attributes, like a worker step's. */
  private static long endSpan(Tracer tracer, String name, long i) {
    long start = System.nanoTime();
    Span span = tracer.spanBuilder(name).setAttribute(JOB_ID, "job-" + i).setAttribute(BATCH, i)
        .startSpan();
    span.end();
    return System.nanoTime() - start;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void backendDownCostsSpansNotTimeAndExportResumesWhenItReturns() throws Exception {
    int port = closedPort();
    Map<String, String> env = httpTo("http://127.0.0.1:" + port + "/v1/traces");
    env.put("OTEL_BSP_MAX_QUEUE_SIZE", "1024");
    env.put("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "256");
    env.put("OTEL_BSP_SCHEDULE_DELAY", "50");
    env.put("OTEL_BSP_EXPORT_TIMEOUT", "5000");
    // Each refused export (with the exporter's own retries) gives up within a second.
    env.put("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "1000");
    env.put("VCFTRACE_BSP_PARALLELISM", "2");
    try (LogCapture log = LogCapture.of(ParallelSpanProcessor.class)) {
      Telemetry telemetry = Telemetry.create("vcf-test", env);
      ParallelSpanProcessor pipeline = telemetry.spanProcessor().orElseThrow();
      Tracer tracer = telemetry.tracer();

      long started = System.nanoTime();
      long slowest = 0;
      for (int i = 0; i < 20_000; i++) {
        slowest = Math.max(slowest, endSpan(tracer, "while-down", i));
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      // An end() that waited for the exporter would wait up to 1 s per refused export, for 78
      // batches of 256. Both bounds are far below that and far above what 20k spans take (tens of
      // ms), so a busy machine does not fail them.
      assertTrue(elapsedMs < 5_000, "20k spans took " + elapsedMs + " ms with the backend down");
      assertTrue(
          slowest < TimeUnit.SECONDS.toNanos(1),
          "slowest span.end(): " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");

      // The flush returns once every shard has tried (and failed) to export what it held.
      telemetry.flush(30, TimeUnit.SECONDS);
      Map<SpanDropReason, Long> dropped = pipeline.spansDropped();
      assertTrue(dropped.get(SpanDropReason.QUEUE_FULL) > 0, "dropped: " + dropped);
      assertTrue(dropped.get(SpanDropReason.EXPORT_FAILED) > 0, "dropped: " + dropped);
      assertEquals(
          20_000,
          dropped.get(SpanDropReason.QUEUE_FULL) + dropped.get(SpanDropReason.EXPORT_FAILED),
          "with the backend down every span is lost, and counted once: " + dropped);
      assertEquals(0, pipeline.spansExported());
      assertTrue(pipeline.exportFailures() > 0);

      try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start(port)) {
        for (int i = 0; i < 100; i++) {
          endSpan(tracer, "after-recovery", i);
        }
        assertTrue(telemetry.flush(30, TimeUnit.SECONDS));
        receiver.await(
            "100 after-recovery spans",
            r -> r.stream().flatMap(q -> q.spanNames().stream())
                .filter("after-recovery"::equals).count() == 100,
            Duration.ofSeconds(30));
        assertEquals(100, pipeline.spansExported());
        telemetry.close();
      }
      List<String> warnings = log.warnings();
      assertFalse(warnings.isEmpty(), "drops must be logged");
      assertTrue(warnings.get(0).startsWith("Dropped "), warnings.get(0));
      // One when the drops began; at most one more at shutdown: never one per batch.
      assertTrue(warnings.size() <= 2, "rate-limited: " + warnings);
    }
  }

  @Test
  void aSlowBackendNeverSlowsSpanCreationAndCloseDeliversEverySpan() throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      receiver.delayAnswers(Duration.ofSeconds(2));
      Telemetry telemetry = Telemetry.create("vcf-test", httpTo(receiver.endpoint()));
      Tracer tracer = telemetry.tracer();
      long started = System.nanoTime();
      long slowest = 0;
      for (int i = 0; i < 20_000; i++) {
        slowest = Math.max(slowest, endSpan(tracer, "slow-backend", i));
      }
      long elapsed = System.nanoTime() - started;
      // Had any end() waited for an export, it would have waited for a 2 s answer.
      assertTrue(
          elapsed < TimeUnit.SECONDS.toNanos(2),
          "20k spans took " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
      assertTrue(
          slowest < TimeUnit.SECONDS.toNanos(1),
          "slowest span.end(): " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");

      telemetry.close();
      assertEquals(20_000, receiver.spanCount());
      ParallelSpanProcessor pipeline = telemetry.spanProcessor().orElseThrow();
      assertEquals(20_000, pipeline.spansExported());
      assertEquals(0, pipeline.spansDropped().values().stream().mapToLong(Long::longValue).sum());
    }
  }

  @Test
  void closeExportsEveryEndedSpanExactlyOnce() throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Telemetry telemetry = Telemetry.create("vcf-test", httpTo(receiver.endpoint()));
      Tracer tracer = telemetry.tracer();
      for (int i = 0; i < 10_000; i++) {
        endSpan(tracer, "span-" + i, i);
      }
      telemetry.close();
      List<String> names = receiver.spanNames();
      assertEquals(10_000, names.size());
      assertEquals(10_000, Set.copyOf(names).size(), "no span twice");
    }
  }

  @Test
  void everyInstanceHasItsOwnResourceWithHostAndVersion() throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Telemetry first = Telemetry.create("vcf-test", httpTo(receiver.endpoint()));
      Telemetry second = Telemetry.create("vcf-test", httpTo(receiver.endpoint()));
      endSpan(first.tracer(), "from-first", 1);
      endSpan(second.tracer(), "from-second", 2);
      first.close();
      second.close();

      Map<String, Map<String, String>> resourceBySpan =
          receiver.requests().stream()
              .flatMap(r -> r.spanNames().stream().map(n -> Map.entry(n, r.resource())))
              .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      Map<String, String> a = resourceBySpan.get("from-first");
      Map<String, String> b = resourceBySpan.get("from-second");
      for (Map<String, String> resource : List.of(a, b)) {
        assertEquals("vcf-test", resource.get("service.name"));
        assertEquals(Telemetry.version(), resource.get("service.version"));
        String host = resource.get("host.name");
        assertTrue(host != null && !host.isBlank(), "host.name in " + resource);
      }
      assertEquals(first.instanceId(), a.get("service.instance.id"));
      assertEquals(second.instanceId(), b.get("service.instance.id"));
      assertNotEquals(a.get("service.instance.id"), b.get("service.instance.id"));
    }
  }

  @Test
  void batchSettingsFromOverridesAndSystemPropertiesReachEveryShard() throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Map<String, String> env = httpTo(receiver.endpoint());
      env.put("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "7");
      env.put("VCFTRACE_BSP_PARALLELISM", "2");
      Telemetry telemetry = Telemetry.create("vcf-test", env);
      for (int i = 0; i < 100; i++) {
        endSpan(telemetry.tracer(), "override", i);
      }
      telemetry.close();
      assertEquals(2, telemetry.spanProcessor().orElseThrow().parallelism());
      assertBatchesOfAtMost(7, receiver.requests(), 100);
    }

    // A system property beats the overrides map, as an OTEL_* variable would.
    System.setProperty("otel.bsp.max.export.batch.size", "5");
    System.setProperty(ParallelSpanProcessor.PARALLELISM_PROPERTY, "3");
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Map<String, String> env = httpTo(receiver.endpoint());
      env.put("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "7");
      Telemetry telemetry = Telemetry.create("vcf-test", env);
      for (int i = 0; i < 100; i++) {
        endSpan(telemetry.tracer(), "property", i);
      }
      telemetry.close();
      assertEquals(3, telemetry.spanProcessor().orElseThrow().parallelism());
      assertBatchesOfAtMost(5, receiver.requests(), 100);
    } finally {
      System.clearProperty("otel.bsp.max.export.batch.size");
      System.clearProperty(ParallelSpanProcessor.PARALLELISM_PROPERTY);
    }
  }

  private static void assertBatchesOfAtMost(
      int batch, List<OtlpHttpTestReceiver.Request> requests, int total) {
    int largest = requests.stream().mapToInt(r -> r.spanNames().size()).max().orElse(0);
    int sum = requests.stream().mapToInt(r -> r.spanNames().size()).sum();
    assertEquals(total, sum);
    assertEquals(batch, largest, "largest export request");
  }

  @Test
  void theReplacedSdkProcessorStopsAndOurShardsStopOnClose() throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Set<Thread> before = batchThreads();
      Telemetry telemetry = Telemetry.create("vcf-test", httpTo(receiver.endpoint()));
      List<Thread> started =
          batchThreads().stream()
              .filter(t -> !before.contains(t))
              .sorted(Comparator.comparingLong(Thread::getId))
              .toList();
      int parallelism = ParallelSpanProcessor.DEFAULT_PARALLELISM;
      List<Thread> shards = started;
      if (started.size() == parallelism + 1) {
        // Autoconfiguration built its processor (the oldest thread) before ours replaced it; it
        // may already have stopped, or be stopping now.
        started.get(0).join(5_000);
        assertFalse(started.get(0).isAlive(), "the replaced SDK processor's thread must stop");
        shards = started.subList(1, started.size());
      }
      assertEquals(parallelism, shards.size(), "threads: " + started);
      for (Thread shard : shards) {
        assertTrue(shard.isAlive());
      }

      // Its shutdown did not close the shared exporter: spans still arrive.
      endSpan(telemetry.tracer(), "after-swap", 1);
      telemetry.close();
      assertEquals(List.of("after-swap"), receiver.spanNames());
      for (Thread shard : started) {
        shard.join(5_000);
        assertFalse(shard.isAlive(), shard + " still running after close()");
      }
    }
  }

  private static Set<Thread> batchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("BatchSpanProcessor_WorkerThread"))
        .collect(Collectors.toSet());
  }

  @Test
  void prometheusShowsTheSpanPipelineMeters() throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Telemetry telemetry = Telemetry.create("vcf-test", httpTo(receiver.endpoint()));
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      telemetry.bindMetrics(registry);
      for (int i = 0; i < 10; i++) {
        endSpan(telemetry.tracer(), "scraped", i);
      }
      assertTrue(telemetry.flush(10, TimeUnit.SECONDS));
      String scrape = registry.scrape();
      telemetry.close();

      List<String> samples =
          scrape.lines().filter(l -> l.startsWith("otel_")).sorted().toList();
      assertEquals(
          List.of(
              "otel_span_export_failures_total 0.0",
              "otel_span_queue_capacity 65536.0",
              "otel_span_queue_size 0.0",
              "otel_spans_dropped_total{reason=\"already_shutdown\"} 0.0",
              "otel_spans_dropped_total{reason=\"export_failed\"} 0.0",
              "otel_spans_dropped_total{reason=\"queue_full\"} 0.0",
              "otel_spans_exported_total 10.0"),
          samples,
          scrape);
    }
  }
}
