package vcftrace.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vcftrace.common.Telemetry;

/**
 * {@link Telemetry#close(Duration)} is bounded: against a backend that is down the exporter retries
 * each export for seconds, and a short-lived process (the producer) must not wait for that; against a
 * backend that is up it still delivers every span.
 */
class TelemetryCloseTest {
  static final Duration BOUND = Duration.ofMillis(500);

  @ParameterizedTest
  @ValueSource(strings = {"grpc", "http/protobuf"})
  void closeReturnsWithinItsTimeoutWhenTheBackendIsDown(String protocol) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Map<String, String> env = new HashMap<>();
    env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", protocol);
    env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "http://127.0.0.1:" + port + (protocol.equals("grpc") ? "" : "/v1/traces"));
    Telemetry telemetry = Telemetry.create("vcf-test", env);
    for (int i = 0; i < 100; i++) telemetry.tracer().spanBuilder("s" + i).startSpan().end();
    long t0 = System.nanoTime();
    boolean delivered = telemetry.close(BOUND);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertFalse(delivered, "nothing can be delivered to a closed port");
    assertTrue(millis < BOUND.toMillis() + 1000, "close took " + millis + " ms with a bound of " + BOUND);
    long again = System.nanoTime();
    assertFalse(telemetry.close(Duration.ofSeconds(30)), "a second close tells the first's outcome");
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - again) < 100, "and does not wait again");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 300})
  void closeDeliversEverySpanWhenTheBackendIsUp(int answerDelayMillis) throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      receiver.delayAnswers(Duration.ofMillis(answerDelayMillis));
      Map<String, String> env = new HashMap<>();
      env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
      env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint());
      Telemetry telemetry = Telemetry.create("vcf-test", env);
      // as in a real run, the exporter has exported before (classes loaded, connection open)
      telemetry.tracer().spanBuilder("first").startSpan().end();
      assertTrue(telemetry.flush(30, TimeUnit.SECONDS));
      for (int i = 0; i < 5_000; i++) telemetry.tracer().spanBuilder("s" + i).startSpan().end();
      assertTrue(telemetry.close(Duration.ofSeconds(1)), "every span exported within the bound");
      assertEquals(5_001, receiver.spanNames().size());
    }
  }
}
