package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between the shards of a {@link ParallelSpanProcessor} and the real exporter. It counts what
 * happened to each batch, from the export's own result: the only place that knows whether spans
 * reached the backend. The SDK's processor metrics count a span as "processed" before its export
 * even starts, so they cannot tell the two apart.
 *
 * <p>It also lets at most {@code maxConcurrentExports} exports be in flight at once. A batch
 * processor waits for its export only up to its timeout, then moves on while the call goes on, so
 * without a bound a stalled backend would collect calls. The OTLP exporters' OkHttp sender runs at
 * most 5 calls at once on at most 5 threads, and a sixth call, promoted while a finishing call
 * still holds its thread, is failed ("executor rejected") rather than queued: measured here at once
 * when exports stalled. A shard that finds no permit waits on its own thread, which costs only
 * queue space: {@code onEnd} never waits.
 *
 * <p>{@link #shutdown()} does not reach the real exporter: every shard's batch processor calls it,
 * and the owning {@link ParallelSpanProcessor} shuts the real exporter down once, after the last
 * shard has flushed.
 */
final class CountingSpanExporter implements SpanExporter {
  private static final Logger LOG = LoggerFactory.getLogger(CountingSpanExporter.class);

  private final SpanExporter delegate;
  private final Runnable afterExport;
  private final Semaphore inFlight;
  private final LongAdder exportedSpans = new LongAdder();
  private final LongAdder failedSpans = new LongAdder();
  private final LongAdder failedExports = new LongAdder();
  private final AtomicBoolean loggedThrow = new AtomicBoolean();

  /**
   * @param maxConcurrentExports exports allowed in flight at once, over all callers
   * @param afterExport runs after every export completes, successful or not, on the thread that
   *     completes it; it must not block
   */
  CountingSpanExporter(SpanExporter delegate, int maxConcurrentExports, Runnable afterExport) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.afterExport = requireNonNull(afterExport, "afterExport");
    if (maxConcurrentExports < 1) {
      throw new IllegalArgumentException("maxConcurrentExports must be >= 1: " + maxConcurrentExports);
    }
    this.inFlight = new Semaphore(maxConcurrentExports);
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    // Read now: the batch processor clears its batch list once export() returns or times out.
    int count = spans.size();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failedExports.increment();
      failedSpans.add(count);
      return CompletableResultCode.ofFailure();
    }
    CompletableResultCode result;
    try {
      result = delegate.export(spans);
    } catch (RuntimeException e) {
      // The SDK would log this at WARNING for every batch; once is enough to find the bug, the
      // failures counter shows how often.
      if (loggedThrow.compareAndSet(false, true)) {
        LOG.warn("The span exporter {} threw; further throws are only counted", delegate, e);
      }
      result = CompletableResultCode.ofFailure();
    }
    CompletableResultCode completed = result;
    return completed.whenComplete(
        () -> {
          inFlight.release();
          if (completed.isSuccess()) {
            exportedSpans.add(count);
          } else {
            failedExports.increment();
            failedSpans.add(count);
          }
          afterExport.run();
        });
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }

  /** Spans in exports that succeeded. */
  long exportedSpans() {
    return exportedSpans.sum();
  }

  /** Spans in exports that failed; they are lost. */
  long failedSpans() {
    return failedSpans.sum();
  }

  /** Export calls that failed (after the exporter's own retries) or threw. */
  long failedExports() {
    return failedExports.sum();
  }

  SpanExporter delegate() {
    return delegate;
  }

  @Override
  public String toString() {
    return "CountingSpanExporter{" + delegate + '}';
  }
}
