package vcftrace.devkit.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Docker deployment files, checked without Docker: docker-compose.yml, the Dockerfiles,
 * .dockerignore, prometheus.yml (also by promtool when installed) and the Grafana provisioning and
 * dashboard.
 */
class DeploymentFilesTest {
  private static final Set<String> SERVICES = Set.of("kafka", "jaeger", "prometheus", "grafana", "worker", "producer");
  private static final List<String> WORKER_METRICS = List.of(
      "vcf_jobs_total", "vcf_job_duration_seconds_bucket", "vcf_step_duration_seconds_bucket",
      "vcf_variants_written_rows_total", "kafka_consumer_fetch_manager_records_lag", "vcf_jobs_in_flight",
      "vcf_dlq_messages_total", "vcf_job_retries_total", "otel_spans_exported_total",
      "otel_spans_dropped_total", "otel_span_queue_size", "otel_span_queue_capacity");
  private static final Pattern FROM = Pattern.compile("(?im)^\\s*FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$");

  private static Path root;
  private static Map<String, Object> compose;
  private static Map<String, Object> services;

  @BeforeAll
  static void load() throws IOException {
    root = repositoryRoot();
    compose = yamlMap(root.resolve("docker-compose.yml"));
    services = map(compose.get("services"), "services");
  }

  // ---------------------------------------------------------------- docker-compose.yml

  @Test
  void composeHasEveryService() {
    assertTrue(services.keySet().containsAll(SERVICES), "services: " + services.keySet());
  }

  @Test
  void everyImageIsPinnedAndNotLatest() {
    int images = 0;
    for (var e : services.entrySet()) {
      Object image = map(e.getValue(), e.getKey()).get("image");
      if (image == null) {
        assertNotNull(service(e.getKey()).get("build"), e.getKey() + " has neither image nor build");
        continue;
      }
      images++;
      assertPinned(image.toString(), "service " + e.getKey());
    }
    assertTrue(images >= 4, "kafka, jaeger, prometheus and grafana come from images");
    assertTrue(service("kafka").get("image").toString().startsWith("apache/kafka:"));
    assertTrue(service("jaeger").get("image").toString().startsWith("jaegertracing/jaeger:2."), "Jaeger v2");
    assertTrue(service("prometheus").get("image").toString().startsWith("prom/prometheus:"));
    assertTrue(service("grafana").get("image").toString().startsWith("grafana/grafana:"));
  }

