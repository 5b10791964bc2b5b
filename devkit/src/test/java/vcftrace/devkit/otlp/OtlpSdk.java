package vcftrace.devkit.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The real OpenTelemetry SDK pieces the receiver tests export with: OTLP exporters pointed at a
 * receiver, and a way to produce finished {@link SpanData} from real SDK spans so a test can call
 * {@code exporter.export(...)} itself and see the export's own success or failure (a span processor
 * would swallow it).
 */
final class OtlpSdk {

  /** Generous: the tests only ever wait this long when something is broken. */
  static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);

  static final String SERVICE = "otlp-receiver-test";

  static final String JDK_HTTP_SENDER =
      "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider";
  static final String OKHTTP_HTTP_SENDER =
      "io.opentelemetry.exporter.sender.okhttp.internal.OkHttpHttpSenderProvider";

  /** Both HTTP senders are on the classpath; the SDK picks the one this property names. */
  private static final String HTTP_SENDER_PROPERTY = "io.opentelemetry.sdk.common.export.HttpSenderProvider";

  private OtlpSdk() {}

  /** The OTLP transport a test exports over. */
  enum Protocol {
    GRPC,
    HTTP
  }

  /**
   * An exporter over {@code protocol} (HTTP with the JDK sender the project uses); retries off so a
   * refused export fails at once instead of backing off for seconds.
   */
  static SpanExporter exporter(OtlpReceiver receiver, Protocol protocol, String compression) {
    return protocol == Protocol.GRPC
        ? grpcExporter(receiver, compression)
        : httpExporter(receiver, JDK_HTTP_SENDER, compression);
  }

  static SpanExporter grpcExporter(OtlpReceiver receiver, String compression) {
    OtlpGrpcSpanExporterBuilder builder = OtlpGrpcSpanExporter.builder()
        .setEndpoint(receiver.grpcEndpoint())
        .setTimeout(EXPORT_TIMEOUT)
        .setCompression(compression)
        .setRetryPolicy(null);
    return builder.build();
  }

  /** An OTLP/HTTP exporter using the named sender provider (JDK or OkHttp). */
  static synchronized SpanExporter httpExporter(
      OtlpReceiver receiver, String senderProvider, String compression) {
    String previous = System.setProperty(HTTP_SENDER_PROPERTY, senderProvider);
    try {
      OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder()
          .setEndpoint(receiver.httpEndpoint())
          .setTimeout(EXPORT_TIMEOUT)
          .setCompression(compression)
          .setRetryPolicy(null);
      return builder.build();
    } finally {
      if (previous == null) {
        System.clearProperty(HTTP_SENDER_PROPERTY);
      } else {
        System.setProperty(HTTP_SENDER_PROPERTY, previous);
      }
    }
  }

  static SdkTracerProvider tracerProvider(SpanProcessor processor) {
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), SERVICE))))
        .addSpanProcessor(processor)
        .build();
  }

  /** Runs {@code body} against a real SDK tracer and returns the spans it finished, in end order. */
  static List<SpanData> record(Consumer<Tracer> body) {
    List<SpanData> finished = Collections.synchronizedList(new ArrayList<>());
    SpanProcessor recorder = new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        finished.add(span.toSpanData());
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }
    };
    try (SdkTracerProvider provider = tracerProvider(recorder)) {
      body.accept(provider.get("vcftrace.devkit.otlp.test"));
    }
    return List.copyOf(finished);
  }

  /** Exports and waits for the exporter's verdict. */
  static CompletableResultCode export(SpanExporter exporter, List<SpanData> spans) {
    return exporter.export(spans).join(EXPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A three-level trace shaped like the pipeline's: {@code submit} (PRODUCER, OK) → {@code parse} →
   * {@code write} (CLIENT, ERROR "disk full", one event), with attributes of every scalar type and an
   * array.
   */
  static void pipelineTrace(Tracer tracer) {
    Span submit = tracer.spanBuilder("submit")
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("vcf.file", "sample.vcf")
        .setAttribute("vcf.records", 42L)
        .startSpan();
    try (Scope ignored = submit.makeCurrent()) {
      Span parse = tracer.spanBuilder("parse")
          .setAttribute("ratio", 0.5)
          .setAttribute("valid", true)
          .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("snv", "indel"))
          .startSpan();
      try (Scope ignored2 = parse.makeCurrent()) {
        Span write = tracer.spanBuilder("write").setSpanKind(SpanKind.CLIENT).startSpan();
        write.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), 2L));
        write.setStatus(StatusCode.ERROR, "disk full");
        write.end();
      } finally {
        parse.end();
      }
    } finally {
      submit.setStatus(StatusCode.OK);
      submit.end();
    }
  }
}
