package vcftrace.devkit.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import vcftrace.devkit.ChildJvm;
import vcftrace.devkit.kafka.KafkaBroker;
import vcftrace.devkit.otlp.OtlpReceiver;

/**
 * The pipeline as separate processes, as in production: a Kafka broker process (Apache's jars), an
 * OTLP receiver, and worker JVMs that can be stopped with SIGTERM or killed with SIGKILL. Publishing
 * and reading topics go through an in-JVM {@link TestPipeline} without workers.
 */
final class ProcessPipeline implements AutoCloseable {
  final KafkaBroker broker;
  final TestPipeline client;
  final Map<String, String> env;
  final Path logs;
  private final List<ChildJvm> workers = new ArrayList<>();

  ProcessPipeline(Path tmp) throws Exception {
    broker = KafkaBroker.start(tmp.resolve("kafka"));
    client = new TestPipeline(broker.bootstrapServers(), tmp);
    env = new HashMap<>(client.env);
    // A killed worker's partitions move on after the session timeout: keep it short in tests.
    env.put("KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000");
    env.put("TOPIC_PARTITIONS", "6");
    logs = Files.createDirectories(tmp.resolve("logs"));
  }

  ChildJvm startWorker(String id) throws Exception {
    // the shipped logging configuration (common's logback.xml), not the tests' logback-test.xml
    ChildJvm w = ChildJvm.worker(id, env, logs.resolve(id + ".log"), "-Xmx768m",
        "-Dlogback.configurationFile=logback.xml");
    workers.add(w);
    return w;
  }

  String log(String id) throws Exception {
    return Files.readString(logs.resolve(id + ".log"));
  }

  @Override
  public void close() throws Exception {
    try {
      for (ChildJvm w : workers) {
        if (w.isAlive()) w.terminate(60, TimeUnit.SECONDS);
      }
      client.close();
    } finally {
      broker.close();
    }
  }
}
