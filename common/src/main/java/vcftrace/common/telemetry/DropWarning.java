package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one WARN, at most once per {@link #DEFAULT_INTERVAL}, saying how many spans were dropped since
 * the last warning and why. A full queue drops spans thousands at a time, so a line per drop (or per
 * batch, as the SDK does) would bury the log it is meant to be read in.
 *
 * <p>It has no thread: {@link #check()} is called after every export, which keeps running while spans
 * are being dropped (a full queue means the export thread is busy). Checks are cheap until {@link
 * #RECHECK_INTERVAL} has passed since the last one.
 */
final class DropWarning {
  /** Shortest time between two warnings: {@value #DEFAULT_INTERVAL_SECONDS} s. */
  static final long DEFAULT_INTERVAL_SECONDS = 30;

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(DEFAULT_INTERVAL_SECONDS);

  /** While nothing is being dropped, the totals are read at most this often. */
  static final Duration RECHECK_INTERVAL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ParallelSpanProcessor.class);

  private final Supplier<Map<SpanDropReason, Long>> totals;
  private final long intervalNanos;
  private final LongSupplier nanoClock;

  /** Guards the fields below: two exports may complete at once, only one may warn. */
  private final Object lock = new Object();

  private final EnumMap<SpanDropReason, Long> reported = new EnumMap<>(SpanDropReason.class);
  private volatile long nextCheckNanos;
  private long lastWarningNanos;
  private boolean warnedBefore;

  DropWarning(Supplier<Map<SpanDropReason, Long>> totals) {
    this(totals, DEFAULT_INTERVAL, System::nanoTime);
  }

  /** For tests: a chosen interval and clock. */
  DropWarning(Supplier<Map<SpanDropReason, Long>> totals, Duration interval, LongSupplier nanoClock) {
    this.totals = requireNonNull(totals, "totals");
    this.intervalNanos = requireNonNull(interval, "interval").toNanos();
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.nextCheckNanos = nanoClock.getAsLong();
    for (SpanDropReason reason : SpanDropReason.values()) {
      reported.put(reason, 0L);
    }
  }

  /** Warns if spans were dropped since the last warning and the interval has passed. */
  void check() {
    long now = nanoClock.getAsLong();
    if (now - nextCheckNanos < 0) {
      return;
    }
    warnIfDropped(now, false);
  }

  /** Warns if spans were dropped since the last warning, interval or not: for shutdown. */
  void checkNow() {
    warnIfDropped(nanoClock.getAsLong(), true);
  }

  private void warnIfDropped(long now, boolean force) {
    synchronized (lock) {
      if (!force && now - nextCheckNanos < 0) {
        return;
      }
      Map<SpanDropReason, Long> current = totals.get();
      EnumMap<SpanDropReason, Long> delta = new EnumMap<>(SpanDropReason.class);
      long dropped = 0;
      for (SpanDropReason reason : SpanDropReason.values()) {
        long d = current.getOrDefault(reason, 0L) - reported.get(reason);
        delta.put(reason, d);
        dropped += d;
      }
      if (dropped <= 0) {
        nextCheckNanos = now + RECHECK_INTERVAL.toNanos();
        return;
      }
      String since =
          warnedBefore
              ? "in the last " + Duration.ofNanos(now - lastWarningNanos).toSeconds() + " s"
              : "since start";
      LOG.warn(
          "Dropped {} spans {} ({} queue full, {} export failed, {} after shutdown): the trace "
              + "backend is unreachable or too slow, or spans end faster than they are exported. "
              + "Totals: metric otel.spans.dropped; at most one such warning per {} s.",
          dropped,
          since,
          delta.get(SpanDropReason.QUEUE_FULL),
          delta.get(SpanDropReason.EXPORT_FAILED),
          delta.get(SpanDropReason.ALREADY_SHUTDOWN),
          Duration.ofNanos(intervalNanos).toSeconds());
      reported.putAll(current);
      warnedBefore = true;
      lastWarningNanos = now;
      nextCheckNanos = now + intervalNanos;
    }
  }
}
