package vcftrace.common.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory exporter that records which thread exported which spans, and can hold exports back
 * (until {@link #openGate()}), leave them unanswered like a stalled backend (until {@link
 * #answerAll()}) or fail them: enough to see routing, back-pressure and failure accounting without a
 * network.
 */
final class GateExporter implements SpanExporter {
  /**
   * One export call and the id of the thread that made it (every batch processor names its thread
   * alike, so the name would not tell them apart).
   */
  record Export(long thread, List<SpanData> spans) {}

  private final List<Export> exports = new ArrayList<>();
  private final CountDownLatch gate;
  private final AtomicInteger shutdowns = new AtomicInteger();
  private volatile boolean failing;

  /** Guards the fields below; waiters in {@link #awaitUnanswered} wait on it. */
  private final Object calls = new Object();
  private boolean answering;
  private final List<CompletableResultCode> unanswered = new ArrayList<>();
  private int maxUnanswered;

  private GateExporter(boolean open, boolean answering) {
    this.gate = new CountDownLatch(open ? 0 : 1);
    this.answering = answering;
  }

  static GateExporter open() {
    return new GateExporter(true, true);
  }

  /** Every export waits (on its processor's thread) until {@link #openGate()} is called. */
  static GateExporter closed() {
    return new GateExporter(false, true);
  }

  /**
   * Every export returns at once but stays unanswered until {@link #answerAll()}: the caller's own
   * timeout decides how long it waits.
   */
  static GateExporter stalled() {
    return new GateExporter(true, false);
  }

  /** Answers (successfully) every export so far and, from now on, every export at once. */
  void answerAll() {
    List<CompletableResultCode> pending;
    synchronized (calls) {
      pending = List.copyOf(unanswered);
      unanswered.clear();
      answering = true;
    }
    pending.forEach(CompletableResultCode::succeed);
  }

  /** The most exports that were unanswered at once. */
  int maxUnanswered() {
    synchronized (calls) {
      return maxUnanswered;
    }
  }

  /** Waits until {@code count} exports are unanswered at once; false on timeout. */
  boolean awaitUnanswered(int count, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (calls) {
      while (unanswered.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(calls, left);
      }
      return true;
    }
  }

  void openGate() {
    gate.countDown();
  }

  void failExports(boolean failing) {
    this.failing = failing;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableResultCode.ofFailure();
    }
    if (failing) {
      return CompletableResultCode.ofFailure();
    }
    synchronized (exports) {
      exports.add(new Export(Thread.currentThread().getId(), List.copyOf(spans)));
    }
    synchronized (calls) {
      if (!answering) {
        CompletableResultCode result = new CompletableResultCode();
        unanswered.add(result);
        maxUnanswered = Math.max(maxUnanswered, unanswered.size());
        calls.notifyAll();
        return result;
      }
    }
    return CompletableResultCode.ofSuccess();
  }

  List<Export> exports() {
    synchronized (exports) {
      return List.copyOf(exports);
    }
  }

  List<SpanData> spans() {
    return exports().stream().flatMap(e -> e.spans().stream()).toList();
  }

  int shutdownCalls() {
    return shutdowns.get();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdowns.incrementAndGet();
    return CompletableResultCode.ofSuccess();
  }
}
