package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OTLP exporter rebuilt (same settings, through {@code toBuilder()}) to send on an executor of our
 * own, which it shuts down with itself.
 *
 * <p>Why: both OTLP senders run calls on a pool of at most 5 threads that hands work over through a
 * {@code SynchronousQueue}, so a call submitted while the 5 threads are busy, or only just finishing
 * their previous call, is failed ("executor rejected") instead of waiting. With several exports in
 * flight that happens: the bench saw it with 4 and 5 batch processors, each time losing a whole batch.
 * Our pool grows as needed; how many calls run at once is bounded by {@link
 * ParallelSpanProcessor#MAX_CONCURRENT_EXPORTS} and by OkHttp's 5 calls per host, not by rejection.
 */
final class OwnExecutorSpanExporter implements SpanExporter {
  private final SpanExporter delegate;
  private final ExecutorService executor;

  private OwnExecutorSpanExporter(SpanExporter delegate, ExecutorService executor) {
    this.delegate = delegate;
    this.executor = executor;
  }

  /**
   * {@code exporter} rebuilt on its own executor if it is an OTLP span exporter (the original, which
   * has sent nothing yet, is shut down); any other exporter is returned as it is.
   */
  static SpanExporter rebuild(SpanExporter exporter) {
    requireNonNull(exporter, "exporter");
    if (!(exporter instanceof OtlpGrpcSpanExporter) && !(exporter instanceof OtlpHttpSpanExporter)) {
      return exporter;
    }
    ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
    SpanExporter rebuilt =
        exporter instanceof OtlpGrpcSpanExporter grpc
            ? grpc.toBuilder().setExecutorService(executor).build()
            : ((OtlpHttpSpanExporter) exporter).toBuilder().setExecutorService(executor).build();
    exporter.shutdown();
    return new OwnExecutorSpanExporter(rebuilt, executor);
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
    // The exporter does not stop an executor it was given; calls it cancels end on their own.
    return delegate.shutdown().whenComplete(executor::shutdown);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "otlp-span-export-" + n.incrementAndGet());
      t.setDaemon(true); // like the SDK's own sender threads: never what keeps a JVM alive
      return t;
    };
  }
}
