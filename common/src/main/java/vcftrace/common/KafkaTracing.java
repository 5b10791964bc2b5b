package vcftrace.common;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
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
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The Kafka instrumentation as this project uses it. Our clients use byte-array keys (a job record's
 * key must reach the dead-letter topic byte for byte), and the instrumentation records
 * {@code messaging.kafka.message.key} only for string keys; these extractors add it for keys that are
 * valid UTF-8, which job ids always are.
 */
public final class KafkaTracing {
  static final AttributeKey<String> MESSAGE_KEY = AttributeKey.stringKey("messaging.kafka.message.key");

  private KafkaTracing() {}

  public static KafkaTelemetry create(OpenTelemetry openTelemetry) {
    return KafkaTelemetry.builder(openTelemetry)
        .addProducerAttributesExtractors(new AttributesExtractor<KafkaProducerRequest, RecordMetadata>() {
          @Override
          public void onStart(AttributesBuilder attributes, Context parent, KafkaProducerRequest request) {
            putKey(attributes, request.getRecord().key());
          }

          @Override
          public void onEnd(AttributesBuilder a, Context c, KafkaProducerRequest r, RecordMetadata m, Throwable e) {}
        })
        .addConsumerProcessAttributesExtractors(new AttributesExtractor<KafkaProcessRequest, Void>() {
          @Override
          public void onStart(AttributesBuilder attributes, Context parent, KafkaProcessRequest request) {
            putKey(attributes, request.getRecord().key());
          }

          @Override
          public void onEnd(AttributesBuilder a, Context c, KafkaProcessRequest r, Void v, Throwable e) {}
        })
        .build();
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