  @Test
  void kafkaIsASingleKraftNodeWithAHostListenerAndAHealthcheck() {
    Map<String, Object> kafka = service("kafka");
    Map<String, String> env = environment(kafka);
    assertEquals(Set.of("broker", "controller"), Set.of(env.get("KAFKA_PROCESS_ROLES").split("\\s*,\\s*")));
    String advertised = env.get("KAFKA_ADVERTISED_LISTENERS");
    assertTrue(advertised.contains("//kafka:"), "a listener for the compose network: " + advertised);
    assertTrue(advertised.contains("//localhost:9092"), "a listener for the host: " + advertised);
    assertNotNull(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
    assertTrue(publishedContainerPorts(kafka).contains(9092), "kafka publishes 9092");
    assertNotNull(map(kafka.get("healthcheck"), "kafka.healthcheck").get("test"), "kafka healthcheck");

    String bootstrap = environment(service("worker")).get("KAFKA_BOOTSTRAP");
    String internal = listener(advertised, "kafka");
    assertEquals(internal, bootstrap, "workers use kafka's compose-network listener");
    assertEquals(internal, environment(service("producer")).get("KAFKA_BOOTSTRAP"));
    for (String s : List.of("worker", "producer")) {
      Map<String, Object> kafkaDep = map(map(service(s).get("depends_on"), s + ".depends_on").get("kafka"), s + " -> kafka");
      assertEquals("service_healthy", kafkaDep.get("condition"), s + " waits for a healthy kafka");
    }
  }

  @Test
  void jaegerExposesOtlpAndTheUi() {
    List<Integer> ports = publishedContainerPorts(service("jaeger"));
    assertTrue(ports.containsAll(List.of(4317, 4318, 16686)), "jaeger ports: " + ports);
    assertEquals("http://jaeger:4317", environment(service("worker")).get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    assertEquals("http://jaeger:4317", environment(service("producer")).get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
  }

  @Test
  void prometheusAndGrafanaAreWiredToTheRepositoryFiles() {
    assertTrue(volumes(service("prometheus")).stream().anyMatch(v -> v.startsWith("./prometheus.yml:/etc/prometheus/prometheus.yml")));
    assertTrue(publishedContainerPorts(service("prometheus")).contains(9090));

    Map<String, Object> grafana = service("grafana");
    assertTrue(volumes(grafana).stream().anyMatch(v -> v.startsWith("./grafana/provisioning:/etc/grafana/provisioning")),
        "grafana mounts the provisioning: " + volumes(grafana));
    assertTrue(publishedContainerPorts(grafana).contains(3000));
    Map<String, String> env = environment(grafana);
    assertEquals("true", env.get("GF_AUTH_ANONYMOUS_ENABLED"));
    assertEquals("Viewer", env.get("GF_AUTH_ANONYMOUS_ORG_ROLE"));
  }

  @Test
  void workerScalesAndSharesItsStores() {
    Map<String, Object> worker = service("worker");
    assertFalse(worker.containsKey("container_name"), "a container_name prevents --scale");
    assertFalse(worker.containsKey("ports"), "a host port prevents --scale (Prometheus scrapes over the network)");
    assertEquals("worker/Dockerfile", map(worker.get("build"), "worker.build").get("dockerfile"));

    Map<String, String> env = environment(worker);
    assertEquals("9464", env.get("METRICS_PORT"));
    assertEquals("vcf-worker", env.get("OTEL_SERVICE_NAME"));
    Map<String, String> mounts = mountTargets(worker); // container path -> source
    Set<String> named = map(compose.get("volumes"), "volumes").keySet();
    for (String store : List.of("LANCE_DB", "KUZU_DIR")) {
      String dir = env.get(store);
      assertNotNull(dir, store);
      String source = mounts.entrySet().stream().filter(m -> dir.startsWith(m.getKey() + "/") || dir.equals(m.getKey()))
          .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError(store + "=" + dir + " is on no volume"));
      assertTrue(named.contains(source), store + " lives on a named volume every replica mounts: " + source);
    }
    String input = env.get("INPUT_ROOT");
    assertTrue(mounts.containsKey(input), "INPUT_ROOT is mounted: " + mounts);
    assertEquals(mounts.get(input), mountTargets(service("producer")).get(input), "producer and workers see the same input");
  }

  @Test
  void producerIsAOneShotTool() {
    Map<String, Object> producer = service("producer");
    Object profiles = producer.get("profiles");
    boolean tool = profiles instanceof List<?> l && l.contains("tools");
    assertTrue(tool || "no".equals(producer.get("restart")), "producer is one-shot (profile tools or restart no)");
    assertEquals("producer/Dockerfile", map(producer.get("build"), "producer.build").get("dockerfile"));
    String command = String.join(" ", strings(producer.get("command")));
    assertTrue(command.startsWith("publish") && command.contains("/data/input"), "command: " + command);
    assertFalse(producer.containsKey("ports"));
  }

  // ---------------------------------------------------------------- Dockerfiles, .dockerignore

  @Test
  void dockerfilesAreMultiStageAndPinned() throws IOException {
    for (String module : List.of("producer", "worker")) {
      String dockerfile = Files.readString(root.resolve(module).resolve("Dockerfile"));
      Matcher m = FROM.matcher(dockerfile);
      Set<String> stages = new HashSet<>();
      List<String> images = new ArrayList<>();
      while (m.find()) {
        String image = m.group(1);
        if (!stages.contains(image)) {
          assertPinned(image, module + "/Dockerfile FROM " + image);
          images.add(image);
        }
        if (m.group(2) != null) stages.add(m.group(2));
      }
      assertEquals(2, images.size(), module + ": a build stage and a runtime stage: " + images);
      assertTrue(images.get(0).startsWith("maven:3.9") && images.get(0).contains("eclipse-temurin-17"), images.get(0));
      assertTrue(images.get(1).startsWith("eclipse-temurin:17") && images.get(1).contains("jre")
          && !images.get(1).contains("alpine"), "Debian/Ubuntu JRE runtime: " + images.get(1));
      assertTrue(dockerfile.contains("./mvnw -B -ntp -pl " + module + " -am package -DskipTests"), module + " build command");
      assertTrue(dockerfile.contains("vcf-" + module + ".jar"), module + " copies its jar");
      Matcher user = Pattern.compile("(?m)^\\s*USER\\s+(\\S+)").matcher(dockerfile);
      String last = null;
      while (user.find()) last = user.group(1);
      assertTrue(last != null && !last.equals("root") && !last.startsWith("0"), module + " runs as non-root: " + last);
      String port = module.equals("worker") ? "9464" : "9465";
      assertTrue(Pattern.compile("(?m)^\\s*EXPOSE\\s+" + port + "\\b").matcher(dockerfile).find(), module + " EXPOSE " + port);
    }
    String worker = Files.readString(root.resolve("worker/Dockerfile"));
    assertTrue(Pattern.compile("apt-get install[^\\n]*\\bbcftools\\b").matcher(worker).find(), "worker installs bcftools");
    assertTrue(Pattern.compile("apt-get install[^\\n]*\\btabix\\b").matcher(worker).find(), "worker installs tabix");
    assertTrue(worker.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), "worker JVM flag for Lance");
  }

  @Test
  void dockerignoreKeepsBuildOutputsAndDataOut() throws IOException {
    List<String> lines = Files.readAllLines(root.resolve(".dockerignore")).stream().map(String::strip).toList();
    for (String required : List.of("target/", "vcf-data/", ".git")) {
      assertTrue(lines.contains(required) || lines.contains("**/" + required), ".dockerignore lacks " + required);
    }
    for (String needed : List.of("mvnw", ".mvn", "pom.xml", "common", "producer", "worker", "devkit")) {
      assertFalse(lines.contains(needed) || lines.contains(needed + "/"), "the build needs " + needed);
    }
  }

  // ---------------------------------------------------------------- prometheus.yml

  @Test
  void prometheusScrapesEveryWorkerTheProducerAndJaeger() {
    Map<String, Object> prom = yamlMap(root.resolve("prometheus.yml"));
    assertEquals("5s", map(prom.get("global"), "global").get("scrape_interval"));
    List<Map<String, Object>> jobs = maps(prom.get("scrape_configs"), "scrape_configs");
    assertTrue(jobs.stream().anyMatch(j -> dnsSd(j, "worker", 9464)), "dns_sd_configs for worker:9464");
    assertTrue(jobs.stream().anyMatch(j -> dnsSd(j, "producer", 9465) || staticTarget(j, "producer:9465")), "scrapes the producer");
    assertTrue(jobs.stream().anyMatch(j -> staticTarget(j, "jaeger:8888")), "scrapes jaeger:8888");
  }

  @Test
  void promtoolAcceptsTheConfig() throws Exception {
    Optional<Path> promtool = onPath("promtool");
    Assumptions.assumeTrue(promtool.isPresent(), "promtool is not installed");
    Run run = run(List.of(promtool.get().toString(), "check", "config", root.resolve("prometheus.yml").toString()));
    assertEquals(0, run.exit(), "promtool check config: " + run.output());
  }

  // ---------------------------------------------------------------- Grafana

  @Test
  void grafanaDatasourcesAreProvisioned() {
    Map<String, Map<String, Object>> ds = datasources();
    assertEquals("prometheus", ds.get("prometheus").get("type"));
    assertEquals("http://prometheus:9090", ds.get("prometheus").get("url"));
    assertEquals("jaeger", ds.get("jaeger").get("type"));
    assertEquals("http://jaeger:16686", ds.get("jaeger").get("url"));
  }

  @Test
  void grafanaLoadsTheDashboardsDirectoryItIsGiven() {
    Map<String, Object> provisioning = yamlMap(root.resolve("grafana/provisioning/dashboards/dashboards.yml"));
    List<Map<String, Object>> providers = maps(provisioning.get("providers"), "providers");
    assertFalse(providers.isEmpty());
    String path = map(providers.get(0).get("options"), "options").get("path").toString();
    assertEquals("./grafana/dashboards", mountTargets(service("grafana")).get(path),
        "the provider's path is where compose mounts ./grafana/dashboards");
    assertTrue(Files.isRegularFile(root.resolve("grafana/dashboards/vcf-pipeline.json")));
  }

  @Test
  void everyPanelQueriesAProvisionedDatasource() {
    Map<String, Map<String, Object>> ds = datasources();
    JsonNode dashboard = Dashboards.read(dashboardJson());
    List<JsonNode> panels = Dashboards.panels(dashboard);
    assertTrue(panels.size() >= 12, "panels: " + panels.size());
    int jaegerPanels = 0;
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels) {
      String title = panel.path("title").asText();
      assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id in " + title);
      if ("row".equals(panel.path("type").asText())) continue;
      assertTrue(panel.path("targets").size() > 0, title + " has no targets");
      boolean jaegerPanel = false;
      boolean hasExpr = false;
      for (JsonNode target : panel.path("targets")) {
        JsonNode d = target.path("datasource");
        assertTrue(d.isObject(), title + ": every target names its datasource");
        String uid = d.path("uid").asText();
        String type = d.path("type").asText();
        assertTrue(ds.containsKey(uid), title + ": datasource uid " + uid + " is not provisioned");
        assertEquals(ds.get(uid).get("type"), type, title + ": type of datasource " + uid);
        if (type.equals("jaeger")) {
          jaegerPanel = true;
          assertEquals("vcf-worker", target.path("service").asText(), title);
        } else {
          assertEquals("prometheus", uid, title);
          hasExpr |= !target.path("expr").asText("").isBlank();
        }
      }
      if (jaegerPanel) jaegerPanels++;
      else assertTrue(hasExpr, title + " has no PromQL expr");
    }
    assertEquals(1, jaegerPanels, "one Jaeger traces panel");
  }

