package vcftrace.devkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vcftrace.common.JobResult;
import vcftrace.common.JobStatus;
import vcftrace.devkit.deploy.Dashboards;
import vcftrace.devkit.gen.VcfGenerator;
import vcftrace.worker.WorkerApp;

/**
 * Debian's real Prometheus scrapes a running worker during an end-to-end run; then every PromQL
 * expression of the provisioned Grafana dashboard is evaluated through Prometheus's HTTP API and must
 * return data, and the job and variant counters must equal what the results say.
 */
class ObservabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;

  @Test
  void prometheusScrapesAWorkerAndEveryDashboardQueryReturnsData() throws Exception {
    try (KafkaTestKit kafka = new KafkaTestKit(); TestPipeline p = new TestPipeline(kafka.bootstrapServers(), tmp)) {
      VcfGenerator.write(VcfGenerator.Spec.builder().variants(2000).samples(3).seed(4).bgzip(true).build(),
          p.input.resolve("good.vcf.gz"));
      VcfGenerator.malformed(p.input);
      WorkerApp worker = p.startWorker("worker-observed");

      int promPort;
      try (ServerSocket s = new ServerSocket(0)) {
        promPort = s.getLocalPort();
      }
      Path config = Files.writeString(tmp.resolve("prometheus.yml"), String.join("\n",
          "global: {scrape_interval: 1s, evaluation_interval: 1s}",
          "scrape_configs:",
          "  - job_name: vcf-worker",
          "    static_configs: [{targets: ['127.0.0.1:" + worker.metricsPort() + "']}]", ""));
      Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
          "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
          .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
      String api = "http://127.0.0.1:" + promPort;
      try {
        await("Prometheus ready", () -> get(api + "/-/ready").statusCode() == 200);
        await("a first scrape of the worker", () -> !query(api, "vcf_jobs_in_flight").isEmpty());

        assertEquals(1, p.publish("--wait", p.input.toString()), "one job fails, so publish exits 1");
        Map<String, JobResult> results = p.results();
        long succeeded = results.values().stream().filter(r -> r.status() == JobStatus.SUCCEEDED).count();
        long lanceRows = results.values().stream().mapToLong(r -> r.counts().lanceRows()).sum();
        assertEquals(1, succeeded);

        // counters as Prometheus has them equal the results
        await("the finished jobs scraped", () -> value(api, "sum(vcf_jobs_total)") == results.size());
        assertEquals(succeeded, value(api, "sum(vcf_jobs_total{status=\"succeeded\"})"));
        assertEquals(1, value(api, "sum(vcf_jobs_total{status=\"failed\",error_type=\"INVALID_VCF\"})"));
        assertEquals(1, value(api, "sum(vcf_dlq_messages_total{reason=\"INVALID_VCF\"})"));
        assertEquals(lanceRows, value(api, "sum(vcf_variants_written_rows_total{store=\"lancedb\"})"));

        List<String> exprs = Dashboards.dashboardExpressions(Path.of("..", "grafana", "dashboards", "vcf-pipeline.json"));
        assertTrue(exprs.size() >= 15, "dashboard queries: " + exprs.size());
        List<String> empty = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (String expr : exprs) {
          // Kafka's lag meters appear on the worker's next metrics refresh: allow for it
          while (query(api, expr).isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
          }
          if (query(api, expr).isEmpty()) empty.add(expr);
        }
        assertEquals(List.of(), empty, "dashboard queries without data");
      } finally {
        prometheus.destroy();
        prometheus.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<JsonNode> query(String api, String expr) throws IOException, InterruptedException {
    HttpResponse<String> r = get(api + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(r.body());
    assertEquals("success", body.path("status").asText(), () -> expr + ": " + r.body());
    List<JsonNode> out = new ArrayList<>();
    JsonNode result = body.path("data").path("result");
    if (body.path("data").path("resultType").asText().equals("scalar")) {
      out.add(result);
    } else {
      result.forEach(n -> {
        String v = n.path("value").path(1).asText();
        if (!v.equals("NaN")) out.add(n); // NaN (a quantile of nothing) is no data
      });
    }
    return out;
  }

  private static double value(String api, String expr) throws IOException, InterruptedException {
    List<JsonNode> r = query(api, expr);
    assertFalse(r.isEmpty(), "no data for " + expr);
    return Double.parseDouble(r.get(0).path("value").path(1).asText());
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Polls an external system (Prometheus scrapes every second) until {@code check} holds. */
  private static void await(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (check.ok()) return;
      } catch (IOException | AssertionError e) {
        // not up yet
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
