package vcftrace.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A Prometheus registry with the JVM and process binders, served at {@code /metrics} by the JDK's
 * HTTP server, and {@code /health}: {@code 200 {"status":"UP"}}, or {@code 503
 * {"status":"PAUSED","reason":"…"}} while the {@link #health health supplier} says so (a paused
 * worker is alive and in its group, but takes no jobs). Micrometer does the exposition format; this
 * class only wires it to a port.
 */
public final class MetricsServer implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final HttpServer server;
  private volatile Supplier<Health> health = Health::up;

  /** What {@code /health} answers: up, or paused with a reason. */
  public record Health(boolean isUp, String reason) {
    public static Health up() {
      return new Health(true, null);
    }

    public static Health paused(String reason) {
      return new Health(false, Objects.requireNonNull(reason, "reason"));
    }

    String json() {
      Map<String, String> body = new LinkedHashMap<>();
      body.put("status", isUp ? "UP" : "PAUSED");
      if (reason != null) body.put("reason", reason);
      try {
        return Json.MAPPER.writeValueAsString(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e); // a map of strings always serialises
      }
    }
  }

  private MetricsServer(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server) {
    this.registry = registry;
    this.gc = gc;
    this.server = server;
  }

  /** Starts serving on {@code port} (0 = any free port); {@code port < 0} keeps the registry only. */
  public static MetricsServer start(int port, String application) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("application", application);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    HttpServer server = null;
    if (port >= 0) {
      server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext(
          "/metrics",
          exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
    }
    MetricsServer metrics = new MetricsServer(registry, gc, server);
    if (server != null) {
      server.createContext("/health", exchange -> {
        Health h;
        try {
          h = metrics.health.get();
        } catch (RuntimeException e) {
          h = Health.paused("health check failed: " + e);
        }
        byte[] body = h.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(h.isUp() ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
    }
    return metrics;
  }

  /** Sets what {@code /health} reports; until set, it reports UP. */
  public void health(Supplier<Health> supplier) {
    this.health = Objects.requireNonNull(supplier, "supplier");
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The bound port, or -1 when not serving. */
  public int port() {
    return server == null ? -1 : server.getAddress().getPort();
  }

  @Override
  public void close() {
    if (server != null) server.stop(0);
    gc.close();
    registry.close();
  }
}
