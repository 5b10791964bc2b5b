package vcftrace.devkit;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import vcftrace.common.JobResult;

/** Reads a results topic from the beginning to its current end; the last result of a job wins. */
public final class ResultsReader {
  private ResultsReader() {}

  public static Map<String, JobResult> readAll(String bootstrap, String topic) throws IOException {
    Map<String, JobResult> out = new LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = fromBeginning(bootstrap, topic)) {
      List<TopicPartition> parts = List.copyOf(c.assignment());
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
          JobResult r = JobResult.parse(rec.value());
          if (r.jobId() != null) out.put(r.jobId(), r);
        }
      }
    }
    return out;
  }

  /** A consumer (no group) assigned every partition of {@code topic}, positioned at the beginning. */
  public static KafkaConsumer<byte[], byte[]> fromBeginning(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
    try {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }
}
