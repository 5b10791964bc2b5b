package vcftrace.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DropWarningTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final Map<SpanDropReason, Long> totals = new EnumMap<>(SpanDropReason.class);
  private final DropWarning warning =
      new DropWarning(() -> Map.copyOf(totals), Duration.ofSeconds(30), clock::get);

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  @Test
  void warnsAtMostOncePerIntervalWithTheCountSinceTheLastWarning() {
    try (LogCapture log = LogCapture.of(ParallelSpanProcessor.class)) {
      warning.check();
      assertEquals(List.of(), log.warnings(), "nothing dropped, nothing said");

      totals.put(SpanDropReason.QUEUE_FULL, 1200L);
      advance(Duration.ofSeconds(1));
      warning.check();
      assertEquals(1, log.warnings().size());
      assertEquals(
          "Dropped 1200 spans since start (1200 queue full, 0 export failed, 0 after shutdown): the"
              + " trace backend is unreachable or too slow, or spans end faster than they are"
              + " exported. Totals: metric otel.spans.dropped; at most one such warning per 30 s.",
          log.warnings().get(0));

      totals.put(SpanDropReason.QUEUE_FULL, 5000L);
      totals.put(SpanDropReason.EXPORT_FAILED, 2048L);
      for (int i = 0; i < 29; i++) {
        advance(Duration.ofSeconds(1));
        warning.check();
      }
      assertEquals(1, log.warnings().size(), "29 s later: still within the interval");

      advance(Duration.ofSeconds(1));
      warning.check();
      assertEquals(2, log.warnings().size());
      assertEquals(
          "Dropped 5848 spans in the last 30 s (3800 queue full, 2048 export failed, 0 after"
              + " shutdown)",
          log.warnings().get(1).substring(0, log.warnings().get(1).indexOf(':')));
    }
  }

  @Test
  void checkNowReportsUnmentionedDropsRegardlessOfTheInterval() {
    try (LogCapture log = LogCapture.of(ParallelSpanProcessor.class)) {
      totals.put(SpanDropReason.EXPORT_FAILED, 10L);
      warning.check();
      totals.put(SpanDropReason.EXPORT_FAILED, 15L);
      warning.check();
      assertEquals(1, log.warnings().size());
      warning.checkNow();
      assertEquals(2, log.warnings().size());
      assertEquals(
          "Dropped 5 spans in the last 0 s (0 queue full, 5 export failed, 0 after shutdown)",
          log.warnings().get(1).substring(0, log.warnings().get(1).indexOf(':')));
      warning.checkNow();
      assertEquals(2, log.warnings().size(), "nothing new to report");
    }
  }
}