  @Test
  void dashboardCoversEveryWorkerMetricAndLinksToJaeger() {
    List<String> exprs = Dashboards.dashboardExpressions(dashboardJson());
    String all = String.join("\n", exprs);
    for (String metric : WORKER_METRICS) assertTrue(all.contains(metric), "no panel shows " + metric);
    for (int q : List.of(50, 95, 99)) {
      String quantile = "histogram_quantile(0." + q;
      assertTrue(exprs.stream().anyMatch(e -> e.startsWith(quantile) && e.contains("vcf_job_duration_seconds_bucket")), "job p" + q);
      assertTrue(exprs.stream().anyMatch(e -> e.startsWith(quantile) && e.contains("vcf_step_duration_seconds_bucket")
          && e.contains("step")), "step p" + q + " by step");
    }

    JsonNode dashboard = Dashboards.read(dashboardJson());
    boolean linked = false;
    for (JsonNode link : dashboard.path("links")) {
      String url = link.path("url").asText();
      linked |= url.startsWith("http://localhost:16686/") && url.contains("service=vcf-worker");
    }
    assertTrue(linked, "the dashboard links to the Jaeger UI search for vcf-worker");
  }

  @Test
  void dashboardExpressionsArePlainPromQl() {
    List<String> exprs = Dashboards.dashboardExpressions(dashboardJson());
    assertTrue(exprs.size() >= 12, "expressions: " + exprs.size());
    for (String e : exprs) {
      assertFalse(e.contains("$"), "unreplaced variable: " + e);
      assertFalse(e.isBlank());
    }
    assertTrue(exprs.stream().anyMatch(e -> e.contains("[5m]")), "$__rate_interval becomes 5m");
    assertEquals("rate(x[5m]) / 1m 1h", Dashboards.substitute("rate(x[$__rate_interval]) / ${__interval} $__range"));
    assertEquals("label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")",
        Dashboards.substitute("label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")"));
  }

