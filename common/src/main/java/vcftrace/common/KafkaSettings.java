package vcftrace.common;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka client properties common to every client of the project: the bootstrap servers, then the
 * properties file named by {@code KAFKA_CONFIG_FILE}, then every {@code KAFKA_CLIENT_<NAME>} variable
 * ({@code KAFKA_CLIENT_SASL_MECHANISM=PLAIN} becomes {@code sasl.mechanism=PLAIN}). That is how a real
 * cluster's SASL/SSL settings reach the clients. These values are secrets as often as not: nothing
 * here is ever logged or put on a span.
 *
 * <p>{@link #producerProperties} adds what every producer of the project needs, written once for the
 * producer CLI (jobs) and the worker (results, dead letters).
 */
public final class KafkaSettings {
  public static final String ENV_PREFIX = "KAFKA_CLIENT_";

  private KafkaSettings() {}

  public static Properties clientProperties(Map<String, String> env) {
    Properties p = new Properties();
    p.put("bootstrap.servers", Setting.KAFKA_BOOTSTRAP.string(env));
    Path file = Setting.KAFKA_CONFIG_FILE.path(env);
    if (file != null) {
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        // the path is not a secret; its contents may be
        throw new UncheckedIOException("cannot read KAFKA_CONFIG_FILE " + file, e);
      }
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
            p.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    return p;
  }

  /** {@link #clientProperties} of {@code env} plus {@link #producerProperties(Properties, String)}. */
  public static Properties producerProperties(Map<String, String> env, String clientId) {
    return producerProperties(clientProperties(env), clientId);
  }

  /**
   * A copy of {@code client} (see {@link #clientProperties}) with the settings of every producer of the
   * project: byte-array serializers, {@code acks=all} and idempotence always (a job, result or dead
   * letter is written once, and acknowledged only when every in-sync replica has it); {@code linger.ms}
   * and {@code compression.type} only when {@code KAFKA_CLIENT_*} or {@code KAFKA_CONFIG_FILE} has not
   * set them, since they trade latency and CPU, not correctness.
   */
  public static Properties producerProperties(Properties client, String clientId) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // 5 ms, Kafka 4's own default (KIP-1030), stated so it no longer differs between our producers:
    // the CLI publishes jobs in bursts, and 5 ms lets a burst share requests; a worker's result or
    // dead letter follows a job of seconds to minutes, so 5 ms more before it is sent costs nothing.
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    // Records are small JSON (a job, a result, or a job with dlq.* headers): compressing them would
    // spend CPU on producer and consumers to save little. KAFKA_CLIENT_COMPRESSION_TYPE changes it.
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    return p;
  }
}
