package vcftrace.devkit.kafka;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one process) running as a
 * child JVM, for the demo, the end-to-end tests and the fault tests.
 *
 * <p>Why a child process and not an in-JVM cluster: the fault tests kill the broker with SIGKILL and
 * bring it back on the same ports and data, which only a separate process models faithfully; the
 * broker's threads, heap and logging also stay out of the test JVM. Why not Docker: the devkit must
 * run where there is none. The broker's classes come from this JVM's own classpath (the devkit
 * depends on {@code kafka_2.13}), so no Kafka distribution has to be downloaded.
 *
 * <p>Layout of {@code dataDir}: {@value #PROPERTIES_FILE}, {@value #LOGBACK_FILE} (the broker logs
 * through SLF4J, which binds to logback on this classpath), {@value #LOG_FILE} (everything the broker
 * and the storage tool print, appended across restarts) and {@value #KRAFT_DIR}/ (the metadata and
 * topic data). Storage is formatted only once, so restarting, or starting again on the same {@code
 * dataDir} from another JVM, keeps topics and records; ports are then reused from the previous
 * {@value #PROPERTIES_FILE} unless given.
 */
public final class KafkaBroker implements AutoCloseable {

  /** Partitions of topics created without a count. */
  public static final int DEFAULT_PARTITIONS = 6;

  /** The broker's heap; enough for the benchmarks, small enough for a 2-core CI machine. */
  public static final String DEFAULT_MAX_HEAP = "512m";

  /** How long a start may take, from launch to a successful describeCluster. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

  /** How long {@link #stop()} waits after SIGTERM (controlled shutdown) before SIGKILL. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

  public static final String LOG_FILE = "broker.log";
  public static final String PROPERTIES_FILE = "server.properties";
  public static final String LOGBACK_FILE = "broker-logback.xml";
  public static final String KRAFT_DIR = "kraft-logs";

  static final int NODE_ID = 1;
  static final String HOST = "127.0.0.1";
  static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(120);
  static final Duration READINESS_BACKOFF = Duration.ofMillis(250);
  static final Duration READINESS_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
  static final int LOG_TAIL_BYTES = 8 * 1024;

  /**
   * Internal topics default to 50 partitions; on one small node that slows the first consumer group
   * and transaction by seconds for no benefit.
   */
  static final int INTERNAL_TOPIC_PARTITIONS = 10;

  /** Variables that would make the child JVM load agents or flags meant for the parent. */
  private static final List<String> SCRUBBED_ENV = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private static final Pattern PLAINTEXT_PORT = Pattern.compile("PLAINTEXT://[^:,]+:(\\d+)");
  private static final Pattern CONTROLLER_PORT = Pattern.compile("CONTROLLER://[^:,]+:(\\d+)");

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private final String clusterId;
  private final String maxHeap;
  private final String classpath;
  private final Duration startupTimeout;
  private final Duration stopTimeout;
  private Process process;
  private Thread reaper;

  private KafkaBroker(Builder b, int port, int controllerPort, String clusterId) {
    this.dataDir = b.dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.clusterId = clusterId;
    this.maxHeap = b.maxHeap;
    this.classpath = b.classpath;
    this.startupTimeout = b.startupTimeout;
    this.stopTimeout = b.stopTimeout;
  }

  /** Starts a broker on free loopback ports (or the ports of an earlier run on {@code dataDir}). */
  public static KafkaBroker start(Path dataDir) throws IOException {
    return builder(dataDir).start();
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Settings of a broker; {@link #start()} formats storage if needed, launches and waits for it. */
  public static final class Builder {
    private final Path dataDir;
    private int port;
    private int controllerPort;
    private int numPartitions = DEFAULT_PARTITIONS;
    private String maxHeap = DEFAULT_MAX_HEAP;
    private String classpath = System.getProperty("java.class.path");
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder(Path dataDir) {
      this.dataDir = requireNonNull(dataDir, "dataDir").toAbsolutePath();
    }

    /** The client (PLAINTEXT) port; 0, the default, picks a free one. */
    public Builder port(int port) {
      this.port = checkPort(port);
      return this;
    }

    /** The KRaft controller port; 0, the default, picks a free one. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = checkPort(controllerPort);
      return this;
    }

    public Builder numPartitions(int numPartitions) {
      if (numPartitions < 1) throw new IllegalArgumentException("numPartitions must be >= 1: " + numPartitions);
      this.numPartitions = numPartitions;
      return this;
    }

    /** The child's {@code -Xmx}, e.g. {@code 512m}. */
    public Builder maxHeap(String maxHeap) {
      if (!maxHeap.matches("\\d+[kKmMgG]?")) throw new IllegalArgumentException("not a heap size: " + maxHeap);
      this.maxHeap = maxHeap;
      return this;
    }

    /** The classpath of the broker JVM; defaults to this JVM's, which holds kafka_2.13 in the devkit. */
    public Builder classpath(String classpath) {
      this.classpath = requireNonNull(classpath, "classpath");
      return this;
    }

    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = requireNonNull(startupTimeout, "startupTimeout");
      return this;
    }

    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = requireNonNull(stopTimeout, "stopTimeout");
      return this;
    }

    /** Sets or overrides one server.properties entry, e.g. {@code auto.create.topics.enable=true}. */
    public Builder property(String key, String value) {
      overrides.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      return this;
    }

    /**
     * Formats storage unless it already is, launches the broker and returns once it answers an Admin
     * describeCluster.
     *
     * @throws IOException if files cannot be written, formatting fails, or the broker exits or is not
     *     ready in time (the message then ends with the tail of {@value #LOG_FILE})
     */
    public KafkaBroker start() throws IOException {
      Files.createDirectories(dataDir);
      Path props = dataDir.resolve(PROPERTIES_FILE);
      Path meta = dataDir.resolve(KRAFT_DIR).resolve("meta.properties");
      boolean formatted = Files.exists(meta);
      int p = port;
      int c = controllerPort;
      if (formatted && Files.exists(props)) {
        String previous = Files.readString(props, StandardCharsets.UTF_8);
        if (p == 0) p = find(PLAINTEXT_PORT, previous);
        if (c == 0) c = find(CONTROLLER_PORT, previous);
      }
      if (p == 0) p = freePort(c);
      if (c == 0) c = freePort(p);
      if (p == c) throw new IllegalArgumentException("port and controllerPort must differ: " + p);

      writeFile(props, serverProperties(p, c));
      writeFile(dataDir.resolve(LOGBACK_FILE), logbackXml());
      String clusterId;
      if (formatted) {
        clusterId = readClusterId(meta);
      } else {
        clusterId = Uuid.randomUuid().toString();
        KafkaBroker unstarted = new KafkaBroker(this, p, c, clusterId);
        unstarted.format();
      }
      KafkaBroker broker = new KafkaBroker(this, p, c, clusterId);
      broker.launch();
      return broker;
    }

    private String serverProperties(int p, int c) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("process.roles", "broker,controller");
      m.put("node.id", Integer.toString(NODE_ID));
      m.put("controller.quorum.bootstrap.servers", HOST + ":" + c);
      m.put("listeners", "PLAINTEXT://" + HOST + ":" + p + ",CONTROLLER://" + HOST + ":" + c);
      m.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + p + ",CONTROLLER://" + HOST + ":" + c);
      m.put("controller.listener.names", "CONTROLLER");
      m.put("inter.broker.listener.name", "PLAINTEXT");
      m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      m.put("log.dirs", dataDir.resolve(KRAFT_DIR).toString());
      m.put("num.partitions", Integer.toString(numPartitions));
      m.put("auto.create.topics.enable", "false");
      m.put("offsets.topic.replication.factor", "1");
      m.put("offsets.topic.num.partitions", Integer.toString(INTERNAL_TOPIC_PARTITIONS));
      m.put("transaction.state.log.replication.factor", "1");
      m.put("transaction.state.log.min.isr", "1");
      m.put("transaction.state.log.num.partitions", Integer.toString(INTERNAL_TOPIC_PARTITIONS));
      m.put("share.coordinator.state.topic.replication.factor", "1");
      m.put("share.coordinator.state.topic.min.isr", "1");
      m.put("group.initial.rebalance.delay.ms", "0");
      m.putAll(overrides);
      StringBuilder sb = new StringBuilder("# Written by vcftrace.devkit.kafka.KafkaBroker on every start.\n");
      m.forEach((k, v) -> sb.append(k).append('=').append(escape(v)).append('\n'));
      return sb.toString();
    }
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public String clusterId() {
    return clusterId;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return dataDir.resolve(LOG_FILE);
  }

  /** The current (or last) broker process, e.g. to check that none is left behind. */
  public synchronized ProcessHandle processHandle() {
    return process.toHandle();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Stops the broker gracefully: SIGTERM, which runs Kafka's controlled shutdown and flushes the logs;
   * SIGKILL if it has not exited within the stop timeout. Does nothing if it is not running.
   */
  public synchronized void stop() throws IOException {
    if (process == null) return;
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          appendLog("KafkaBroker: no exit " + stopTimeout.toSeconds() + " s after SIGTERM, sending SIGKILL");
          process.destroyForcibly().waitFor();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while stopping the broker");
    } finally {
      unregisterReaper();
    }
  }

  /** Kills the broker at once (SIGKILL), as a crash would, and waits for the process to be gone. */
  public synchronized void kill() throws IOException {
    if (process == null) return;
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while killing the broker");
    } finally {
      unregisterReaper();
    }
  }

  /** Stops the broker if it runs, then starts it again on the same ports and data. */
  public synchronized void restart() throws IOException {
    stop();
    launch();
  }

  /** {@link #stop()}: no broker process outlives this object. */
  @Override
  public void close() throws IOException {
    stop();
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", controller " + HOST + ":" + controllerPort + ", " + dataDir + "]";
  }

  private void format() throws IOException {
    List<String> command = javaCommand("256m");
    command.addAll(
        List.of(
            "kafka.tools.StorageTool", "format", "--standalone",
            "-t", clusterId, "-c", dataDir.resolve(PROPERTIES_FILE).toString()));
    appendLog("KafkaBroker: formatting storage, cluster id " + clusterId);
    Process p = processBuilder(command).start();
    try {
      if (!p.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IOException("formatting Kafka storage took over " + FORMAT_TIMEOUT.toSeconds() + " s" + logTail());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while formatting Kafka storage");
    }
    if (p.exitValue() != 0) {
      throw new IOException("formatting Kafka storage failed with exit code " + p.exitValue() + logTail());
    }
  }

  private synchronized void launch() throws IOException {
    if (isRunning()) throw new IllegalStateException("already running: " + this);
    List<String> command = javaCommand(maxHeap);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("kafka.Kafka");
    command.add(dataDir.resolve(PROPERTIES_FILE).toString());
    appendLog("KafkaBroker: launching on " + bootstrapServers() + " (controller " + controllerPort + ")");
    process = processBuilder(command).start();
    registerReaper();
    try {
      awaitReady();
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      try {
        process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      unregisterReaper();
      throw e;
    }
  }

  /**
   * Waits until the client port accepts TCP connections, then polls describeCluster until the broker
   * lists itself. A KRaft broker serves requests only once it is unfenced, so an answer means topics
   * can be created. The TCP probe comes first because an Admin client aimed at a closed port logs a
   * warning on every reconnect. Between attempts it waits for the process to exit, so a crash is
   * noticed at once rather than at the deadline.
   */
  private void awaitReady() throws IOException {
    Instant deadline = Instant.now().plus(startupTimeout);
    try {
      while (!accepts(port)) backOff(deadline, null);
      Properties config = new Properties();
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
      config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafkabroker-readiness");
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) READINESS_ATTEMPT_TIMEOUT.toMillis());
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READINESS_ATTEMPT_TIMEOUT.toMillis());
      config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, (int) READINESS_BACKOFF.toMillis());
      Throwable last = null;
      try (Admin admin = Admin.create(config)) {
        while (true) {
          try {
            Collection<Node> nodes =
                admin
                    .describeCluster(new DescribeClusterOptions().timeoutMs((int) READINESS_ATTEMPT_TIMEOUT.toMillis()))
                    .nodes()
                    .get(READINESS_ATTEMPT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            if (!nodes.isEmpty()) return;
          } catch (ExecutionException e) {
            last = e.getCause();
          } catch (TimeoutException e) {
            last = e;
          }
          backOff(deadline, last);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the broker");
    }
  }

  /** Fails if the broker died or the deadline passed; otherwise waits a little, or until it dies. */
  private void backOff(Instant deadline, Throwable last) throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IOException("the broker exited with code " + process.exitValue() + " while starting" + logTail());
    }
    if (Instant.now().isAfter(deadline)) {
      throw new IOException(
          "the broker was not ready within " + startupTimeout.toSeconds() + " s"
              + (last == null ? "" : " (last error: " + last + ")") + logTail());
    }
    try {
      process.onExit().get(READINESS_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException stillRunning) {
      // The normal case: the caller tries again.
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), (int) READINESS_BACKOFF.toMillis());
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private List<String> javaCommand(String heap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-Djava.awt.headless=true");
    command.add("-Dlogback.configurationFile=" + dataDir.resolve(LOGBACK_FILE));
    command.add("-cp");
    command.add(classpath);
    return command;
  }

  private ProcessBuilder processBuilder(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    SCRUBBED_ENV.forEach(pb.environment()::remove);
    return pb;
  }

  /** Kills the child if this JVM exits without {@link #close()}, so no broker holds the ports. */
  private void registerReaper() {
    Process p = process;
    reaper = new Thread(p::destroyForcibly, "kafka-broker-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  private void unregisterReaper() {
    if (reaper == null) return;
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; nothing to undo.
    }
    reaper = null;
  }

  private void appendLog(String line) throws IOException {
    Files.writeString(
        logFile(),
        "[" + Instant.now() + "] " + line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** The last few KB of the broker log, to explain a failure in the exception itself. */
  private String logTail() {
    try (RandomAccessFile f = new RandomAccessFile(logFile().toFile(), "r")) {
      long start = Math.max(0, f.length() - LOG_TAIL_BYTES);
      byte[] bytes = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(bytes);
      return "\n--- tail of " + logFile() + " ---\n" + new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return " (no log at " + logFile() + ": " + e.getMessage() + ")";
    }
  }

  private static String readClusterId(Path meta) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(meta, StandardCharsets.UTF_8)));
    String id = p.getProperty("cluster.id");
    if (id == null) throw new IOException("no cluster.id in " + meta);
    return id;
  }

  private static int find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** A loopback port nobody listens on now (there is a small race until the broker binds it). */
  private static int freePort(int avoid) throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
        s.setReuseAddress(true);
        if (s.getLocalPort() != avoid) return s.getLocalPort();
      }
    }
  }

  private static int checkPort(int port) {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("not a port: " + port);
    return port;
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }

  private static java.io.File nullDevice() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static void writeFile(Path path, String content) throws IOException {
    Files.writeString(path, content, StandardCharsets.UTF_8);
  }

  private static String logbackXml() {
    return """
        <!-- Written by vcftrace.devkit.kafka.KafkaBroker. The broker's stdout is appended to broker.log. -->
        <configuration>
          <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>[%d{yyyy-MM-dd HH:mm:ss.SSS}] %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
          </appender>
          <logger name="kafka.request.logger" level="WARN"/>
          <logger name="state.change.logger" level="WARN"/>
          <logger name="org.apache.kafka.common.config.AbstractConfig" level="WARN"/>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """;
  }
}