  @Test
  void promtoolParsesEveryDashboardExpression(@TempDir Path tmp) throws Exception {
    Optional<Path> promtool = onPath("promtool");
    Assumptions.assumeTrue(promtool.isPresent(), "promtool is not installed");
    List<Map<String, Object>> rules = new ArrayList<>();
    List<String> exprs = Dashboards.dashboardExpressions(dashboardJson());
    for (int i = 0; i < exprs.size(); i++) {
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("record", "dashboard:expr:" + i);
      rule.put("expr", exprs.get(i));
      rules.add(rule);
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Path file = tmp.resolve("dashboard-rules.yml");
    Files.writeString(file, new Yaml(options).dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
    Run run = run(List.of(promtool.get().toString(), "check", "rules", file.toString()));
    assertEquals(0, run.exit(), "promtool check rules: " + run.output());
  }

  // ---------------------------------------------------------------- helpers

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docker-compose.yml")) && Files.isRegularFile(p.resolve("mvnw"))) return p;
    }
    throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
  }

  private static Path dashboardJson() {
    return root.resolve("grafana/dashboards/vcf-pipeline.json");
  }

  private static Map<String, Object> yamlMap(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return map(doc, file.toString());
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map<?, ?>)) throw new AssertionError(what + " is not a mapping: " + o);
    return (Map<String, Object>) o;
  }

  private static List<Map<String, Object>> maps(Object o, String what) {
    if (!(o instanceof List<?> list)) throw new AssertionError(what + " is not a list: " + o);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object e : list) out.add(map(e, what + "[]"));
    return out;
  }

  private static List<String> strings(Object o) {
    if (o == null) return List.of();
    if (o instanceof List<?> list) return list.stream().map(String::valueOf).toList();
    return List.of(String.valueOf(o));
  }

  private static Map<String, Object> service(String name) {
    return map(services.get(name), "service " + name);
  }

  /** A service's environment, as a map whether written as a mapping or as a list of NAME=value. */
  private static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new LinkedHashMap<>();
    Object e = service.get("environment");
    if (e instanceof Map<?, ?> m) {
      m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
    } else {
      for (String kv : strings(e)) {
        int eq = kv.indexOf('=');
        env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? null : kv.substring(eq + 1));
      }
    }
    return env;
  }

  /** Container-side ports of {@code ports:} (short "host:container[/proto]" or long syntax). */
  private static List<Integer> publishedContainerPorts(Map<String, Object> service) {
    List<Integer> out = new ArrayList<>();
    Object ports = service.get("ports");
    if (!(ports instanceof List<?> list)) return out;
    for (Object p : list) {
      String container;
      if (p instanceof Map<?, ?> m) {
        container = String.valueOf(m.get("target"));
      } else {
        String s = String.valueOf(p);
        container = s.substring(s.lastIndexOf(':') + 1);
      }
      out.add(Integer.parseInt(container.replaceAll("/.*", "")));
    }
    return out;
  }

  /** Volumes in short syntax ("source:target[:mode]"), long syntax rewritten to it. */
  private static List<String> volumes(Map<String, Object> service) {
    List<String> out = new ArrayList<>();
    Object vs = service.get("volumes");
    if (!(vs instanceof List<?> list)) return out;
    for (Object v : list) {
      if (v instanceof Map<?, ?> m) out.add(m.get("source") + ":" + m.get("target"));
      else out.add(String.valueOf(v));
    }
    return out;
  }

  /** Container path -> source (a named volume, or a host path as written, defaults of ${VAR:-x} applied). */
  private static Map<String, String> mountTargets(Map<String, Object> service) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : volumes(service)) {
      String resolved = v.replaceAll("\\$\\{\\w+:-([^}]*)}", "$1");
      String[] parts = resolved.split(":");
      if (parts.length >= 2) out.put(parts[1], parts[0]);
    }
    return out;
  }

  /** The host:port of the advertised listener on {@code host}. */
  private static String listener(String advertised, String host) {
    for (String l : advertised.split(",")) {
      String hostPort = l.substring(l.indexOf("//") + 2).strip();
      if (hostPort.startsWith(host + ":")) return hostPort;
    }
    throw new AssertionError("no listener on " + host + " in " + advertised);
  }

  private static Map<String, Map<String, Object>> datasources() {
    Map<String, Object> provisioning = yamlMap(root.resolve("grafana/provisioning/datasources/datasources.yml"));
    Map<String, Map<String, Object>> byUid = new LinkedHashMap<>();
    for (Map<String, Object> ds : maps(provisioning.get("datasources"), "datasources")) {
      byUid.put(String.valueOf(ds.get("uid")), ds);
    }
    return byUid;
  }

  private static boolean dnsSd(Map<String, Object> job, String name, int port) {
    Object sd = job.get("dns_sd_configs");
    if (sd == null) return false;
    for (Map<String, Object> c : maps(sd, "dns_sd_configs")) {
      if (strings(c.get("names")).contains(name) && "A".equals(c.get("type"))
          && Integer.valueOf(port).equals(c.get("port"))) return true;
    }
    return false;
  }

  private static boolean staticTarget(Map<String, Object> job, String target) {
    Object sc = job.get("static_configs");
    if (sc == null) return false;
    return maps(sc, "static_configs").stream().anyMatch(c -> strings(c.get("targets")).contains(target));
  }

  /** {@code image} names a tag (or a digest) that is not "latest" and no unresolved variable. */
  private static void assertPinned(String image, String where) {
    if (image.contains("@sha256:")) return;
    String name = image.substring(image.lastIndexOf('/') + 1);
    int colon = name.indexOf(':');
    assertTrue(colon > 0 && colon < name.length() - 1, where + ": image without a tag: " + image);
    String tag = name.substring(colon + 1);
    assertFalse(tag.equalsIgnoreCase("latest"), where + ": image tag latest: " + image);
    assertFalse(image.contains("$"), where + ": image tag from a variable: " + image);
  }

  private static Optional<Path> onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) return Optional.empty();
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, tool);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = p.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(output unreadable: " + e + ")";
      }
    });
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " ran over 60 s");
    }
    return new Run(p.exitValue(), out.join());
  }
}
