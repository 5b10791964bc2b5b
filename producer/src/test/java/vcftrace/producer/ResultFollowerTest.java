package vcftrace.producer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The follower owns its consumer: closed by close(), or at once when it cannot be positioned. */
class ResultFollowerTest {
  private static final String TOPIC = "vcf.results";

  @Test
  void consumerIsClosedWhenPositioningThrows() {
    TimeoutException timeout = new TimeoutException("no broker");
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.LATEST) {
      @Override
      public synchronized List<PartitionInfo> partitionsFor(String topic, Duration t) {
        throw timeout;
      }
    };
    assertSame(timeout, assertThrows(TimeoutException.class, () -> ResultFollower.open(consumer, TOPIC)));
    assertTrue(consumer.closed());
  }

  @Test
  void followerPositionsAtTheEndAndClosesItsConsumer() {
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.LATEST);
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
    consumer.updateEndOffsets(Map.of(tp, 7L));
    try (ResultFollower follower = ResultFollower.open(consumer, TOPIC)) {
      assertFalse(consumer.closed());
      org.junit.jupiter.api.Assertions.assertEquals(7L, consumer.position(tp));
    }
    assertTrue(consumer.closed());
  }
}
