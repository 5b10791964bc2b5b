package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  @Test
  void producerPropertiesAreTheProjectsWhateverTheEnvironmentSaysAboutDurability() {
    Properties p = KafkaSettings.producerProperties(
        Map.of("KAFKA_BOOTSTRAP", "k:1", "KAFKA_CLIENT_ACKS", "1", "KAFKA_CLIENT_ENABLE_IDEMPOTENCE", "false"), "c1");
    assertEquals("k:1", p.get("bootstrap.servers"));
    assertEquals("c1", p.get("client.id"));
    assertEquals("all", p.get("acks"));
    assertEquals("true", p.get("enable.idempotence"));
    assertEquals("5", p.get("linger.ms"));
    assertEquals("none", p.get("compression.type"));
    assertEquals(ByteArraySerializer.class.getName(), p.get("key.serializer"));
    assertEquals(ByteArraySerializer.class.getName(), p.get("value.serializer"));
  }

  @Test
  void lingerAndCompressionCanBeTuned() {
    Properties p = KafkaSettings.producerProperties(
        Map.of("KAFKA_CLIENT_LINGER_MS", "20", "KAFKA_CLIENT_COMPRESSION_TYPE", "zstd"), "c1");
    assertEquals("20", p.get("linger.ms"));
    assertEquals("zstd", p.get("compression.type"));
  }

  @Test
  void theWorkersProducerGetsTheSameSettingsFromItsConfig() {
    Map<String, String> env = Map.of("KAFKA_BOOTSTRAP", "k:1");
    assertEquals(KafkaSettings.producerProperties(env, "w-results"),
        KafkaSettings.producerProperties(WorkerConfig.fromEnv(env).kafka(), "w-results"));
  }
}
