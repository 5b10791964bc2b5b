package vcftrace.devkit.e2e;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** Apache Kafka's in-JVM KRaft cluster (one broker, one controller), started and ready. */
final class KafkaTestKit implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  KafkaTestKit() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(
        new TestKitNodes.Builder().setNumBrokerNodes(1).setNumControllerNodes(1).build())
        // one broker: the internal topics cannot have the default three replicas
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
