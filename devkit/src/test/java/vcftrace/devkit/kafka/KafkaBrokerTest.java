package vcftrace.devkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Starts real brokers as child processes: produce, consume, stop, kill, restart, and fail loudly. */
final class KafkaBrokerTest {

  private static final Duration CONSUME_DEADLINE = Duration.ofSeconds(60);
  private static final Duration METADATA_DEADLINE = Duration.ofSeconds(10);

  @TempDir Path dataDir;

  @BeforeAll
  static void quietClients() {
    // Without a logback config the Kafka clients of this JVM log at DEBUG to the console.
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger("org.apache.kafka").setLevel(Level.WARN);
    }
  }

  @Test
  void producesConsumesAndKeepsDataAcrossStopKillAndRestart() throws Exception {
    ProcessHandle first;
    int port;
    String clusterId;
    try (KafkaBroker broker = KafkaBroker.start(dataDir)) {
      assertTrue(broker.isRunning());
      port = broker.port();
      clusterId = broker.clusterId();
      assertEquals("127.0.0.1:" + port, broker.bootstrapServers());
      assertTrue(Files.exists(broker.logFile()));
      try (Admin admin = admin(broker)) {
        admin.createTopics(List.of(new NewTopic("events", 3, (short) 1))).all().get();
        admin.createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty()))).all().get();
        assertEquals(3, partitions(admin, "events"));
        assertEquals(KafkaBroker.DEFAULT_PARTITIONS, partitions(admin, "defaults"));
      }
      produce(broker, "events", "k1", "before-restart");
      assertEquals(List.of("before-restart"), consumeAll(broker, "events", 1));

      first = broker.processHandle();
      broker.stop();
      assertFalse(broker.isRunning());
      assertFalse(first.isAlive());

      broker.restart();
      assertTrue(broker.isRunning());
      assertEquals(port, broker.port());
      assertFalse(broker.processHandle().equals(first));
      assertEquals(List.of("before-restart"), consumeAll(broker, "events", 1));
      try (Admin admin = admin(broker)) {
        assertEquals(3, partitions(admin, "events"));
      }

      produce(broker, "events", "k2", "before-kill");
      ProcessHandle second = broker.processHandle();
      broker.kill();
      assertFalse(broker.isRunning());
      assertFalse(second.isAlive());
      broker.restart();
      assertEquals(List.of("before-kill", "before-restart"), sorted(consumeAll(broker, "events", 2)));
      first = broker.processHandle();
    }
    assertFalse(first.isAlive(), "close() must leave no broker process behind");
    assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count());

    // Another start on the same directory, as from a new JVM: same ports, same cluster, same data.
    try (KafkaBroker again = KafkaBroker.start(dataDir)) {
      assertEquals(port, again.port());
      assertEquals(clusterId, again.clusterId());
      assertEquals(List.of("before-kill", "before-restart"), sorted(consumeAll(again, "events", 2)));
      first = again.processHandle();
    }
    assertFalse(first.isAlive());
  }

  @Test
  void aBrokerThatCannotBindFailsFastWithItsLog() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Instant start = Instant.now();
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  KafkaBroker.builder(dataDir)
                      .port(taken.getLocalPort())
                      .startupTimeout(Duration.ofSeconds(90))
                      .start());
      assertTrue(e.getMessage().contains("exited"), e.getMessage());
      assertTrue(e.getMessage().contains("tail of"), e.getMessage());
      assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(90)) < 0);
    }
    assertEquals(0, ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count());
  }

  @Test
  void aConfigurationThatKafkaRejectsFailsTheFormatWithItsLog() {
    IOException e =
        assertThrows(
            IOException.class, () -> KafkaBroker.builder(dataDir).property("num.network.threads", "many").start());
    assertTrue(e.getMessage().contains("formatting Kafka storage failed"), e.getMessage());
    assertTrue(e.getMessage().contains("num.network.threads"), e.getMessage());
    assertFalse(Files.exists(dataDir.resolve(KafkaBroker.KRAFT_DIR).resolve("meta.properties")));
  }

  private static Admin admin(KafkaBroker broker) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  /** The topic's partition count; retried because a new topic reaches the broker's metadata a moment later. */
  private static int partitions(Admin admin, String topic) throws Exception {
    Instant deadline = Instant.now().plus(METADATA_DEADLINE);
    while (true) {
      try {
        return admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || Instant.now().isAfter(deadline)) throw e;
      }
    }
  }

  private static void produce(KafkaBroker broker, String topic, String key, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** Reads the topic from the beginning with a fresh group until {@code expected} values arrived. */
  private static List<String> consumeAll(KafkaBroker broker, String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    Instant deadline = Instant.now().plus(CONSUME_DEADLINE);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      while (values.size() < expected && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) values.add(r.value());
      }
    }
    return values;
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().toList();
  }
}
