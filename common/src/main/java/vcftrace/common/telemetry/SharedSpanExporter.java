package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An exporter that several span processors hold at once. Every {@link
 * io.opentelemetry.sdk.trace.export.BatchSpanProcessor} shuts its exporter down when it is shut down;
 * here only the last holder's {@code shutdown()} reaches the real exporter.
 *
 * <p>Autoconfiguration builds a batch processor of its own before we can replace it. That processor
 * holds the first share; when {@link SpanPipelineCustomizer} shuts it down, it gives back its share
 * and the real exporter, which the replacement still needs, stays open.
 */
final class SharedSpanExporter implements SpanExporter {
  private final SpanExporter delegate;
  private final AtomicInteger holders = new AtomicInteger(1);

  private SharedSpanExporter(SpanExporter delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  /** Wraps {@code delegate}; the caller holds the first share. */
  static SharedSpanExporter share(SpanExporter delegate) {
    return new SharedSpanExporter(delegate);
  }

  /** Takes one more share; each share is given back by one {@link #shutdown()}. */
  SharedSpanExporter acquire() {
    holders.getAndUpdate(
        h -> {
          if (h <= 0) {
            throw new IllegalStateException("The exporter is already shut down: " + delegate);
          }
          return h + 1;
        });
    return this;
  }

  SpanExporter delegate() {
    return delegate;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return delegate.export(spans);
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    // Calls beyond the last share (a processor shut down twice) find 0 and do nothing.
    int before = holders.getAndUpdate(h -> Math.max(0, h - 1));
    return before == 1 ? delegate.shutdown() : CompletableResultCode.ofSuccess();
  }

  @Override
  public String toString() {
    return "SharedSpanExporter{" + delegate + ", holders=" + holders.get() + '}';
  }
}
