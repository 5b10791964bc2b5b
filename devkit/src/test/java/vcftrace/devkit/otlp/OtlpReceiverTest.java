package vcftrace.devkit.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vcftrace.devkit.otlp.OtlpSdk.EXPORT_TIMEOUT;
import static vcftrace.devkit.otlp.OtlpSdk.SERVICE;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import vcftrace.devkit.otlp.OtlpSdk.Protocol;

/**
 * Exports real SDK spans to a real {@link OtlpReceiver} over both OTLP transports and both HTTP senders,
 * with and without gzip, and checks what arrives field by field; then the failure knobs the
 * end-to-end tests rely on (unavailable, slow), counting-only mode, waiting and forwarding.
 */
final class OtlpReceiverTest {

  private OtlpReceiver receiver;

  @BeforeEach
  void startReceiver() {
    receiver = OtlpReceiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  static Stream<Arguments> httpSendersAndCompressions() {
    return Stream.of(
        Arguments.of(OtlpSdk.JDK_HTTP_SENDER, "none"),
        Arguments.of(OtlpSdk.JDK_HTTP_SENDER, "gzip"),
        Arguments.of(OtlpSdk.OKHTTP_HTTP_SENDER, "none"),
        Arguments.of(OtlpSdk.OKHTTP_HTTP_SENDER, "gzip"));
  }

  @ParameterizedTest(name = "compression={0}")
  @ValueSource(strings = {"none", "gzip"})
  void grpcExportDeliversExactSpans(String compression) {
    List<SpanData> sent = OtlpSdk.record(OtlpSdk::pipelineTrace);
    SpanExporter exporter = OtlpSdk.grpcExporter(receiver, compression);
    try {
      assertSuccess(OtlpSdk.export(exporter, sent));
    } finally {
      exporter.shutdown();
    }
    assertPipelineTrace(sent, receiver.spans());
    assertEquals(1, receiver.acceptedRequestCount());
  }

  @ParameterizedTest(name = "{0} compression={1}")
  @MethodSource("httpSendersAndCompressions")
  void httpExportDeliversExactSpans(String senderProvider, String compression) {
    List<SpanData> sent = OtlpSdk.record(OtlpSdk::pipelineTrace);
    SpanExporter exporter = OtlpSdk.httpExporter(receiver, senderProvider, compression);
    try {
      assertSuccess(OtlpSdk.export(exporter, sent));
    } finally {
      exporter.shutdown();
    }
    assertPipelineTrace(sent, receiver.spans());
    assertEquals(1, receiver.acceptedRequestCount());
  }

  /** The way the services really export: a batch processor, flushed; the test waits, not sleeps. */
  @ParameterizedTest
  @EnumSource(Protocol.class)
  void batchSpanProcessorExportIsAwaited(Protocol protocol) {
    SpanExporter exporter = OtlpSdk.exporter(receiver, protocol, "gzip");
    try (SdkTracerProvider provider =
        OtlpSdk.tracerProvider(BatchSpanProcessor.builder(exporter).build())) {
      for (int i = 0; i < 10; i++) {
        OtlpSdk.pipelineTrace(provider.get("batch"));
      }
      provider.forceFlush().join(EXPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    List<ReceivedSpan> spans = receiver.awaitSpans(
        "30 spans", s -> s.size() == 30, EXPORT_TIMEOUT);
    assertEquals(10, spans.stream().map(ReceivedSpan::traceId).distinct().count());
    assertEquals(10, receiver.spansNamed("write").size());
    for (ReceivedSpan submit : receiver.spansNamed("submit")) {
      assertEquals(3, receiver.spans(submit.traceId()).size());
    }
    assertEquals(10, receiver.traces().size());
    assertEquals(30, receiver.spanCount());
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void unavailableReceiverRefusesAndStoresNothingUntilBackUp(Protocol protocol) {
    List<SpanData> sent = OtlpSdk.record(OtlpSdk::pipelineTrace);
    SpanExporter exporter = OtlpSdk.exporter(receiver, protocol, "none");
    try {
      receiver.setAvailable(false);
      CompletableResultCode refused = OtlpSdk.export(exporter, sent);
      assertTrue(refused.isDone(), "export should have been answered");
      assertFalse(refused.isSuccess(), "export to an unavailable receiver must fail");
      Object response = exporterResponse(refused.getFailureThrowable());
      if (protocol == Protocol.GRPC) {
        assertEquals(GrpcStatusCode.UNAVAILABLE, ((GrpcResponse) response).getStatusCode());
      } else {
        assertEquals(503, ((io.opentelemetry.sdk.common.export.HttpResponse) response).getStatusCode());
      }
      assertEquals(0, receiver.spanCount());
      assertEquals(List.of(), receiver.spans());
      assertEquals(1, receiver.rejectedRequestCount());

      receiver.setAvailable(true);
      assertSuccess(OtlpSdk.export(exporter, sent));
      assertEquals(3, receiver.spanCount());
      assertPipelineTrace(sent, receiver.spans());
      assertEquals(1, receiver.acceptedRequestCount());
    } finally {
      exporter.shutdown();
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void responseDelayIsHonoured(Protocol protocol) {
    Duration delay = Duration.ofMillis(400);
    receiver.setResponseDelay(delay);
    List<SpanData> sent = OtlpSdk.record(OtlpSdk::pipelineTrace);
    SpanExporter exporter = OtlpSdk.exporter(receiver, protocol, "none");
    try {
      long start = System.nanoTime();
      assertSuccess(OtlpSdk.export(exporter, sent));
      long elapsed = System.nanoTime() - start;
      assertTrue(elapsed >= delay.toNanos(),
          "export took " + elapsed / 1_000_000 + " ms, less than the " + delay.toMillis() + " ms delay");
      assertEquals(3, receiver.spanCount());
    } finally {
      exporter.shutdown();
    }
  }

  /** A held-back answer must not hold back the next export: the delay is scheduled, not slept. */
  @ParameterizedTest
  @EnumSource(Protocol.class)
  void delayedAnswerDoesNotBlockOtherExports(Protocol protocol) {
    List<SpanData> slow = OtlpSdk.record(OtlpSdk::pipelineTrace);
    List<SpanData> fast = OtlpSdk.record(OtlpSdk::pipelineTrace);
    SpanExporter slowExporter = OtlpSdk.exporter(receiver, protocol, "none");
    SpanExporter fastExporter = OtlpSdk.exporter(receiver, protocol, "none");
    try {
      receiver.setResponseDelay(Duration.ofSeconds(8));
      CompletableResultCode pending = slowExporter.export(slow);
      receiver.awaitSpanCount(3, EXPORT_TIMEOUT); // stored on arrival, answer still held back
      receiver.setResponseDelay(Duration.ZERO);

      assertSuccess(OtlpSdk.export(fastExporter, fast));
      assertFalse(pending.isDone(), () -> "the slow export should still be waiting for its answer, but "
          + (pending.isSuccess() ? "succeeded" : "failed: " + pending.getFailureThrowable()));
      assertEquals(6, receiver.spanCount());
      assertEquals(Duration.ZERO, receiver.responseDelay());
    } finally {
      slowExporter.shutdown();
      fastExporter.shutdown();
    }
  }

  @Test
  void countingOnlyModeCountsWithoutStoring() {
    try (OtlpReceiver counting = OtlpReceiver.builder().storeSpans(false).build()) {
      assertFalse(counting.storesSpans());
      List<SpanData> sent = OtlpSdk.record(tracer -> {
        for (int i = 0; i < 50; i++) {
          OtlpSdk.pipelineTrace(tracer);
        }
      });
      for (Protocol protocol : Protocol.values()) {
        SpanExporter exporter = OtlpSdk.exporter(counting, protocol, "gzip");
        try {
          assertSuccess(OtlpSdk.export(exporter, sent));
        } finally {
          exporter.shutdown();
        }
      }
      assertEquals(300, counting.awaitSpanCount(300, EXPORT_TIMEOUT));
      assertEquals(List.of(), counting.spans());
      assertEquals(2, counting.acceptedRequestCount());

      counting.clear();
      assertEquals(0, counting.spanCount());
      assertEquals(0, counting.acceptedRequestCount());
    }
  }

  @Test
  void awaitSpansTimeoutExplainsWhatArrived() {
    SpanExporter exporter = OtlpSdk.grpcExporter(receiver, "none");
    try {
      assertSuccess(OtlpSdk.export(exporter, OtlpSdk.record(OtlpSdk::pipelineTrace)));
    } finally {
      exporter.shutdown();
    }
    AssertionError error = assertThrows(AssertionError.class, () -> receiver.awaitSpans(
        "a span named 'index'",
        spans -> spans.stream().anyMatch(s -> s.name().equals("index")),
        Duration.ofMillis(200)));
    String message = error.getMessage();
    assertTrue(message.contains("a span named 'index'"), message);
    assertTrue(message.contains("3 spans accepted"), message);
    assertTrue(message.contains("[write, parse, submit]"), message);

    AssertionError countError = assertThrows(AssertionError.class,
        () -> receiver.awaitSpanCount(4, Duration.ofMillis(100)));
    assertTrue(countError.getMessage().contains("spanCount >= 4"), countError.getMessage());
  }

  @Test
  void clearForgetsSpansAndCounters() {
    SpanExporter exporter = OtlpSdk.grpcExporter(receiver, "none");
    try {
      assertSuccess(OtlpSdk.export(exporter, OtlpSdk.record(OtlpSdk::pipelineTrace)));
      receiver.clear();
      assertEquals(List.of(), receiver.spans());
      assertEquals(0, receiver.spanCount());
      assertSuccess(OtlpSdk.export(exporter, OtlpSdk.record(OtlpSdk::pipelineTrace)));
      assertEquals(3, receiver.spans().size());
    } finally {
      exporter.shutdown();
    }
  }

  /** Over gRPC too: the forwarded call must outlive the server call it was made from. */
  @ParameterizedTest
  @EnumSource(Protocol.class)
  void forwardsEveryRequestToAnotherOtlpBackend(Protocol protocol) {
    try (OtlpReceiver jaegerStandIn = OtlpReceiver.start();
        OtlpReceiver forwarding =
            OtlpReceiver.builder().forwardTo(jaegerStandIn.grpcEndpoint()).build()) {
      List<SpanData> sent = OtlpSdk.record(OtlpSdk::pipelineTrace);
      SpanExporter exporter = OtlpSdk.exporter(forwarding, protocol, "gzip");
      try {
        assertSuccess(OtlpSdk.export(exporter, sent));
      } finally {
        exporter.shutdown();
      }
      List<ReceivedSpan> forwarded =
          jaegerStandIn.awaitSpans("3 forwarded spans", s -> s.size() == 3, EXPORT_TIMEOUT);
      assertEquals(forwarding.spans(), forwarded);
      assertPipelineTrace(sent, forwarded);
    }
  }

  @Test
  void forwardingToNowhereNeverFailsTheExport() throws IOException {
    int closedPort = freePort();
    receiver.forwardTo("http://127.0.0.1:" + closedPort);
    SpanExporter exporter = OtlpSdk.grpcExporter(receiver, "none");
    try {
      assertSuccess(OtlpSdk.export(exporter, OtlpSdk.record(OtlpSdk::pipelineTrace)));
      assertSuccess(OtlpSdk.export(exporter, OtlpSdk.record(OtlpSdk::pipelineTrace)));
    } finally {
      exporter.shutdown();
    }
    assertEquals(6, receiver.spanCount());
    receiver.stopForwarding();
  }

  @Test
  void httpRejectsWhatIsNotOtlpProtobuf() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    URI traces = URI.create(receiver.httpEndpoint());
    byte[] garbage = {0x0a, (byte) 0xff, 0x01};

    assertEquals(415, client.send(HttpRequest.newBuilder(traces)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(405, client.send(HttpRequest.newBuilder(traces).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(404, client.send(HttpRequest.newBuilder(traces.resolve("/v1/metrics"))
        .header("Content-Type", OtlpReceiver.PROTOBUF_CONTENT_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(400, client.send(HttpRequest.newBuilder(traces)
        .header("Content-Type", OtlpReceiver.PROTOBUF_CONTENT_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(garbage)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(400, client.send(HttpRequest.newBuilder(traces)
        .header("Content-Type", OtlpReceiver.PROTOBUF_CONTENT_TYPE)
        .header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(garbage)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    assertEquals(0, receiver.acceptedRequestCount());
  }

  @Test
  void endpointsPortsAndReachability() throws IOException {
    assertEquals("http://127.0.0.1:" + receiver.grpcPort(), receiver.grpcEndpoint());
    assertEquals("http://127.0.0.1:" + receiver.httpPort() + "/v1/traces", receiver.httpEndpoint());
    assertTrue(OtlpReceiver.reachable("127.0.0.1", receiver.grpcPort(), Duration.ofSeconds(2)));
    assertTrue(OtlpReceiver.reachable("127.0.0.1", receiver.httpPort(), Duration.ofSeconds(2)));
    assertFalse(OtlpReceiver.reachable("127.0.0.1", freePort(), Duration.ofSeconds(2)));

    int grpcPort = freePort();
    int httpPort = freePort();
    try (OtlpReceiver fixed = OtlpReceiver.builder().grpcPort(grpcPort).httpPort(httpPort)
        .responseDelay(Duration.ofMillis(5)).build()) {
      assertEquals("http://127.0.0.1:" + grpcPort, fixed.grpcEndpoint());
      assertEquals("http://127.0.0.1:" + httpPort + "/v1/traces", fixed.httpEndpoint());
      assertEquals(Duration.ofMillis(5), fixed.responseDelay());
    }
    assertFalse(OtlpReceiver.reachable("127.0.0.1", grpcPort, Duration.ofSeconds(2)),
        "close() must release the gRPC port");
    assertFalse(OtlpReceiver.reachable("127.0.0.1", httpPort, Duration.ofSeconds(2)),
        "close() must release the HTTP port");
  }

  // ---------------------------------------------------------------- helpers

  private static void assertSuccess(CompletableResultCode result) {
    assertTrue(result.isDone(), "export did not finish within " + EXPORT_TIMEOUT);
    assertTrue(result.isSuccess(), () -> "export failed: " + result.getFailureThrowable());
  }

  /** Checks the received spans against what the SDK sent for {@link OtlpSdk#pipelineTrace}. */
  private static void assertPipelineTrace(List<SpanData> sent, List<ReceivedSpan> received) {
    assertEquals(3, sent.size());
    assertEquals(List.of("write", "parse", "submit"),
        received.stream().map(ReceivedSpan::name).toList(), "spans in export order");
    ReceivedSpan write = received.get(0);
    ReceivedSpan parse = received.get(1);
    ReceivedSpan submit = received.get(2);
    SpanData sentSubmit = sent.get(2);

    String traceId = sentSubmit.getTraceId();
    for (ReceivedSpan span : received) {
      assertEquals(traceId, span.traceId());
      assertEquals(SERVICE, span.serviceName());
      assertEquals(SERVICE, span.resourceAttributes().get("service.name"));
      assertTrue(span.endEpochNanos() >= span.startEpochNanos());
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(sent.get(i).getSpanId(), received.get(i).spanId());
      assertEquals(sent.get(i).getStartEpochNanos(), received.get(i).startEpochNanos());
      assertEquals(sent.get(i).getEndEpochNanos(), received.get(i).endEpochNanos());
    }

    assertEquals("", submit.parentSpanId());
    assertTrue(submit.isRoot());
    assertEquals(submit.spanId(), parse.parentSpanId());
    assertEquals(parse.spanId(), write.parentSpanId());

    assertEquals("PRODUCER", submit.kind());
    assertEquals("INTERNAL", parse.kind());
    assertEquals("CLIENT", write.kind());

    assertEquals("OK", submit.statusCode());
    assertEquals("UNSET", parse.statusCode());
    assertEquals("ERROR", write.statusCode());
    assertEquals("disk full", write.statusMessage());
    assertTrue(write.isError());

    assertEquals(Map.of("vcf.file", "sample.vcf", "vcf.records", 42L), submit.attributes());
    assertEquals(Map.of("ratio", 0.5, "valid", true, "tags", List.of("snv", "indel")),
        parse.attributes());
    assertEquals(Map.of(), write.attributes());

    assertEquals(1, write.events().size());
    assertEquals("retry", write.events().get(0).name());
    assertEquals(Map.of("attempt", 2L), write.events().get(0).attributes());
    assertEquals(List.of(), submit.events());
    assertEquals(List.of(), submit.links());
  }

  /**
   * The backend's answer carried by the exporter's failure. Its exception type lives in the SDK's
   * internal exporter-common jar, which is only on the runtime classpath, hence the reflective call;
   * the answer itself is the public {@code GrpcResponse}/{@code HttpResponse}.
   */
  private static Object exporterResponse(Throwable failure) {
    assertNotNull(failure, "the failed export should carry its cause");
    try {
      return failure.getClass().getMethod("getResponse").invoke(failure);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("unexpected export failure type: " + failure, e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
