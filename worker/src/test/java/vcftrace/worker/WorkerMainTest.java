package vcftrace.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import vcftrace.common.Telemetry;

class WorkerMainTest {
  @Test
  void shutdownHookWaitsForClosingAndTheSpanExportBound() {
    assertEquals(60, Telemetry.DEFAULT_CLOSE_TIMEOUT_SECONDS);
    assertEquals(Duration.ofSeconds(90), WorkerMain.closeWait(Duration.ofSeconds(30)));
    assertEquals(Duration.ofSeconds(60), WorkerMain.closeWait(Duration.ZERO));
    assertEquals(Duration.ofMillis(60_250), WorkerMain.closeWait(Duration.ofMillis(250)));
    assertThrows(IllegalArgumentException.class, () -> WorkerMain.closeWait(Duration.ofSeconds(-1)));
  }
}
