package vcftrace.common;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties common to every client of the project: the bootstrap servers, then the
 * properties file named by {@code KAFKA_CONFIG_FILE}, then every {@code KAFKA_CLIENT_<NAME>} variable
 * ({@code KAFKA_CLIENT_SASL_MECHANISM=PLAIN} becomes {@code sasl.mechanism=PLAIN}). That is how a real
 * cluster's SASL/SSL settings reach the clients. These values are secrets as often as not: nothing
 * here is ever logged or put on a span.
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
}
