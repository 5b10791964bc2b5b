package vcftrace.devkit.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The end-to-end contract on Apache Kafka's own in-JVM KRaft cluster (no Docker needed). */
class EndToEndOnKafkaTestKitTest extends PipelineContract {
  private KafkaTestKit kafka;

  @BeforeEach
  void startCluster() throws Exception {
    kafka = new KafkaTestKit();
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (kafka != null) kafka.close();
  }

  @Override
  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Test
  void tracedJobsFlowThroughRealBrokerToolsAndStores() throws Exception {
    runContract();
  }
}
