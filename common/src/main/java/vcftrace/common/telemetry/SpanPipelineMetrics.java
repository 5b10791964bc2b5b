package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The span pipeline's health on Micrometer, read from a {@link ParallelSpanProcessor} at scrape time
 * (nothing is sampled or cached in between):
 *
 * <table>
 *   <caption>Meters, with the names Prometheus shows</caption>
 *   <tr><th>Meter</th><th>Type</th><th>Prometheus</th><th>Meaning</th></tr>
 *   <tr><td>{@value #QUEUE_SIZE}</td><td>gauge</td><td>{@code otel_span_queue_size}</td>
 *       <td>spans waiting for export, all shards</td></tr>
 *   <tr><td>{@value #QUEUE_CAPACITY}</td><td>gauge</td><td>{@code otel_span_queue_capacity}</td>
 *       <td>spans the queues can hold</td></tr>
 *   <tr><td>{@value #SPANS_EXPORTED}</td><td>counter</td><td>{@code otel_spans_exported_total}</td>
 *       <td>spans the backend accepted</td></tr>
 *   <tr><td>{@value #SPANS_DROPPED}</td><td>counter, tag {@value #REASON_TAG}</td>
 *       <td>{@code otel_spans_dropped_total}</td><td>spans lost, by {@link SpanDropReason}</td></tr>
 *   <tr><td>{@value #EXPORT_FAILURES}</td><td>counter</td>
 *       <td>{@code otel_span_export_failures_total}</td><td>export calls that failed</td></tr>
 * </table>
 *
 * <p>Names are lowercase and dotted; the registry's naming convention renders them. The meters carry
 * no base unit on purpose: Micrometer's Prometheus convention appends the unit to the name ({@code
 * otel_span_queue_size_spans}), and these names are the ones dashboards and alerts use. The unit
 * (spans, or export calls) is in each description instead.
 *
 * <p>The meters hold the processor weakly, as Micrometer function meters do; whoever owns the
 * processor ({@code Telemetry}) keeps it alive.
 */
public final class SpanPipelineMetrics implements MeterBinder {
  /** Gauge: spans waiting for export. */
  public static final String QUEUE_SIZE = "otel.span.queue.size";

  /** Gauge: spans the queues can hold. */
  public static final String QUEUE_CAPACITY = "otel.span.queue.capacity";

  /** Counter: spans the backend accepted. */
  public static final String SPANS_EXPORTED = "otel.spans.exported";

  /** Counter: spans lost, tagged {@value #REASON_TAG}. */
  public static final String SPANS_DROPPED = "otel.spans.dropped";

  /** Counter: export calls that failed after the exporter's retries. */
  public static final String EXPORT_FAILURES = "otel.span.export.failures";

  /** Tag of {@value #SPANS_DROPPED}; values are {@link SpanDropReason#tagValue()}. */
  public static final String REASON_TAG = "reason";

  private final ParallelSpanProcessor processor;

  public SpanPipelineMetrics(ParallelSpanProcessor processor) {
    this.processor = requireNonNull(processor, "processor");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    Gauge.builder(QUEUE_SIZE, processor, ParallelSpanProcessor::queueSize)
        .description("Spans ended and waiting in the span processors' queues for export (spans)")
        .register(registry);
    Gauge.builder(QUEUE_CAPACITY, processor, ParallelSpanProcessor::queueCapacity)
        .description(
            "Spans the span processors' queues can hold; at this size new spans are dropped (spans)")
        .register(registry);
    FunctionCounter.builder(SPANS_EXPORTED, processor, ParallelSpanProcessor::spansExported)
        .description("Spans the trace backend accepted (spans)")
        .register(registry);
    for (SpanDropReason reason : SpanDropReason.values()) {
      FunctionCounter.builder(SPANS_DROPPED, processor, p -> p.spansDropped(reason))
          .tag(REASON_TAG, reason.tagValue())
          .description(
              "Spans that never reached the trace backend: queue_full (spans end faster than they"
                  + " are exported), export_failed (backend down or too slow), already_shutdown"
                  + " (spans)")
          .register(registry);
    }
    FunctionCounter.builder(EXPORT_FAILURES, processor, ParallelSpanProcessor::exportFailures)
        .description("Span export calls that failed after the exporter's own retries (calls)")
        .register(registry);
  }
}
