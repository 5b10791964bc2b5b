package vcftrace.devkit.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.DecompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process OTLP trace backend: the demo, the end-to-end tests and the span-throughput benchmark
 * point the OpenTelemetry SDK's OTLP exporter at it because Jaeger cannot run on this machine.
 *
 * <p>It speaks both OTLP transports on loopback: gRPC ({@code TraceService/Export}, identity or gzip
 * message encoding) and HTTP/protobuf ({@code POST /v1/traces}, {@code application/x-protobuf},
 * optionally {@code Content-Encoding: gzip}). Ports default to 0 (ephemeral) so parallel test JVMs never
 * collide; read the chosen ones back with {@link #grpcEndpoint()} and {@link #httpEndpoint()}.
 *
 * <p>Two knobs let tests play a misbehaving backend: {@link #setAvailable(boolean)} answers {@code
 * UNAVAILABLE} / HTTP 503 without storing anything, and {@link #setResponseDelay(Duration)} holds every
 * answer back. The delay is applied by a scheduler, never by sleeping on a request thread, so one slow
 * export does not hold up the exports that arrive behind it.
 *
 * <p>With {@code storeSpans(false)} the receiver only counts spans: it walks the serialized request
 * without building a single message and adds to an {@link AtomicLong}, which keeps it out of the way
 * of throughput benchmarks at 100k+ spans/s on a two-core machine.
 *
 * <p>Optionally every accepted request is also forwarded, unchanged and best-effort, to a real OTLP gRPC
 * backend ({@link #forwardTo(String)}), so the demo can still be looked at in a Jaeger when there is one.
 */
public final class OtlpReceiver implements AutoCloseable {

  /** Port 0 asks the OS for a free ephemeral port. */
  public static final int DEFAULT_PORT = 0;

  /** The receiver listens on loopback only: it is a development tool, not a service. */
  public static final String LOOPBACK_HOST = "127.0.0.1";

  /** The OTLP/HTTP path for traces. */
  public static final String HTTP_TRACES_PATH = "/v1/traces";

  /** The only HTTP payload type understood; OTLP/JSON is not supported. */
  public static final String PROTOBUF_CONTENT_TYPE = "application/x-protobuf";

  /** By default the receiver answers as soon as a request is stored. */
  public static final Duration DEFAULT_RESPONSE_DELAY = Duration.ZERO;

  /** Benchmarks export big batches; gRPC's 4 MiB default inbound limit would reject them. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  /** A forwarded request that takes longer than this is abandoned (forwarding is best-effort). */
  public static final Duration FORWARD_DEADLINE = Duration.ofSeconds(10);

  /** How long stopping waits for forwards still in flight. */
  public static final Duration FORWARD_DRAIN = Duration.ofSeconds(2);

  /** Default port of an OTLP gRPC endpoint, used when a forwarding target names none. */
  public static final int DEFAULT_OTLP_GRPC_PORT = 4317;

  private static final Logger LOG = LoggerFactory.getLogger(OtlpReceiver.class);
  private static final int HTTP_BACKLOG = 128;
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
  private static final int MAX_NAMES_IN_MESSAGE = 40;
  private static final String UNAVAILABLE_MESSAGE = "OtlpReceiver set unavailable by the test";
  private static final byte[] EXPORT_RESPONSE_BYTES =
      ExportTraceServiceResponse.getDefaultInstance().toByteArray();
  /** TraceService/Export with the request left serialized (server side). */
  private static final MethodDescriptor<byte[], ExportTraceServiceResponse> EXPORT_BYTES_IN =
      TraceServiceGrpc.getExportMethod().toBuilder(ByteMarshaller.INSTANCE,
          TraceServiceGrpc.getExportMethod().getResponseMarshaller()).build();
  /** TraceService/Export with both messages left serialized (forwarding client side). */
  private static final MethodDescriptor<byte[], byte[]> EXPORT_BYTES_IN_OUT =
      TraceServiceGrpc.getExportMethod().toBuilder(ByteMarshaller.INSTANCE, ByteMarshaller.INSTANCE)
          .build();

  private final Server grpcServer;
  private final HttpServer httpServer;
  private final ExecutorService httpExecutor;
  private final ScheduledExecutorService responseScheduler;
  private final boolean storeSpans;

  private volatile long responseDelayNanos;
  private volatile boolean available = true;

  private final AtomicLong spanCount = new AtomicLong();
  private final AtomicLong acceptedRequests = new AtomicLong();
  private final AtomicLong rejectedRequests = new AtomicLong();

  /** Guards {@link #spans} and {@link #version}; waiters in the await methods wait on it. */
  private final Object lock = new Object();
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private long version;

  private final AtomicReference<Forwarder> forwarder = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private OtlpReceiver(Builder builder) {
    this.storeSpans = builder.storeSpans;
    this.responseDelayNanos = builder.responseDelay.toNanos();
    this.responseScheduler =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("otlp-receiver-delay"));
    // The JDK server runs handlers on this executor; a cached pool means a slow client never queues
    // the others behind it.
    this.httpExecutor = Executors.newCachedThreadPool(daemonThreads("otlp-receiver-http"));
    Server grpc = null;
    HttpServer http = null;
    try {
      InetAddress loopback = InetAddress.getByName(LOOPBACK_HOST);
      grpc = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, builder.grpcPort))
          .addService(traceService())
          // The default registry already holds gzip; naming it documents that gzip is accepted.
          .decompressorRegistry(DecompressorRegistry.getDefaultInstance())
          .maxInboundMessageSize(MAX_MESSAGE_BYTES)
          .build()
          .start();
      http = HttpServer.create(new InetSocketAddress(loopback, builder.httpPort), HTTP_BACKLOG);
      // Bound at "/" so a wrong path gets an explicit 404 from handleHttp rather than a bare one.
      http.createContext("/", this::handleHttp);
      http.setExecutor(httpExecutor);
      http.start();
    } catch (IOException | RuntimeException e) {
      if (grpc != null) {
        grpc.shutdownNow();
      }
      if (http != null) {
        http.stop(0);
      }
      httpExecutor.shutdownNow();
      responseScheduler.shutdownNow();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Cannot start the OTLP receiver", io);
      }
      throw (RuntimeException) e;
    }
    this.grpcServer = grpc;
    this.httpServer = http;
    if (builder.forwardTo != null) {
      forwardTo(builder.forwardTo);
    }
    LOG.info("OTLP receiver listening: gRPC {}, HTTP {}", grpcEndpoint(), httpEndpoint());
  }

  /** Starts a receiver with every default: ephemeral ports, no delay, spans stored. */
  public static OtlpReceiver start() {
    return builder().build();
  }

  /** A builder for a receiver with chosen ports, delay, storage or forwarding. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- endpoints

  /** The OTLP gRPC endpoint, e.g. {@code http://127.0.0.1:43170}, as the SDK's gRPC exporter wants it. */
  public String grpcEndpoint() {
    return "http://" + LOOPBACK_HOST + ":" + grpcPort();
  }

  /** The OTLP/HTTP traces URL, e.g. {@code http://127.0.0.1:43180/v1/traces}. */
  public String httpEndpoint() {
    return "http://" + LOOPBACK_HOST + ":" + httpPort() + HTTP_TRACES_PATH;
  }

  /** The port the gRPC server is bound to. */
  public int grpcPort() {
    return grpcServer.getPort();
  }

  /** The port the HTTP server is bound to. */
  public int httpPort() {
    return httpServer.getAddress().getPort();
  }

  // ---------------------------------------------------------------- behaviour knobs

  /**
   * Holds back the answer (success or failure) to every request arriving from now on by {@code delay};
   * {@link Duration#ZERO} answers at once. Requests already waiting keep the delay they arrived with.
   * Spans are stored on arrival, before the delay, like a real backend that is slow to acknowledge: an
   * exporter that times out meanwhile will retry and deliver them twice.
   */
  public void setResponseDelay(Duration delay) {
    this.responseDelayNanos = checkDelay(delay).toNanos();
  }

  /** The delay currently applied to answers. */
  public Duration responseDelay() {
    return Duration.ofNanos(responseDelayNanos);
  }

  /**
   * While {@code false}, every export is answered {@code UNAVAILABLE} (gRPC) or 503 (HTTP) and nothing
   * is stored, counted or forwarded: a backend that is down. Both codes are retryable for the SDK.
   */
  public void setAvailable(boolean available) {
    this.available = available;
  }

  /** Whether exports are currently accepted. */
  public boolean isAvailable() {
    return available;
  }

  /** Whether received spans are kept ({@code false}: only counted). */
  public boolean storesSpans() {
    return storeSpans;
  }

  /**
   * Also sends every accepted request, unchanged, to the OTLP gRPC endpoint {@code otlpGrpcEndpoint}
   * (e.g. {@code http://localhost:4317} for a local Jaeger; {@code https://} uses TLS). Forwarding is
   * asynchronous and best-effort: it never delays or fails the answer to the exporter, and only its
   * first failure is logged. Replaces any earlier target.
   */
  public OtlpReceiver forwardTo(String otlpGrpcEndpoint) {
    Forwarder next = new Forwarder(Objects.requireNonNull(otlpGrpcEndpoint, "otlpGrpcEndpoint"));
    Forwarder previous = forwarder.getAndSet(next);
    if (previous != null) {
      previous.close();
    }
    if (closed.get()) {
      stopForwarding();
    }
    return this;
  }

  /** Stops forwarding, if it was on. */
  public void stopForwarding() {
    Forwarder previous = forwarder.getAndSet(null);
    if (previous != null) {
      previous.close();
    }
  }

  // ---------------------------------------------------------------- queries

  /** A snapshot of every stored span, in arrival order. */
  public List<ReceivedSpan> spans() {
    synchronized (lock) {
      return List.copyOf(spans);
    }
  }

  /** The stored spans of one trace (hex id), in arrival order. */
  public List<ReceivedSpan> spans(String traceId) {
    return spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** The stored spans named {@code name}, in arrival order. */
  public List<ReceivedSpan> spansNamed(String name) {
    return spans().stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The stored spans grouped by trace id, traces in order of their first span's arrival. */
  public Map<String, List<ReceivedSpan>> traces() {
    Map<String, List<ReceivedSpan>> byTrace = spans().stream()
        .collect(Collectors.groupingBy(ReceivedSpan::traceId, LinkedHashMap::new, Collectors.toList()));
    byTrace.replaceAll((id, list) -> List.copyOf(list));
    return Collections.unmodifiableMap(byTrace);
  }

  /** Spans accepted since start or the last {@link #clear()}, counted even when not storing. */
  public long spanCount() {
    return spanCount.get();
  }

  /** Export requests accepted (over both transports) since start or the last {@link #clear()}. */
  public long acceptedRequestCount() {
    return acceptedRequests.get();
  }

  /** Export requests refused while unavailable since start or the last {@link #clear()}. */
  public long rejectedRequestCount() {
    return rejectedRequests.get();
  }

  /** Forgets every stored span and resets the counters; availability and delay are kept. */
  public void clear() {
    synchronized (lock) {
      spans.clear();
      spanCount.set(0);
      acceptedRequests.set(0);
      rejectedRequests.set(0);
      version++;
      lock.notifyAll();
    }
  }

  /**
   * Waits until {@code condition} holds for the stored spans and returns the snapshot it held for. The
   * condition is re-checked each time a request is stored (no polling); on timeout an {@link
   * AssertionError} says how many spans arrived and their names, which is usually enough to see what
   * went missing.
   */
  public List<ReceivedSpan> awaitSpans(Predicate<List<ReceivedSpan>> condition, Duration timeout) {
    return awaitSpans("condition", condition, timeout);
  }

  /** Like {@link #awaitSpans(Predicate, Duration)}, with {@code description} in the failure message. */
  public List<ReceivedSpan> awaitSpans(
      String description, Predicate<List<ReceivedSpan>> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ReceivedSpan> snapshot;
      long seen;
      synchronized (lock) {
        snapshot = List.copyOf(spans);
        seen = version;
      }
      // Tested outside the lock: a slow condition must not stall the receiver's threads.
      if (condition.test(snapshot)) {
        return snapshot;
      }
      synchronized (lock) {
        while (version == seen) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw new AssertionError(timeoutMessage(description, timeout, List.copyOf(spans)));
          }
          waitOnLock(remaining);
        }
      }
    }
  }

  /**
   * Waits until at least {@code expected} spans were accepted, stored or not (so it also serves the
   * counting mode of benchmarks), and returns the count. Throws {@link AssertionError} on timeout.
   */
  public long awaitSpanCount(long expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (spanCount.get() < expected) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new AssertionError(
              timeoutMessage("spanCount >= " + expected, timeout, List.copyOf(spans)));
        }
        waitOnLock(remaining);
      }
      return spanCount.get();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops both servers and drops answers still held back by a delay; forwards in flight get up to
   * {@link #FORWARD_DRAIN} to finish. Idempotent.
   */
  public void stop() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    grpcServer.shutdownNow();
    httpServer.stop(0);
    responseScheduler.shutdownNow();
    httpExecutor.shutdownNow();
    stopForwarding();
    try {
      grpcServer.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      httpExecutor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /**
   * True if a plain TCP connection to {@code host:port} succeeds within {@code timeout}; used to decide
   * whether a real Jaeger is there to forward to.
   */
  public static boolean reachable(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "OtlpReceiver[grpc=" + grpcEndpoint() + ", http=" + httpEndpoint() + ", spans="
        + spanCount() + "]";
  }

  // ---------------------------------------------------------------- internals

  /**
   * Records a serialized export request; false if refused because the receiver is "down". Counting
   * only walks the wire format; only storing parses the request into objects.
   */
  private boolean accept(byte[] request) throws InvalidProtocolBufferException {
    if (!available) {
      rejectedRequests.incrementAndGet();
      return false;
    }
    long count;
    List<ReceivedSpan> converted;
    if (storeSpans) {
      converted = OtlpSpans.convert(ExportTraceServiceRequest.parseFrom(request));
      count = converted.size();
    } else {
      count = OtlpSpans.count(request);
      converted = List.of();
    }
    acceptedRequests.incrementAndGet();
    synchronized (lock) {
      spans.addAll(converted);
      spanCount.addAndGet(count);
      version++;
      lock.notifyAll();
    }
    Forwarder target = forwarder.get();
    if (target != null) {
      target.forward(request);
    }
    return true;
  }

  /**
   * Runs {@code answer} after {@code delayNanos}, on the scheduler. The delay is read when the request
   * arrives, before it is stored: a test that sees the spans and then changes the delay must not change
   * the answer of the request it just saw.
   */
  private void respondLater(long delayNanos, Runnable answer) {
    Runnable guarded = () -> {
      try {
        answer.run();
      } catch (RuntimeException e) {
        // The client may have given up (deadline, shutdown) while we held the answer back.
        LOG.debug("OTLP receiver could not deliver an answer", e);
      }
    };
    if (delayNanos <= 0) {
      guarded.run();
      return;
    }
    try {
      responseScheduler.schedule(guarded, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("OTLP receiver stopped; answer dropped");
    }
  }

  private void handleHttp(HttpExchange exchange) {
    try {
      String method = exchange.getRequestMethod();
      if (!HTTP_TRACES_PATH.equals(exchange.getRequestURI().getPath())) {
        drainAndAnswer(exchange, 404, Status.Code.NOT_FOUND.value(),
            "Not found; OTLP traces go to POST " + HTTP_TRACES_PATH);
        return;
      }
      if (!"POST".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "POST");
        drainAndAnswer(exchange, 405, Status.Code.UNIMPLEMENTED.value(),
            "Method not allowed; use POST");
        return;
      }
      String contentType = mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
      if (!PROTOBUF_CONTENT_TYPE.equals(contentType)) {
        drainAndAnswer(exchange, 415, Status.Code.INVALID_ARGUMENT.value(),
            "Unsupported Content-Type '" + contentType + "'; only " + PROTOBUF_CONTENT_TYPE);
        return;
      }
      String encoding = mediaType(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      boolean gzip = "gzip".equals(encoding);
      if (!gzip && !encoding.isEmpty() && !"identity".equals(encoding)) {
        drainAndAnswer(exchange, 415, Status.Code.INVALID_ARGUMENT.value(),
            "Unsupported Content-Encoding '" + encoding + "'");
        return;
      }
      long delay = responseDelayNanos;
      boolean accepted;
      try (InputStream raw = exchange.getRequestBody();
          InputStream body = gzip ? new GZIPInputStream(raw) : raw) {
        accepted = accept(body.readAllBytes());
      } catch (IOException e) {
        // Bad protobuf, bad or truncated gzip, or a client gone mid-body: all the request's fault.
        answer(exchange, 400, Status.Code.INVALID_ARGUMENT.value(),
            "Malformed request body: " + e.getMessage());
        return;
      }
      respondLater(delay, () -> {
        if (accepted) {
          send(exchange, 200, EXPORT_RESPONSE_BYTES);
        } else {
          answer(exchange, 503, Status.Code.UNAVAILABLE.value(), UNAVAILABLE_MESSAGE);
        }
      });
    } catch (IOException | RuntimeException e) {
      LOG.warn("OTLP receiver failed on an HTTP request", e);
      answer(exchange, 500, Status.Code.INTERNAL.value(), "Internal error: " + e);
    }
  }

  /** Reads away any request body (so the connection can be reused), then answers. */
  private static void drainAndAnswer(HttpExchange exchange, int httpCode, int rpcCode, String message)
      throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    answer(exchange, httpCode, rpcCode, message);
  }

  /** An OTLP/HTTP error answer: the body is a protobuf {@code google.rpc.Status}, as the spec asks. */
  private static void answer(HttpExchange exchange, int httpCode, int rpcCode, String message) {
    byte[] body = com.google.rpc.Status.newBuilder().setCode(rpcCode).setMessage(message).build()
        .toByteArray();
    send(exchange, httpCode, body);
  }

  private static void send(HttpExchange exchange, int httpCode, byte[] body) {
    try {
      exchange.getResponseHeaders().set("Content-Type", PROTOBUF_CONTENT_TYPE);
      // -1 means "no body" to the JDK server; 0 would mean chunked.
      exchange.sendResponseHeaders(httpCode, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException e) {
      LOG.debug("OTLP receiver could not send an HTTP answer (client gone?)", e);
    } finally {
      exchange.close();
    }
  }

  /** The lower-cased media type without parameters, or "" for a missing header. */
  private static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private void waitOnLock(long remainingNanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, remainingNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for spans", e);
    }
  }

  private String timeoutMessage(String description, Duration timeout, List<ReceivedSpan> seen) {
    StringBuilder sb = new StringBuilder()
        .append("Timed out after ").append(timeout.toMillis()).append(" ms waiting for ")
        .append(description).append(" on ").append(this).append(": ")
        .append(spanCount()).append(" spans accepted (").append(seen.size()).append(" stored) in ")
        .append(acceptedRequestCount()).append(" requests, ")
        .append(rejectedRequestCount()).append(" requests rejected");
    if (!available) {
      sb.append("; the receiver is set UNAVAILABLE");
    }
    if (!storeSpans) {
      sb.append("; spans are only counted (storeSpans=false)");
    }
    Set<String> names = new LinkedHashSet<>();
    for (ReceivedSpan span : seen) {
      names.add(span.name());
    }
    sb.append("; span names: ");
    sb.append(names.stream().limit(MAX_NAMES_IN_MESSAGE).collect(Collectors.joining(", ", "[", "")));
    sb.append(names.size() > MAX_NAMES_IN_MESSAGE ? ", ... " + names.size() + " distinct]" : "]");
    return sb.toString();
  }

  private static Duration checkDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("Response delay must not be negative: " + delay);
    }
    return delay;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * The gRPC face, {@code opentelemetry.proto.collector.trace.v1.TraceService/Export} as generated in
   * {@link TraceServiceGrpc}, but taking the request as bytes instead of through {@code
   * TraceServiceImplBase}: the counting mode then never builds a message, and forwarding passes the
   * exact bytes on.
   */
  private ServerServiceDefinition traceService() {
    return ServerServiceDefinition.builder(TraceServiceGrpc.SERVICE_NAME)
        .addMethod(EXPORT_BYTES_IN, ServerCalls.asyncUnaryCall(this::exportGrpc))
        .build();
  }

  /** Store first, then answer (after the delay) or refuse. */
  private void exportGrpc(byte[] request, StreamObserver<ExportTraceServiceResponse> observer) {
    long delay = responseDelayNanos;
    boolean accepted;
    try {
      accepted = accept(request);
    } catch (InvalidProtocolBufferException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("Malformed request: " + e.getMessage())
          .asRuntimeException());
      return;
    }
    respondLater(delay, () -> {
      if (accepted) {
        observer.onNext(ExportTraceServiceResponse.getDefaultInstance());
        observer.onCompleted();
      } else {
        observer.onError(Status.UNAVAILABLE.withDescription(UNAVAILABLE_MESSAGE).asRuntimeException());
      }
    });
  }

  /** Passes gRPC messages through as their serialized bytes. */
  private enum ByteMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try (stream) {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("Cannot read a gRPC message").withCause(e)
            .asRuntimeException();
      }
    }
  }

  /** A gRPC client that replays requests to another backend; failures are logged once, then ignored. */
  private static final class Forwarder {
    private final String endpoint;
    private final ManagedChannel channel;
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    Forwarder(String endpoint) {
      this.endpoint = endpoint;
      URI uri = URI.create(endpoint.contains("://") ? endpoint : "http://" + endpoint);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("Not an OTLP gRPC endpoint: " + endpoint);
      }
      int port = uri.getPort() < 0 ? DEFAULT_OTLP_GRPC_PORT : uri.getPort();
      NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress(uri.getHost(), port)
          .maxInboundMessageSize(MAX_MESSAGE_BYTES);
      if ("https".equalsIgnoreCase(uri.getScheme())) {
        channelBuilder.useTransportSecurity();
      } else {
        channelBuilder.usePlaintext();
      }
      this.channel = channelBuilder.build();
    }

    void forward(byte[] request) {
      // A gRPC-received request runs in its server call's Context, which is cancelled as soon as we
      // answer; a forked Context keeps the forwarded call from being cancelled with it.
      Context.current().fork().run(() -> send(request));
    }

    private void send(byte[] request) {
      try {
        CallOptions options =
            CallOptions.DEFAULT.withDeadlineAfter(FORWARD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        ClientCalls.asyncUnaryCall(channel.newCall(EXPORT_BYTES_IN_OUT, options), request,
            new StreamObserver<byte[]>() {
              @Override
              public void onNext(byte[] response) {}

              @Override
              public void onError(Throwable t) {
                failed(t);
              }

              @Override
              public void onCompleted() {}
            });
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    private void failed(Throwable t) {
      if (failureLogged.compareAndSet(false, true)) {
        LOG.warn("Forwarding spans to {} failed; further failures are not logged: {}", endpoint,
            t.toString());
      }
    }

    /** Lets forwards in flight finish for a moment (the demo's last batch), then cuts them off. */
    void close() {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(FORWARD_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Settings for {@link OtlpReceiver}; every one has a default, see the constants. */
  public static final class Builder {
    private int grpcPort = DEFAULT_PORT;
    private int httpPort = DEFAULT_PORT;
    private Duration responseDelay = DEFAULT_RESPONSE_DELAY;
    private boolean storeSpans = true;
    private String forwardTo;

    private Builder() {}

    /** The gRPC port; 0 (default) picks a free one. */
    public Builder grpcPort(int port) {
      this.grpcPort = checkPort(port);
      return this;
    }

    /** The HTTP port; 0 (default) picks a free one. */
    public Builder httpPort(int port) {
      this.httpPort = checkPort(port);
      return this;
    }

    /** The initial answer delay, see {@link OtlpReceiver#setResponseDelay(Duration)}. */
    public Builder responseDelay(Duration delay) {
      this.responseDelay = checkDelay(delay);
      return this;
    }

    /** {@code false} only counts spans: for throughput benchmarks, where storing would be the cost. */
    public Builder storeSpans(boolean store) {
      this.storeSpans = store;
      return this;
    }

    /** Forward from the start, see {@link OtlpReceiver#forwardTo(String)}. */
    public Builder forwardTo(String otlpGrpcEndpoint) {
      this.forwardTo = Objects.requireNonNull(otlpGrpcEndpoint, "otlpGrpcEndpoint");
      return this;
    }

    /** Starts both servers; throws {@link UncheckedIOException} if a port cannot be bound. */
    public OtlpReceiver build() {
      return new OtlpReceiver(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("Port out of range: " + port);
      }
      return port;
    }
  }
}
