package vcftrace.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.instrumentation.resources.ContainerResourceProvider;
import io.opentelemetry.instrumentation.resources.HostResourceProvider;
import io.opentelemetry.instrumentation.resources.OsResourceProvider;
import io.opentelemetry.instrumentation.resources.ProcessResourceProvider;
import io.opentelemetry.instrumentation.resources.ProcessRuntimeResourceProvider;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ResourceProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.resources.ResourceBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import vcftrace.common.telemetry.ParallelSpanProcessor;
import vcftrace.common.telemetry.SpanPipelineCustomizer;
import vcftrace.common.telemetry.SpanPipelineMetrics;

/**
 * The OpenTelemetry SDK of one process, configured by the standard {@code OTEL_*} environment through
 * the SDK's autoconfiguration. This class only changes defaults ({@link #defaults}); any {@code OTEL_*}
 * variable or {@code otel.*} system property still wins.
 *
 * <p>Spans are exported by a {@link ParallelSpanProcessor} in place of the SDK's single batch
 * processor: several batch processors side by side ({@value ParallelSpanProcessor#PARALLELISM_ENV},
 * default {@value ParallelSpanProcessor#DEFAULT_PARALLELISM}), with the same {@code OTEL_BSP_*}
 * settings and the same exporter. {@link #bindMetrics} shows its queue, exports and drops on a
 * Micrometer registry.
 *
 * <p>The resource has one schema URL, the SDK's: the instrumentation library's host, OS, process and
 * container detectors declare an older semantic-conventions version for the same attribute names, and
 * merging the two made the SDK warn on every start. Their attributes are added here instead
 * ({@link #LIBRARY_RESOURCE_PROVIDERS}).
 *
 * <p>Closing it flushes every ended span to the exporter; the worker and producer close it last, after
 * their Kafka clients, so the spans of the final records are not lost. {@link #close(Duration)} bounds
 * how long that may take, for a process that must not outlive its work by the exporter's retries
 * against a backend that is down.
 */
public final class Telemetry implements AutoCloseable {
  public static final String INSTRUMENTATION_SCOPE = "vcftrace";
  public static final AttributeKey<String> SERVICE_INSTANCE_ID =
      AttributeKey.stringKey("service.instance.id");
  public static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");

  /** How long {@link #close()} waits for the last spans to be exported: {@value} seconds. */
  public static final long DEFAULT_CLOSE_TIMEOUT_SECONDS = 60;

  private static final String DISABLED_RESOURCE_PROVIDERS = "otel.java.disabled.resource.providers";
  private static final String ENABLED_RESOURCE_PROVIDERS = "otel.java.enabled.resource.providers";
  private static final String DISABLED_RESOURCE_KEYS = "otel.resource.disabled.keys";

  /**
   * The resource detectors of {@code opentelemetry-resources} (host, OS, process, runtime, container).
   * Their resources carry schema URL 1.24.0, the SDK's carry its own (1.40.0 in SDK 1.68); the
   * attribute names they use are the same in both versions. Autoconfiguration merges resources with
   * different schema URLs by dropping the URL and logging that it did, so they are disabled there and
   * their attributes are merged by {@link #withLibraryResources} without a schema URL of their own.
   */
  static final List<ResourceProvider> LIBRARY_RESOURCE_PROVIDERS = List.of(
      new ContainerResourceProvider(), new HostResourceProvider(), new OsResourceProvider(),
      new ProcessResourceProvider(), new ProcessRuntimeResourceProvider());

  /**
   * Disabled by default: that provider's {@code service.instance.id} is one per JVM (a static), ours is
   * one per Telemetry; with both, the SDK warns on every start that ours replaces its entity's id.
   */
  private static final String SERVICE_INSTANCE_ID_PROVIDER =
      "io.opentelemetry.sdk.autoconfigure.ServiceInstanceIdResourceProvider";

  /** The SDK's switch between OTLP/HTTP senders, a system property or its environment variable. */
  private static final String HTTP_SENDER_PROVIDER =
      "io.opentelemetry.sdk.common.export.HttpSenderProvider";

