package vcftrace.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code server.address}/{@code server.port} of Kafka spans come from the first bootstrap server. */
class KafkaTracingTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "localhost:9092|localhost|9092",
      "broker-1.example:9093, broker-2.example:9093|broker-1.example|9093",
      "  10.0.0.7:19092|10.0.0.7|19092",
      "[::1]:9092,localhost:9092|::1|9092",
      "SASL_SSL://kafka.internal:9094|kafka.internal|9094",
  })
  void theFirstBootstrapServerIsTheServer(String bootstrap, String address, long port) {
    assertEquals(Attributes.of(Attrs.SERVER_ADDRESS, address, Attrs.SERVER_PORT, port),
        KafkaTracing.serverAttributes(bootstrap));
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {"NULL", "''", "localhost", "localhost:notaport"})
  void nothingWhenThereIsNoHostAndPort(String bootstrap) {
    assertEquals(Attributes.empty(), KafkaTracing.serverAttributes(bootstrap));
  }
}
