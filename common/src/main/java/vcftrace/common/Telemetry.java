package vcftrace.common;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK of one process, configured by the standard {@code OTEL_*} environment through
 * the SDK's autoconfiguration. This class only changes defaults ({@link #defaults}); any {@code OTEL_*}
 * variable or {@code otel.*} system property still wins.
 *
 * <p>Closing it flushes every ended span to the exporter; the worker and producer close it last, after
 * their Kafka clients, so the spans of the final records are not lost.
 */
public final class Telemetry implements AutoCloseable {
  public static final String INSTRUMENTATION_SCOPE = "vcftrace";
  public static final AttributeKey<String> SERVICE_INSTANCE_ID =
      AttributeKey.stringKey("service.instance.id");
  public static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");

  static {
    // The Kafka instrumentation emits the stable messaging conventions (messaging.operation.type,
    // messaging.consumer.group.name, messaging.destination.partition.id) only when opted in; it reads
    // this once, when its classes load, so it must be set before any Kafka client is wrapped.
    if (System.getProperty("otel.semconv-stability.opt-in") == null
        && System.getenv("OTEL_SEMCONV_STABILITY_OPT_IN") == null) {
      System.setProperty("otel.semconv-stability.opt-in", "messaging");
    }
  }

  private final OpenTelemetrySdk sdk;
  private final String instanceId;

  private Telemetry(OpenTelemetrySdk sdk, String instanceId) {
    this.sdk = sdk;
    this.instanceId = instanceId;
  }

  /**
   * Our defaults, lower in precedence than the environment and system properties. The span pipeline
   * values are tuned for volume; see the README and BENCHMARKS.md for the measurements behind them.
   */
  public static Map<String, String> defaults(String serviceName) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("otel.service.name", serviceName);
    d.put("otel.traces.exporter", "otlp");
    d.put("otel.metrics.exporter", "none"); // metrics go to Prometheus through Micrometer
    d.put("otel.logs.exporter", "none"); // logs carry trace ids through the MDC instead
    d.put("otel.exporter.otlp.traces.endpoint", "http://localhost:4317");
    d.put("otel.exporter.otlp.traces.protocol", "grpc");
    d.put("otel.exporter.otlp.compression", "gzip");
    d.put("otel.bsp.max.queue.size", "65536");
    d.put("otel.bsp.max.export.batch.size", "2048");
    d.put("otel.bsp.schedule.delay", "200");
    d.put("otel.bsp.export.timeout", "10000");
    return d;
  }

  /** Configures the SDK from the process environment. */
  public static Telemetry create(String serviceName) {
    return create(serviceName, Map.of());
  }

  /**
   * Configures the SDK from the process environment, with {@code overrides} on top of our defaults but
   * still below the process environment. Keys are {@code otel.*} properties or {@code OTEL_*}
   * variables; other keys are ignored, so a whole environment map can be passed. Tests use this to
   * point an in-JVM producer or worker at their own receiver.
   */
  public static Telemetry create(String serviceName, Map<String, String> overrides) {
    String instanceId = UUID.randomUUID().toString();
    Map<String, String> props = defaults(serviceName);
    overrides.forEach((k, v) -> {
      if (k.startsWith("otel.")) props.put(k, v);
      else if (k.startsWith("OTEL_")) props.put(k.toLowerCase(java.util.Locale.ROOT).replace('_', '.'), v);
    });
    AutoConfiguredOpenTelemetrySdk auto =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> props)
            .addResourceCustomizer(
                (resource, config) ->
                    resource.merge(
                        Resource.create(
                            Attributes.of(
                                SERVICE_INSTANCE_ID, instanceId, SERVICE_VERSION, version()))))
            .disableShutdownHook() // the mains close Telemetry last, after their Kafka clients
            .build();
    return new Telemetry(auto.getOpenTelemetrySdk(), instanceId);
  }

  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  public Tracer tracer() {
    return sdk.getTracer(INSTRUMENTATION_SCOPE, version());
  }

  /** This process's {@code service.instance.id}, distinct per process. */
  public String instanceId() {
    return instanceId;
  }

  /** Exports every ended span now; returns whether it finished within the timeout. */
  public boolean flush(long timeout, TimeUnit unit) {
    return sdk.getSdkTracerProvider().forceFlush().join(timeout, unit).isSuccess();
  }

  @Override
  public void close() {
    sdk.getSdkTracerProvider().forceFlush().join(30, TimeUnit.SECONDS);
    sdk.shutdown().join(30, TimeUnit.SECONDS);
  }

  /** The project version, from the build. */
  public static String version() {
    try (InputStream in = Telemetry.class.getResourceAsStream("/vcftrace/version.properties")) {
      Properties p = new Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