  static {
    // The Kafka instrumentation emits the stable messaging conventions (messaging.operation.type,
    // messaging.consumer.group.name, messaging.destination.partition.id) only when opted in; it reads
    // this once, when its classes load, so it must be set before any Kafka client is wrapped.
    if (System.getProperty("otel.semconv-stability.opt-in") == null
        && System.getenv("OTEL_SEMCONV_STABILITY_OPT_IN") == null) {
      System.setProperty("otel.semconv-stability.opt-in", "messaging");
    }
    // Both OTLP/HTTP senders are on the class path (OkHttp comes with the exporter); unpinned, the SDK
    // picks one by hash order and warns on every start. The JDK's sets TCP_NODELAY; OkHttp leaves
    // Nagle on, which on loopback costs a delayed ACK (~40 ms) per export: 47 ms against 6 ms for a
    // 512-span export, measured (BENCHMARKS.md). Read when an HTTP exporter is built.
    if (System.getProperty(HTTP_SENDER_PROVIDER) == null
        && System.getenv(HTTP_SENDER_PROVIDER.toUpperCase(Locale.ROOT).replace('.', '_')) == null) {
      System.setProperty(
          HTTP_SENDER_PROVIDER, "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider");
    }
  }

  private final OpenTelemetrySdk sdk;
  private final String instanceId;
  private final ParallelSpanProcessor spanProcessor; // null when no batch exporter is configured
  private Boolean closed; // the first close's outcome; guarded by this

  private Telemetry(OpenTelemetrySdk sdk, String instanceId, ParallelSpanProcessor spanProcessor) {
    this.sdk = sdk;
    this.instanceId = instanceId;
    this.spanProcessor = spanProcessor;
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
    d.put(DISABLED_RESOURCE_PROVIDERS, defaultDisabledResourceProviders());
    d.put("otel.exporter.otlp.traces.endpoint", "http://localhost:4317");
    d.put("otel.exporter.otlp.traces.protocol", "grpc");
    d.put("otel.exporter.otlp.compression", "gzip");
    d.put("otel.bsp.max.queue.size", "65536");
    d.put("otel.bsp.max.export.batch.size", "2048");
    d.put("otel.bsp.schedule.delay", "200");
    d.put("otel.bsp.export.timeout", "10000");
    // One batch processor exports one batch per round trip: 2048 spans / 20 ms is ~100k spans/s at
    // best. Several side by side keep several exports in flight (BENCHMARKS.md has the figures).
    d.put(ParallelSpanProcessor.PARALLELISM_PROPERTY,
        String.valueOf(ParallelSpanProcessor.DEFAULT_PARALLELISM));
    return d;
  }

  /** Configures the SDK from the process environment. */
  public static Telemetry create(String serviceName) {
    return create(serviceName, Map.of());
  }

