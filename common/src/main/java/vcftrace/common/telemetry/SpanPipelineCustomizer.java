package vcftrace.common.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.sdk.autoconfigure.spi.AutoConfigurationCustomizer;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a {@link ParallelSpanProcessor} where the SDK's autoconfiguration puts its {@link
 * BatchSpanProcessor}, with the same {@code otel.bsp.*} settings and the same exporter (whatever
 * {@code otel.traces.exporter}, {@code OTEL_EXPORTER_OTLP_*} and friends made of it). Everything else
 * about autoconfiguration is left alone.
 *
 * <p>How the swap is done: every exporter autoconfiguration builds is wrapped in a {@link
 * SharedSpanExporter} whose first share belongs to the batch processor autoconfiguration builds next
 * (OTLP exporters are first rebuilt on an executor that never rejects a call, see {@link
 * OwnExecutorSpanExporter}).
 * The processor customizer then takes a second share for the parallel processor and shuts the SDK's
 * batch processor down at once (it has no spans yet, only an idle thread); its {@code shutdown()}
 * gives back its share and the exporter stays open for the replacement.
 *
 * <p>If the batch processor exports to several exporters at once ({@code otel.traces.exporter=otlp,zipkin})
 * it is kept as it is, with a warning: the SDK's composite exporter does not expose its members.
 *
 * <p>One instance serves one SDK build.
 */
public final class SpanPipelineCustomizer {
  private static final Logger LOG = LoggerFactory.getLogger(SpanPipelineCustomizer.class);

  private volatile ParallelSpanProcessor processor;

  private SpanPipelineCustomizer() {}

  public static SpanPipelineCustomizer create() {
    return new SpanPipelineCustomizer();
  }

  /** Registers the exporter and processor customizers on {@code autoConfiguration}. */
  public AutoConfigurationCustomizer customize(AutoConfigurationCustomizer autoConfiguration) {
    requireNonNull(autoConfiguration, "autoConfiguration");
    return autoConfiguration
        .addSpanExporterCustomizer(
            (exporter, config) ->
                SharedSpanExporter.share(OwnExecutorSpanExporter.rebuild(exporter)))
        .addSpanProcessorCustomizer(this::replaceBatchProcessor);
  }

  /** The processor installed by the last build, if autoconfiguration made a batch processor. */
  public Optional<ParallelSpanProcessor> processor() {
    return Optional.ofNullable(processor);
  }

  private SpanProcessor replaceBatchProcessor(SpanProcessor candidate, ConfigProperties config) {
    if (!(candidate instanceof BatchSpanProcessor sdkProcessor)) {
      return candidate; // console/logging exporters get a SimpleSpanProcessor: keep it
    }
    SpanExporter exporter = sdkProcessor.getSpanExporter();
    if (!(exporter instanceof SharedSpanExporter shared)) {
      LOG.warn(
          "Spans go to several exporters at once ({}); keeping the SDK's single BatchSpanProcessor,"
              + " without parallel export or span pipeline metrics",
          exporter);
      return candidate;
    }
    // Read the settings first: a bad value fails the build before any share is taken.
    ParallelSpanProcessor.Builder builder = ParallelSpanProcessor.builder(shared).readConfig(config);
    shared.acquire();
    ParallelSpanProcessor parallel = builder.build();
    sdkProcessor.shutdown();
    processor = parallel;
    LOG.debug("Span pipeline: {}", parallel);
    return parallel;
  }
}
