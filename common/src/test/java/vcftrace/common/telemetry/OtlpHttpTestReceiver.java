package vcftrace.common.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A tiny OTLP/HTTP trace backend on loopback (JDK HTTP server, {@code POST /v1/traces}): common cannot
 * use the devkit's receiver, and the exporter's HTTP/protobuf bytes are what Jaeger would get. It
 * decodes every request, answers 200 or a chosen failure status, optionally after a delay (applied by a
 * scheduler, so a slow answer holds no thread), and lets a test wait for what arrived.
 */
final class OtlpHttpTestReceiver implements AutoCloseable {
  /**
   * One accepted export request: the sender's resource attributes (non-string values as text), the
   * resource's schema URL (empty when none) and the span names, in order.
   */
  record Request(Map<String, String> resource, String resourceSchemaUrl, List<String> spanNames) {}

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool(daemon("receiver-http"));
  private final ScheduledExecutorService answers =
      Executors.newSingleThreadScheduledExecutor(daemon("receiver-answer"));

  private final Object lock = new Object();
  private final List<Request> accepted = new ArrayList<>();
  private long spans;
  private long refused;

  private volatile int status = 200;
  private volatile long delayNanos;

  private OtlpHttpTestReceiver(int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen on port " + port, e);
    }
    server.createContext("/v1/traces", this::handle);
    server.setExecutor(handlers);
    server.start();
  }

  static OtlpHttpTestReceiver start() {
    return new OtlpHttpTestReceiver(0);
  }

  /** Listens on a chosen port: a backend coming back where the exporter expects it. */
  static OtlpHttpTestReceiver start(int port) {
    return new OtlpHttpTestReceiver(port);
  }

  String endpoint() {
    return "http://127.0.0.1:" + port() + "/v1/traces";
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The status of answers from now on; anything but 200 stores nothing. */
  void answerWith(int status) {
    this.status = status;
  }

  /** Holds back every answer from now on. */
  void delayAnswers(Duration delay) {
    this.delayNanos = delay.toNanos();
  }

  long spanCount() {
    synchronized (lock) {
      return spans;
    }
  }

  long refusedRequests() {
    synchronized (lock) {
      return refused;
    }
  }

  List<Request> requests() {
    synchronized (lock) {
      return List.copyOf(accepted);
    }
  }

  List<String> spanNames() {
    return requests().stream().flatMap(r -> r.spanNames().stream()).toList();
  }

  /** Waits, without polling, until {@code condition} holds for the accepted requests. */
  List<Request> await(String what, Predicate<List<Request>> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.test(List.copyOf(accepted))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "Timed out after " + timeout + " waiting for " + what + "; received " + spans
                  + " spans in " + accepted.size() + " requests, refused " + refused);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return List.copyOf(accepted);
    }
  }

  /** Waits until at least {@code count} spans were accepted. */
  void awaitSpanCount(long count, Duration timeout) throws InterruptedException {
    await(count + " spans", r -> spanCount(r) >= count, timeout);
  }

  private static long spanCount(List<Request> requests) {
    return requests.stream().mapToLong(r -> r.spanNames().size()).sum();
  }

  private void handle(HttpExchange exchange) throws IOException {
    ExportTraceServiceRequest request;
    boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
    try (InputStream raw = exchange.getRequestBody();
        InputStream body = gzip ? new GZIPInputStream(raw) : raw) {
      request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
    }
    int answer = status;
    synchronized (lock) {
      if (answer == 200) {
        // One exporter sends one resource per request; the first is the one tests look at.
        Map<String, String> resource = new LinkedHashMap<>();
        String schemaUrl = "";
        List<String> names = new ArrayList<>();
        for (ResourceSpans rs : request.getResourceSpansList()) {
          if (resource.isEmpty()) {
            for (KeyValue kv : rs.getResource().getAttributesList()) {
              resource.put(kv.getKey(), kv.getValue().hasStringValue() ? kv.getValue().getStringValue()
                  : kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue()) : "");
            }
            schemaUrl = rs.getSchemaUrl();
          }
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span span : ss.getSpansList()) {
              names.add(span.getName());
            }
          }
        }
        accepted.add(new Request(Map.copyOf(resource), schemaUrl, List.copyOf(names)));
        spans += names.size();
      } else {
        refused++;
      }
      lock.notifyAll();
    }
    long delay = delayNanos;
    Runnable respond = () -> respond(exchange, answer);
    if (delay > 0) {
      answers.schedule(respond, delay, TimeUnit.NANOSECONDS);
    } else {
      respond.run();
    }
  }

  private static void respond(HttpExchange exchange, int status) {
    try {
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      // An empty ExportTraceServiceResponse (or google.rpc.Status) is zero bytes; -1 = no body.
      exchange.sendResponseHeaders(status, -1);
    } catch (IOException e) {
      // The exporter gave up waiting (its timeout); nothing to answer.
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    answers.shutdownNow();
    handlers.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
