package vcftrace.common;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.AttributesExtractor;
import io.opentelemetry.instrumentation.kafkaclients.common.v0_11.internal.KafkaProcessRequest;
import io.opentelemetry.instrumentation.kafkaclients.common.v0_11.internal.KafkaProducerRequest;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;

/**
 * The Kafka instrumentation as this project uses it, with two attributes it leaves out:
 *
 * <ul>
 *   <li>{@code messaging.kafka.message.key}: our clients use byte-array keys (a job record's key must
 *       reach the dead-letter topic byte for byte), and the instrumentation records the key only for
 *       string keys; it is added here for keys that are valid UTF-8, which job ids always are.
 *   <li>{@code server.address} and {@code server.port}, which the messaging conventions ask for: the
 *       instrumentation records none (it does not see the client's configuration). They name the first
 *       of the clients' {@code bootstrap.servers}, the broker the client was pointed at; which broker
 *       leads a partition is decided inside the client, out of the instrumentation's sight.
 * </ul>
 */
public final class KafkaTracing {
  static final AttributeKey<String> MESSAGE_KEY = AttributeKey.stringKey("messaging.kafka.message.key");
  private static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

  private KafkaTracing() {}

  /**
   * The instrumentation without {@code server.address}/{@code server.port}; prefer {@link
   * #create(OpenTelemetry, Properties)}.
   */
  public static KafkaTelemetry create(OpenTelemetry openTelemetry) {
    return create(openTelemetry, new Properties());
  }

  /**
   * The instrumentation for clients configured with {@code clientProperties} (e.g. {@link
   * KafkaSettings#clientProperties}): only {@code bootstrap.servers} is read from them, and only its
   * first address goes on the spans (nothing else there is ever put on a span: it may hold secrets).
   */
  public static KafkaTelemetry create(OpenTelemetry openTelemetry, Properties clientProperties) {
    Attributes server = serverAttributes(clientProperties.getProperty(BOOTSTRAP_SERVERS));
    return KafkaTelemetry.builder(openTelemetry)
        .addProducerAttributesExtractors(new AttributesExtractor<KafkaProducerRequest, RecordMetadata>() {
          @Override
          public void onStart(AttributesBuilder attributes, Context parent, KafkaProducerRequest request) {
            attributes.putAll(server);
            putKey(attributes, request.getRecord().key());
          }

          @Override
          public void onEnd(AttributesBuilder a, Context c, KafkaProducerRequest r, RecordMetadata m, Throwable e) {}
        })
        .addConsumerProcessAttributesExtractors(new AttributesExtractor<KafkaProcessRequest, Void>() {
          @Override
          public void onStart(AttributesBuilder attributes, Context parent, KafkaProcessRequest request) {
            attributes.putAll(server);
            putKey(attributes, request.getRecord().key());
          }

          @Override
          public void onEnd(AttributesBuilder a, Context c, KafkaProcessRequest r, Void v, Throwable e) {}
        })
        .build();
  }

  /**
   * {@code server.address} and {@code server.port} of the first entry of a {@code bootstrap.servers}
   * list ({@code host:port}, {@code [v6 address]:port}); empty when there is none or it has no port.
   */
  static Attributes serverAttributes(String bootstrapServers) {
    if (bootstrapServers == null) return Attributes.empty();
    String first = bootstrapServers.split(",", 2)[0].trim();
    String host = Utils.getHost(first);
    Integer port = Utils.getPort(first);
    if (host == null || host.isEmpty() || port == null) return Attributes.empty();
    return Attributes.of(Attrs.SERVER_ADDRESS, host, Attrs.SERVER_PORT, (long) port);
  }

  private static void putKey(AttributesBuilder attributes, Object key) {
    if (!(key instanceof byte[] bytes)) return; // String keys are recorded by the instrumentation itself
    try {
      attributes.put(MESSAGE_KEY, StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      // a binary key says nothing useful on a span
    }
  }
}
