package vcftrace.producer;

import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import vcftrace.common.KafkaSettings;

/** The producer CLI's Kafka clients, from the environment's Kafka settings. */
final class ProducerClients {
  private ProducerClients() {}

  /** The project's producer settings ({@link KafkaSettings#producerProperties}), traced. */
  static Producer<byte[], byte[]> producer(Map<String, String> env, KafkaTelemetry telemetry, String clientId) {
    return telemetry.wrap(new KafkaProducer<>(KafkaSettings.producerProperties(env, clientId)));
  }

  /** A group-less consumer: the CLI assigns partitions itself and never commits. */
  static KafkaConsumer<byte[], byte[]> reader(Map<String, String> env, String clientId) {
    Properties p = KafkaSettings.clientProperties(env);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }
}