  /**
   * Configures the SDK from the process environment, with {@code overrides} on top of our defaults but
   * still below the process environment. Keys are {@code otel.*} or {@code vcftrace.*} properties or
   * {@code OTEL_*} or {@code VCFTRACE_*} variables (e.g. {@value
   * ParallelSpanProcessor#PARALLELISM_ENV}); other keys are ignored, so a whole environment map can be
   * passed. Tests use this to point an in-JVM producer or worker at their own receiver.
   */
  public static Telemetry create(String serviceName, Map<String, String> overrides) {
    String instanceId = UUID.randomUUID().toString();
    Map<String, String> props = defaults(serviceName);
    overrides.forEach((k, v) -> {
      if (k.startsWith("otel.") || k.startsWith("vcftrace.")) props.put(k, v);
      else if (k.startsWith("OTEL_") || k.startsWith("VCFTRACE_")) {
        props.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    SpanPipelineCustomizer spanPipeline = SpanPipelineCustomizer.create();
    AutoConfiguredOpenTelemetrySdkBuilder builder =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> props)
            .addResourceCustomizer(
                (resource, config) ->
                    withLibraryResources(resource, config)
                        .merge(
                            Resource.create(
                                Attributes.of(
                                    SERVICE_INSTANCE_ID, instanceId, SERVICE_VERSION, version()))))
            .disableShutdownHook(); // the mains close Telemetry last, after their Kafka clients
    spanPipeline.customize(builder);
    AutoConfiguredOpenTelemetrySdk auto = builder.build();
    return new Telemetry(
        auto.getOpenTelemetrySdk(), instanceId, spanPipeline.processor().orElse(null));
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

  /**
   * The span processor, when spans are exported at all ({@code OTEL_TRACES_EXPORTER} is not {@code
   * none}) through one batch exporter.
   */
  public Optional<ParallelSpanProcessor> spanProcessor() {
    return Optional.ofNullable(spanProcessor);
  }

  /**
   * Registers the span pipeline's meters ({@link SpanPipelineMetrics}: {@code otel.span.queue.size},
   * {@code otel.span.queue.capacity}, {@code otel.spans.exported}, {@code otel.spans.dropped}, {@code
   * otel.span.export.failures}) on {@code registry}; registers nothing when spans are not exported.
   */
  public void bindMetrics(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (spanProcessor != null) {
      new SpanPipelineMetrics(spanProcessor).bindTo(registry);
    }
  }

  /** {@link #SERVICE_INSTANCE_ID_PROVIDER} and {@link #LIBRARY_RESOURCE_PROVIDERS}, comma-separated. */
  private static String defaultDisabledResourceProviders() {
    List<String> names = new ArrayList<>();
    names.add(SERVICE_INSTANCE_ID_PROVIDER);
    LIBRARY_RESOURCE_PROVIDERS.forEach(p -> names.add(p.getClass().getName()));
    return String.join(",", names);
  }

  /**
   * {@code resource} with the attributes of the {@link #LIBRARY_RESOURCE_PROVIDERS} under it (the
   * environment's {@code OTEL_RESOURCE_ATTRIBUTES} still win) and its own schema URL. When the
   * disabled-providers list is not ours, whoever set it chose which detectors run: nothing is added.
   * An enabled-providers list and {@code otel.resource.disabled.keys} are honoured as autoconfiguration
   * honours them.
   */
  static Resource withLibraryResources(Resource resource, ConfigProperties config) {
    Set<String> disabled = new HashSet<>(config.getList(DISABLED_RESOURCE_PROVIDERS));
    if (!disabled.equals(new HashSet<>(List.of(defaultDisabledResourceProviders().split(","))))) {
      return resource;
    }
    Set<String> enabled = new HashSet<>(config.getList(ENABLED_RESOURCE_PROVIDERS));
    Set<String> disabledKeys = new HashSet<>(config.getList(DISABLED_RESOURCE_KEYS));
    ResourceBuilder library = Resource.builder();
    for (ResourceProvider provider : LIBRARY_RESOURCE_PROVIDERS) {
      if (!enabled.isEmpty() && !enabled.contains(provider.getClass().getName())) continue;
      library.putAll(provider.createResource(config).getAttributes()); // its schema URL is left behind
    }
    library.removeIf(key -> disabledKeys.contains(key.getKey()));
    return library.build().merge(resource);
  }

  /** Exports every ended span now; returns whether it finished within the timeout. */
  public boolean flush(long timeout, TimeUnit unit) {
    return sdk.getSdkTracerProvider().forceFlush().join(timeout, unit).isSuccess();
  }

  /** Flushes every ended span and shuts the SDK down, waiting {@value #DEFAULT_CLOSE_TIMEOUT_SECONDS} s at most. */
  @Override
  public void close() {
    close(Duration.ofSeconds(DEFAULT_CLOSE_TIMEOUT_SECONDS));
  }

  /**
   * Flushes every ended span and shuts the SDK down, returning after {@code timeout} at the latest:
   * spans not exported by then are dropped (an export still in flight, e.g. retrying against a backend
   * that is down, is abandoned). Only the first close does anything; a later one returns its outcome.
   *
   * @return whether every span was exported and the SDK shut down within the timeout
   */
  public synchronized boolean close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (closed == null) {
      long deadline = System.nanoTime() + timeout.toNanos();
      boolean flushed = sdk.getSdkTracerProvider().forceFlush()
          .join(remaining(deadline), TimeUnit.NANOSECONDS).isSuccess();
      boolean shutDown = sdk.shutdown().join(remaining(deadline), TimeUnit.NANOSECONDS).isSuccess();
      closed = flushed && shutDown;
    }
    return closed;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
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
