package vcftrace.devkit.e2e;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same contract on Apache's Kafka image through Testcontainers. Where no Docker engine exists
 * (as on our CI machines) the whole class is skipped, not failed.
 */
@Testcontainers(disabledWithoutDocker = true)
class EndToEndOnTestcontainersTest extends PipelineContract {
  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }

  @Test
  void tracedJobsFlowThroughRealBrokerToolsAndStores() throws Exception {
    runContract();
  }
}
