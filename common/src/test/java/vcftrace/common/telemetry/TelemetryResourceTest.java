package vcftrace.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vcftrace.common.Telemetry;

/**
 * The resource every process exports: one schema URL and no warning about merging several (the SDK
 * logged one on every start of every process), with the host, OS, process and runtime attributes still
 * there and the user's resource settings still in charge.
 */
class TelemetryResourceTest {
  /** Where the SDK logs that it merged resources of different schema URLs (java.util.logging). */
  private final Logger resourceLog = Logger.getLogger(Resource.class.getName());
  private final List<String> logged = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (logged) {
        logged.add(r.getLevel() + " " + r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void listen() {
    resourceLog.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    resourceLog.removeHandler(capture);
  }

  @Test
  void oneSchemaUrlNoWarningAndTheDetectorsAttributesKept() throws Exception {
    OtlpHttpTestReceiver.Request r = exportOneSpan(Map.of());
    assertEquals(List.of(), logged, "the SDK logged about the resource");
    assertTrue(r.resourceSchemaUrl().startsWith("https://opentelemetry.io/schemas/1."),
        "the resource keeps the SDK's schema URL: '" + r.resourceSchemaUrl() + "'");
    Map<String, String> res = r.resource();
    assertEquals("vcf-test", res.get("service.name"));
    assertNotNull(res.get("service.instance.id"));
    for (String key : List.of("host.name", "host.arch", "os.type", "os.description", "process.pid",
        "process.executable.path", "process.runtime.name", "process.runtime.version")) {
      String v = res.get(key);
      assertTrue(v != null && !v.isBlank(), key + " in " + res);
    }
    assertEquals(Long.toString(ProcessHandle.current().pid()), res.get("process.pid"));
  }

  @Test
  void resourceAttributesFromTheEnvironmentWinAndDisabledKeysStayOut() throws Exception {
    Map<String, String> res = exportOneSpan(Map.of(
        "OTEL_RESOURCE_ATTRIBUTES", "host.name=from-env,deployment.environment.name=test",
        "OTEL_RESOURCE_DISABLED_KEYS", "process.command_line,os.description")).resource();
    assertEquals(List.of(), logged);
    assertEquals("from-env", res.get("host.name"));
    assertEquals("test", res.get("deployment.environment.name"));
    assertNull(res.get("process.command_line"));
    assertNull(res.get("os.description"));
    assertNotNull(res.get("os.type"));
  }

  @Test
  void aDisabledProvidersListOfTheUsersDecidesWhichDetectorsRun() throws Exception {
    Map<String, String> res = exportOneSpan(Map.of("OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS",
        "io.opentelemetry.instrumentation.resources.HostResourceProvider,"
            + "io.opentelemetry.instrumentation.resources.OsResourceProvider")).resource();
    assertNull(res.get("host.name"), "host detector disabled by the user: " + res);
    assertNull(res.get("os.type"), "OS detector disabled by the user: " + res);
    assertNotNull(res.get("process.pid"), "the others run (through autoconfiguration): " + res);
  }

  @Test
  void anEnabledProvidersListOfTheUsersIsHonoured() throws Exception {
    Map<String, String> res = exportOneSpan(Map.of("OTEL_JAVA_ENABLED_RESOURCE_PROVIDERS",
        "io.opentelemetry.instrumentation.resources.HostResourceProvider")).resource();
    assertEquals(List.of(), logged);
    assertNotNull(res.get("host.name"), res.toString());
    assertFalse(res.containsKey("os.type"), res.toString());
    assertFalse(res.containsKey("process.pid"), res.toString());
  }

  private static OtlpHttpTestReceiver.Request exportOneSpan(Map<String, String> extra) throws Exception {
    try (OtlpHttpTestReceiver receiver = OtlpHttpTestReceiver.start()) {
      Map<String, String> env = new HashMap<>(extra);
      env.put("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
      env.put("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint());
      Telemetry telemetry = Telemetry.create("vcf-test", env);
      telemetry.tracer().spanBuilder("one").startSpan().end();
      assertTrue(telemetry.close(Duration.ofSeconds(30)), "exported and shut down");
      List<OtlpHttpTestReceiver.Request> requests = receiver.requests();
      assertEquals(1, requests.size(), requests.toString());
      return requests.get(0);
    }
  }
}
