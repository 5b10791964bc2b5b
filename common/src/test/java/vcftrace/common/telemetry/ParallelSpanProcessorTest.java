package vcftrace.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelSpanProcessorTest {

  @Test
  void spansOfOneTraceAreExportedByOneShardAndTracesSpreadOverAll() {
    GateExporter exporter = GateExporter.open();
    ParallelSpanProcessor processor =
        ParallelSpanProcessor.builder(exporter).setParallelism(4).setMaxQueueSize(8192).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(processor).build()) {
      Tracer tracer = provider.get("test");
      for (int t = 0; t < 400; t++) {
        Span root = tracer.spanBuilder("root").startSpan();
        try (Scope ignored = root.makeCurrent()) {
          for (int c = 0; c < 5; c++) {
            tracer.spanBuilder("child").startSpan().end();
          }
        } finally {
          root.end();
        }
      }
      assertTrue(processor.forceFlush().join(10, TimeUnit.SECONDS).isSuccess());

      Map<String, Set<Long>> threadsByTrace = new HashMap<>();
      Set<Long> threads = new HashSet<>();
      for (GateExporter.Export export : exporter.exports()) {
        threads.add(export.thread());
        for (SpanData span : export.spans()) {
          threadsByTrace.computeIfAbsent(span.getTraceId(), k -> new HashSet<>()).add(export.thread());
        }
      }
      assertEquals(400, threadsByTrace.size());
      assertEquals(2400, exporter.spans().size());
      threadsByTrace.forEach(
          (trace, by) -> assertEquals(1, by.size(), "trace " + trace + " exported by " + by));
      assertEquals(4, threads.size(), "export threads: " + threads);
      assertEquals(2400, processor.spansExported());
    }
  }

  @Test
  void everySpanIsExportedOrCountedAsDroppedWhenTheQueueOverflows() {
    GateExporter exporter = GateExporter.closed();
    ParallelSpanProcessor processor =
        ParallelSpanProcessor.builder(exporter)
            .setParallelism(2)
            .setMaxQueueSize(128)
            .setMaxExportBatchSize(16)
            .setScheduleDelay(Duration.ofMillis(10))
            .build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(processor).build()) {
      Tracer tracer = provider.get("test");
      // The gate holds each shard's first export, so the queues fill up and the rest is dropped.
      for (int i = 0; i < 5000; i++) {
        tracer.spanBuilder("s").startSpan().end();
      }
      long droppedWhileBlocked = processor.spansDropped(SpanDropReason.QUEUE_FULL);
      assertTrue(droppedWhileBlocked >= 5000 - 128 - 2 * 16, "dropped " + droppedWhileBlocked);
      long queued = processor.queueSize();
      // Full (2 x 64), less at most one batch per shard if a shard only drained after the loop.
      assertTrue(queued >= 128 - 2 * 16 && queued <= 128, "queued " + queued);
      exporter.openGate();
      assertTrue(processor.forceFlush().join(10, TimeUnit.SECONDS).isSuccess());

      assertEquals(0, processor.queueSize());
      assertEquals(exporter.spans().size(), processor.spansExported());
      assertEquals(
          5000,
          processor.spansExported() + processor.spansDropped(SpanDropReason.QUEUE_FULL),
          "exported + dropped must account for every span");
      assertEquals(0, processor.spansDropped(SpanDropReason.EXPORT_FAILED));
      assertEquals(0, processor.exportFailures());
    }
  }

  @Test
  void aStalledBackendNeverHasMoreThanFiveExportsInFlight() throws InterruptedException {
    GateExporter exporter = GateExporter.stalled();
    ParallelSpanProcessor processor =
        ParallelSpanProcessor.builder(exporter)
            .setParallelism(8)
            .setMaxQueueSize(8000)
            .setMaxExportBatchSize(10)
            .setScheduleDelay(Duration.ofMillis(5))
            // Each shard gives up on an unanswered export after 20 ms and starts the next one.
            .setExporterTimeout(Duration.ofMillis(20))
            .build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(processor).build()) {
      Tracer tracer = provider.get("test");
      for (int i = 0; i < 2000; i++) {
        tracer.spanBuilder("s").startSpan().end();
      }
      assertTrue(exporter.awaitUnanswered(ParallelSpanProcessor.MAX_CONCURRENT_EXPORTS, 10_000));
      // 8 shards, each moving on every 20 ms, would pile up calls within 100 ms if let through.
      assertFalse(
          exporter.awaitUnanswered(ParallelSpanProcessor.MAX_CONCURRENT_EXPORTS + 1, 500),
          "a sixth export got through");
      exporter.answerAll();
      assertTrue(processor.forceFlush().join(10, TimeUnit.SECONDS).isSuccess());
      assertEquals(ParallelSpanProcessor.MAX_CONCURRENT_EXPORTS, exporter.maxUnanswered());
      assertEquals(2000, processor.spansExported(), "late answers still count");
      assertEquals(2000, exporter.spans().size());
    }
  }

  @Test
  void failedExportsCountTheirSpansAsDropped() {
    GateExporter exporter = GateExporter.open();
    exporter.failExports(true);
    ParallelSpanProcessor processor =
        ParallelSpanProcessor.builder(exporter)
            .setParallelism(1)
            .setMaxQueueSize(1000)
            .setMaxExportBatchSize(10)
            .build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(processor).build()) {
      Tracer tracer = provider.get("test");
      for (int i = 0; i < 95; i++) {
        tracer.spanBuilder("s").startSpan().end();
      }
      assertTrue(processor.forceFlush().join(10, TimeUnit.SECONDS).isSuccess());
      assertEquals(10, processor.exportFailures(), "9 full batches and one of 5");
      assertEquals(95, processor.spansDropped(SpanDropReason.EXPORT_FAILED));
      assertEquals(0, processor.spansExported());
    }
  }

  @Test
  void shutdownFlushesShutsTheExporterDownOnceAndCountsLateSpans() {
    GateExporter exporter = GateExporter.open();
    ParallelSpanProcessor processor =
        ParallelSpanProcessor.builder(exporter).setParallelism(3).build();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(processor).build();
    Tracer tracer = provider.get("test");
    for (int i = 0; i < 100; i++) {
      tracer.spanBuilder("s").startSpan().end();
    }
    Span late = tracer.spanBuilder("late").startSpan();

    assertTrue(provider.shutdown().join(10, TimeUnit.SECONDS).isSuccess());
    assertEquals(100, exporter.spans().size());
    assertEquals(1, exporter.shutdownCalls());
    assertTrue(processor.shutdown().isSuccess(), "a second shutdown returns the first result");
    assertEquals(1, exporter.shutdownCalls());

    late.end();
    assertEquals(1, processor.spansDropped(SpanDropReason.ALREADY_SHUTDOWN));
  }

  @Test
  void totalQueueIsSplitOverShardsAndBatchesAreCutToAShardQueue() {
    ParallelSpanProcessor p =
        ParallelSpanProcessor.builder(GateExporter.open())
            .setParallelism(3)
            .setMaxQueueSize(1000)
            .setMaxExportBatchSize(512)
            .build();
    try {
      assertEquals(3, p.parallelism());
      assertEquals(1002, p.queueCapacity(), "ceil(1000 / 3) = 334 per shard");
      assertEquals(334, p.maxExportBatchSize());
    } finally {
      p.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    ParallelSpanProcessor.Builder b = ParallelSpanProcessor.builder(GateExporter.open());
    assertEquals(
        "vcftrace.bsp.parallelism must be 1..16: 0",
        assertThrows(IllegalArgumentException.class, () -> b.setParallelism(0)).getMessage());
    assertEquals(
        "maxQueueSize must be positive: -1",
        assertThrows(IllegalArgumentException.class, () -> b.setMaxQueueSize(-1)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.setScheduleDelay(Duration.ofMillis(-1)));
    assertThrows(NullPointerException.class, () -> ParallelSpanProcessor.builder(null));
  }
}
